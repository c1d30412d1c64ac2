"""Test data for the chaos tests, written by a subprocess into the private database.

Run as `python -m tests.chaos.seed <what> <n>` with DJANGO_SETTINGS_MODULE pointing at
tests.chaos.chaos_settings; prints one JSON object. It goes through the same services as
the app (participants, meetings, the outbox), never raw SQL.
"""

import json
import sys
from datetime import date, timedelta

import django

django.setup()

from django.utils import timezone  # noqa: E402

from kmv.access.models import Agency, Role  # noqa: E402
from kmv.notify import services as notify  # noqa: E402
from participants import services as participant_services  # noqa: E402
from resourcegroups import services as group_services  # noqa: E402
from tests.factories import (  # noqa: E402
    AgencyFactory,
    MunicipalityFactory,
    UserFactory,
    api_token_for,
)


def _people():
    """alice (NAV programme adviser, owner) and bob (teacher with consent), as in the
    suite's personas, and one participant with an e-mail address."""
    municipality = MunicipalityFactory(number="4204", name="Kristiansand")
    nav = AgencyFactory(name="NAV Kristiansand", kind=Agency.Kind.NAV_INTEGRATION)
    adult_ed = AgencyFactory(name="Voksenopplæringen", kind=Agency.Kind.ADULT_EDUCATION)
    for agency in (nav, adult_ed):
        agency.municipalities.add(municipality)
    alice = UserFactory(username="alice", agency=nav, role=Role.PROGRAMME_ADVISER)
    bob = UserFactory(username="bob", agency=adult_ed, role=Role.TEACHER)
    participant = participant_services.participant_create(
        user=alice,
        first_name="Amina",
        last_name="Haile",
        date_of_birth=date(1991, 3, 14),
        municipality=municipality,
        intro_programme_start=date(2025, 1, 6),
        preferred_language="ti",
        interpreter_needed=True,
        interpreter_language="ti",
    )
    participant.email = "amina@example.org"
    participant.save(update_fields=["email"])
    participant_services.consent_record(
        user=alice,
        participant=participant,
        agency=adult_ed,
        category="education_mapping",
        purpose="Resource group",
    )
    group_services.membership_add(user=alice, participant=participant, staff=bob)
    return alice, participant


def messages(n: int) -> dict:
    """n plain outbox messages (what any service queues)."""
    ids = []
    for i in range(n):
        row = notify.queue_message(
            key=f"chaos:{i}", to=f"person{i}@example.org", subject=f"Melding {i}", body="Hei"
        )
        ids.append(row.message_id)
    return {"message_ids": ids}


def meetings(n: int) -> dict:
    """n concern meetings of one participant, not booked yet, and alice's API token."""
    alice, participant = _people()
    made = [
        group_services.meeting_create_concern(
            user=alice, participant=participant, reason="Progress"
        )
        for _ in range(n)
    ]
    token = api_token_for(alice)
    return {"token": token, "participant": participant.pk, "meetings": [m.pk for m in made]}


def booked(n: int) -> dict:
    """n concern meetings booked about 20 hours ahead: each is due for a reminder."""
    alice, participant = _people()
    start = (timezone.now() + timedelta(hours=20)).replace(second=0, microsecond=0)
    ids = []
    for i in range(n):
        meeting = group_services.meeting_create_concern(
            user=alice, participant=participant, reason="Progress"
        )
        group_services.meeting_schedule(
            user=alice,
            meeting=meeting,
            start=start + timedelta(minutes=90 * i),
            end=start + timedelta(minutes=90 * i + 60),
            place=f"Rom {i}",
        )
        ids.append(meeting.pk)
    return {"meetings": ids}


if __name__ == "__main__":
    what, count = sys.argv[1], int(sys.argv[2])
    result = {"messages": messages, "meetings": meetings, "booked": booked}[what](count)
    print(json.dumps(result))
