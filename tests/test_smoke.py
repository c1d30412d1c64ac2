from kmv.access import policy


def test_owner_and_consenting_member_see_participant(participant, personas):
    visible = {name for name, user in personas.items() if policy.may(user, participant)}
    assert visible == {"nav_adviser", "teacher"}


def test_the_persona_tables_name_every_persona(personas):
    """The tables that run once per persona (tests.factories.PERSONAS) cover the fixture."""
    from tests.factories import PERSONAS

    assert sorted(PERSONAS) == sorted(personas)
