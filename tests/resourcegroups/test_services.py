"""Services behind the meeting pages: milestone re-planning, concern meetings, notes."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from participants import services as participant_services
from resourcegroups import planning, selectors, services
from resourcegroups.models import Meeting, MeetingEvent, Minutes
from resourcegroups.services.meetings import ConflictError, may_manage

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(participant, personas):
    """The conftest participant with an end date for adult education: meetings 2 and 3."""
    return participant_services.participant_update(
        user=personas["nav_adviser"], participant=participant, adult_education_end=date(2027, 6, 20)
    )


def _aware(d: date, hour: int):
    return timezone.make_aware(datetime(d.year, d.month, d.day, hour))


def test_milestone_change_moves_generated_and_flags_hand_scheduled(personas, planned):
    alice = personas["nav_adviser"]
    meeting2 = planned.meetings.get(stage__number=2)
    meeting3 = planned.meetings.get(stage__number=3)
    assert meeting2.due_date == date(2026, 6, 20)
    assert meeting3.due_date == date(2026, 12, 20)
    booked_on = date(2026, 6, 15)
    services.meeting_schedule(
        user=alice,
        meeting=meeting2,
        start=_aware(booked_on, 10),
        end=_aware(booked_on, 11),
        place="Rom 1",
        version=meeting2.version,
    )

    participant_services.participant_update(
        user=alice, participant=planned, adult_education_end=date(2027, 12, 20)
    )

    meeting2.refresh_from_db()
    meeting3.refresh_from_db()
    # the generated meeting follows the milestone …
    assert meeting3.due_date == date(2027, 6, 20)
    assert meeting3.events.filter(kind=MeetingEvent.Kind.MOVED_BY_MILESTONE).exists()
    # … the hand-scheduled one keeps its time and is flagged for review
    assert meeting2.needs_review
    assert meeting2.due_date == date(2026, 6, 20)
    assert timezone.localtime(meeting2.planned_start).date() == booked_on
    review = meeting2.events.get(kind=MeetingEvent.Kind.REVIEW)
    assert review.after == {"due_date": "2026-12-20"}
    # the plan shows the new due date from planning for the flagged meeting
    planned.refresh_from_db()
    rows = selectors.participant_plan(planned, today=date(2026, 11, 26))
    row2 = next(r for r in rows if r.stage.number == 2)
    assert row2.meeting == meeting2 and row2.due.due_date == date(2026, 12, 20)
    assert row2.due.state == planning.DueState.DUE

    # booking again clears the flag
    services.meeting_schedule(
        user=alice,
        meeting=meeting2,
        start=_aware(date(2026, 12, 10), 10),
        end=_aware(date(2026, 12, 10), 11),
        place="Rom 1",
        version=Meeting.objects.get(pk=meeting2.pk).version,
    )
    meeting2.refresh_from_db()
    assert not meeting2.needs_review


def test_schedule_with_stale_version_conflicts(personas, planned):
    alice = personas["nav_adviser"]
    meeting = planned.meetings.get(stage__number=2)
    stale = meeting.version
    day = timezone.localdate() + timedelta(days=3)
    services.meeting_schedule(
        user=alice,
        meeting=meeting,
        start=_aware(day, 9),
        end=_aware(day, 10),
        place="A",
        version=stale,
    )
    with pytest.raises(ConflictError):
        services.meeting_schedule(
            user=alice,
            meeting=meeting,
            start=_aware(day, 12),
            end=_aware(day, 13),
            place="B",
            version=stale,
        )
    meeting.refresh_from_db()
    assert meeting.place == "A"


def test_concern_meeting_needs_a_reason_and_invites_members(personas, participant):
    bob = personas["teacher"]
    with pytest.raises(ValidationError):
        services.meeting_create_concern(user=bob, participant=participant, reason=" ")
    meeting = services.meeting_create_concern(
        user=bob, participant=participant, reason="Lite progresjon i norsk"
    )
    assert meeting.stage.kind == "concern" and meeting.sequence == 1
    assert set(meeting.invitees.values_list("staff__username", flat=True)) == {"alice", "bob"}
    again = services.meeting_create_concern(user=bob, participant=participant, reason="Igjen")
    assert again.sequence == 2
    with pytest.raises(PermissionDenied):
        services.meeting_create_concern(
            user=personas["counsellor"], participant=participant, reason="x"
        )


def test_only_the_responsible_adviser_manages(personas, participant):
    meeting = participant.meetings.get(stage__number=1)
    assert may_manage(personas["nav_adviser"], meeting)
    assert not may_manage(personas["teacher"], meeting)
    assert not may_manage(personas["counsellor"], meeting)


def test_notes_are_per_agency(personas, participant):
    alice, bob = personas["nav_adviser"], personas["teacher"]
    meeting = participant.meetings.get(stage__number=1)
    services.note_save(user=alice, meeting=meeting, text="NAV", version=0)
    services.note_save(user=bob, meeting=meeting, text="Skole", version=0)
    assert [n.text for n in services.minutes.notes_visible(bob, meeting)] == ["Skole"]
    assert [n.text for n in services.minutes.notes_visible(alice, meeting)] == ["NAV"]


def test_locked_minutes_refuse_compose(personas, participant, monkeypatch):
    monkeypatch.setattr("resourcegroups.archive.store_minutes_pdf", lambda minutes: True)
    alice, bob = personas["nav_adviser"], personas["teacher"]
    meeting = participant.meetings.get(stage__number=1)
    day = timezone.localdate()
    meeting = services.meeting_schedule(
        user=alice, meeting=meeting, start=_aware(day, 9), end=_aware(day, 10), place="A"
    )
    minutes = services.minutes_compose(user=alice, meeting=meeting, decisions="Vedtatt")
    services.minutes_submit(user=alice, minutes=minutes)
    services.minutes_approve(user=alice, minutes=minutes)
    minutes = services.minutes_approve(user=bob, minutes=minutes)
    assert minutes.status == Minutes.Status.APPROVED
    with pytest.raises(ValidationError):
        services.minutes_compose(user=alice, meeting=meeting, decisions="Endret")
    minutes.refresh_from_db()
    assert minutes.decisions == "Vedtatt"


def test_a_milestone_change_shows_in_the_participant_timeline(participant, personas):
    from datetime import date

    from django.utils import timezone, translation

    from participants import services as participant_services
    from participants.selectors import participant_timeline

    alice = personas["nav_adviser"]
    participant_services.participant_update(
        user=alice, participant=participant, adult_education_end=date(2027, 6, 20)
    )
    participant.refresh_from_db()
    participant_services.participant_update(
        user=alice, participant=participant, adult_education_end=date(2027, 12, 20)
    )
    with translation.override("en"):
        entries = participant_timeline(
            participant=participant, user=alice, today=timezone.localdate()
        )
        titles = [str(e.title) for e in entries]
    assert any("moved to a new due date" in t for t in titles), titles
