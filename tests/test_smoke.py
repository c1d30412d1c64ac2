from kmv.access import policy


def test_owner_and_consenting_member_see_participant(participant, personas):
    visible = {name for name, user in personas.items() if policy.may(user, participant)}
    assert visible == {"nav_adviser", "teacher"}
