from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from resourcegroups import services as group_services


def at(days: int, hour: int = 10) -> datetime:
    """An aware local time `days` from today."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, 0))


@pytest.fixture
def meeting(participant, personas):
    """A concern meeting (responsible: programme adviser alice; bob is invited)."""
    participant.email = "amina@example.org"
    participant.save(update_fields=["email"])
    return group_services.meeting_create_concern(
        user=personas["nav_adviser"], participant=participant, reason="Progress"
    )


@pytest.fixture
def book(personas):
    def _book(meeting, days=10, place="Rom 1", hour=10):
        return group_services.meeting_schedule(
            user=personas["nav_adviser"],
            meeting=meeting,
            start=at(days, hour),
            end=at(days, hour + 1),
            place=place,
        )

    return _book
