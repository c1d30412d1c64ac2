"""The reminder sweep decides from the database; each note is queued once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from kmv.notify import reminders, tasks
from kmv.notify.models import OutboxMessage
from participants import services as participant_services
from resourcegroups import planning
from resourcegroups.models import Meeting

from .conftest import at

pytestmark = pytest.mark.django_db


def _kinds(kind, meeting=None):
    rows = OutboxMessage.objects.filter(kind=kind)
    if meeting is not None:
        rows = rows.filter(meeting_id=meeting.pk)
    return sorted(rows.values_list("to", flat=True))


@pytest.fixture(autouse=True)
def _only_the_concern_meeting(participant):
    """The conftest participant also has milestone meetings (meeting 1 long overdue); these
    tests look at one meeting at a time."""
    participant.meetings.exclude(stage__kind="concern").update(status="cancelled")


def test_window_open_notifies_the_responsible_adviser_once(meeting):
    # the concern meeting is due today: its window is open and it has no time
    assert reminders.plan() == 1
    assert reminders.plan() == 0
    assert _kinds(OutboxMessage.Kind.WINDOW_OPEN, meeting) == ["alice@example.org"]
    row = OutboxMessage.objects.get(kind=OutboxMessage.Kind.WINDOW_OPEN)
    assert f"/ressursgrupper/mote/{meeting.pk}/" in row.body
    assert meeting.participant.last_name not in row.body + row.subject


def test_overdue_alert_once_per_due_date(meeting):
    Meeting.objects.filter(pk=meeting.pk).update(due_date=timezone.localdate() - timedelta(300))
    reminders.plan()
    reminders.plan()
    assert _kinds(OutboxMessage.Kind.OVERDUE) == ["alice@example.org"]
    assert _kinds(OutboxMessage.Kind.WINDOW_OPEN) == []


def test_reminders_7_days_and_1_day_before(meeting, book):
    book(meeting, days=5)
    reminders.plan()
    reminders.plan()
    assert _kinds(OutboxMessage.Kind.REMINDER) == [
        "alice@example.org",
        "amina@example.org",
        "bob@example.org",
    ]
    assert reminders.plan(now=at(4, 11)) == 3  # the day before: the 1-day reminder
    assert reminders.plan(now=at(4, 11)) == 0
    assert reminders.plan(now=at(5, 11)) == 0  # after the start: nothing
    labels = set(OutboxMessage.objects.filter(kind="reminder").values_list("key", flat=True))
    assert {k.split(":")[3] for k in labels} == {"7d", "1d"}


def test_a_moved_meeting_is_reminded_again(meeting, book):
    book(meeting, days=5)
    reminders.plan()
    book(meeting, days=6)  # SEQUENCE 1
    assert reminders.plan() == 3


def test_plan_reminders_task_sends_what_it_queued(meeting):
    assert tasks.plan_reminders.apply().get() == 1
    assert [m.to[0] for m in mail.outbox] == ["alice@example.org"]


def test_milestone_change_moving_a_booked_meeting_out_of_its_window(participant, personas):
    alice = personas["nav_adviser"]
    today = timezone.localdate()
    participant_services.participant_update(
        user=alice, participant=participant, adult_education_end=planning.add_months(today, 12)
    )
    meeting2 = participant.meetings.get(stage__number=2)
    from resourcegroups import services as group_services

    group_services.meeting_schedule(
        user=alice,
        meeting=meeting2,
        start=at(3),
        end=at(3, 11),
        place="Rom 1",
    )
    assert _kinds(OutboxMessage.Kind.OUT_OF_WINDOW) == []
    participant_services.participant_update(
        user=alice, participant=participant, adult_education_end=planning.add_months(today, 18)
    )
    assert _kinds(OutboxMessage.Kind.OUT_OF_WINDOW) == ["alice@example.org"]
    # syncing again (nightly plan_meetings) does not repeat the note
    from resourcegroups.services import meetings_sync

    meetings_sync(participant=participant)
    assert _kinds(OutboxMessage.Kind.OUT_OF_WINDOW) == ["alice@example.org"]
