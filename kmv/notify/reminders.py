"""Reminder sweep: decide from the database which notes are due and queue them.

Run by beat every few minutes (`kmv.notify.tasks.plan_reminders`). Nothing is scheduled
ahead (no eta/countdown tasks, no beat entry per reminder): each run looks at the meetings
as they are now, so a rescheduled, cancelled or moved meeting needs no clean-up. Every note
has a unique outbox key, so running this twice, or two runs overlapping, queues each note
once:

- window open  (responsible adviser, once per due date): a planned meeting's due window
  has opened and it has no time yet — time to book;
- reminders    (invited members and the participant): 7 days and 1 day before a booked
  meeting, once per calendar SEQUENCE (a moved meeting is reminded again);
- overdue      (responsible adviser, once per due date): the window closed, not held.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from . import services
from .models import MeetingCalendar, OutboxMessage

REMINDERS = (("1d", timedelta(days=1)), ("7d", timedelta(days=7)))
LOOK_AHEAD = timedelta(days=400)  # longest due window a routine opens ahead, generously


def _reminder_label(start: datetime, now: datetime) -> str | None:
    """The closest reminder that is due: a meeting booked 3 days ahead gets only "1d"
    later, not a late "7d" now."""
    ahead = start - now
    if ahead <= timedelta(0):
        return None
    for label, before in REMINDERS:
        if ahead <= before:
            return label
    return None


def plan(now: datetime | None = None) -> int:
    from resourcegroups import planning
    from resourcegroups.models import Meeting

    now = now or timezone.now()
    today = timezone.localdate(now)
    queued = 0
    base = Meeting.objects.filter(participant__status="active").select_related(
        "routine", "stage", "participant"
    )
    for meeting in base.filter(
        status=Meeting.Status.PLANNED,
        planned_start__isnull=True,
        due_date__isnull=False,
        due_date__lte=today + LOOK_AHEAD,
    ):
        start, end = planning.window(meeting.routine, meeting.due_date)
        if start <= today <= end:
            with transaction.atomic():
                queued += services.queue_staff_note(
                    meeting=meeting,
                    kind=OutboxMessage.Kind.WINDOW_OPEN,
                    key_suffix=str(meeting.due_date),
                    template="notify/email/window_open.txt",
                    extra={"window_start": start, "window_end": end},
                    kick=False,  # plan_reminders sends right after planning
                )
    for meeting in base.filter(
        status__in=Meeting.OPEN_STATUSES, due_date__isnull=False, due_date__lt=today
    ):
        start, end = planning.window(meeting.routine, meeting.due_date)
        if today > end:
            with transaction.atomic():
                queued += services.queue_staff_note(
                    meeting=meeting,
                    kind=OutboxMessage.Kind.OVERDUE,
                    key_suffix=str(meeting.due_date),
                    template="notify/email/overdue.txt",
                    extra={"window_start": start, "window_end": end},
                    kick=False,  # plan_reminders sends right after planning
                )
    upcoming = base.filter(
        status__in=[Meeting.Status.BOOKED, Meeting.Status.INVITED],
        planned_start__gt=now,
        planned_start__lte=now + REMINDERS[-1][1],
    )
    sequences = dict(
        MeetingCalendar.objects.filter(meeting__in=upcoming).values_list("meeting_id", "sequence")
    )
    for meeting in upcoming:
        label = _reminder_label(meeting.planned_start, now)
        if label is None:
            continue
        with transaction.atomic():
            queued += _queue_reminder(meeting, label, sequences.get(meeting.pk, 0))
    return queued


def _queue_reminder(meeting, label: str, sequence: int) -> int:
    count = 0
    for r in services.meeting_recipients(meeting):
        if r["who"] == "interpreter":
            continue  # the booking request is theirs; reminders are for the group
        language = r["language"]
        title = services.meeting_title(meeting, language)
        url = services.meeting_url(meeting) if r["who"] == "staff" else ""
        context = {
            "meeting": meeting,
            "title": title,
            "url": url,
            "kind": OutboxMessage.Kind.REMINDER,
            "label": label,
            "who": r["who"],
            "translation_missing": r.get("translation_missing", False),
        }
        row = services.insert(
            key=f"meeting:{meeting.pk}:reminder:{label}:{sequence}:{r['to'].lower()}",
            to=r["to"],
            subject=services.render_text("notify/email/subject.txt", language, context).strip(),
            body=services.render_text("notify/email/reminder.txt", language, context),
            language=language,
            kind=OutboxMessage.Kind.REMINDER,
            meeting_id=meeting.pk,
        )
        count += row is not None
    return count
