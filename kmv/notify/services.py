"""Outbox of messages (e-mail + iCalendar) shared by resource groups and the network.

Contract (callers may rely on these signatures):

queue_message(*, key, to, subject, body, language="nb", ics="", ics_method="",
              send_after=None) -> OutboxMessage | None
    Idempotent by `key`: a second call with the same key creates nothing.

queue_meeting_invitations(*, meeting, by=None) -> int
    Invitations (or updates / cancellations, by the meeting's state) for every invited
    member and the participant; returns the number of messages queued.

How delivery is guaranteed: a service writes OutboxMessage rows in the caller's
transaction, then asks (after commit) a Celery worker to run the sweep now. That request
is only a hint — if the broker is down it is dropped after a short timeout, and the beat
sweep (`kmv.notify.tasks.send_outbox`, every 30 seconds) sends the row anyway. Whether a
message is already sent is decided in one place: the row's unique `key`.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from . import ical
from .models import MeetingCalendar, OutboxMessage

log = logging.getLogger(__name__)

# Languages e-mails are written in. A participant with another preferred language gets
# bokmål, with a line saying so (an interpreter can help read it).
MAIL_LANGUAGES = ("nb", "en")


def _enqueue_send() -> None:
    """Ask a worker to sweep now. Never raises, never waits long: a dead broker must not
    fail or hang the request (the row is already committed; the beat sweep sends it)."""
    from .tasks import send_outbox

    try:
        send_outbox.apply_async(retry=False)
    except Exception:  # noqa: BLE001 — any broker error: the beat sweep delivers later
        log.warning("outbox: could not reach the broker; the periodic sweep will send")


def kick_after_commit() -> None:
    transaction.on_commit(_enqueue_send, robust=True)


def insert(
    *,
    key: str,
    to: str,
    subject: str,
    body: str,
    language: str = "nb",
    ics: str = "",
    ics_method: str = "",
    send_after: datetime | None = None,
    kind: str = OutboxMessage.Kind.OTHER,
    meeting_id: int | None = None,
) -> OutboxMessage | None:
    if OutboxMessage.objects.filter(key=key).exists():
        return None
    row = OutboxMessage(
        key=key,
        kind=kind,
        meeting_id=meeting_id,
        to=to,
        language=language,
        subject=subject[:255],
        body=body,
        ics=ics,
        ics_method=ics_method,
        send_after=send_after or timezone.now(),
    )
    row.full_clean(validate_unique=False)
    try:
        with transaction.atomic():  # savepoint: a concurrent insert of the same key loses
            row.save(force_insert=True)
    except IntegrityError:
        return None
    return row


def queue_message(
    *,
    key: str,
    to: str,
    subject: str,
    body: str,
    language: str = "nb",
    ics: str = "",
    ics_method: str = "",
    send_after: datetime | None = None,
    kind: str = OutboxMessage.Kind.OTHER,
    meeting_id: int | None = None,
) -> OutboxMessage | None:
    """Queue one message; None when a message with this key already exists."""
    row = insert(
        key=key,
        to=to,
        subject=subject,
        body=body,
        language=language,
        ics=ics,
        ics_method=ics_method,
        send_after=send_after,
        kind=kind,
        meeting_id=meeting_id,
    )
    if row is not None:
        kick_after_commit()
    return row


# --- meetings -------------------------------------------------------------------------


def meeting_url(meeting) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("resourcegroups:meeting", args=[meeting.pk])


def meeting_title(meeting, language: str) -> str:
    """The stage name ("Ressursgruppemøte 2" / "Resource-group meeting 2"): never a name."""
    with translation.override(language):
        return meeting.stage.localized("name")


def _fingerprint(meeting, cancelled: bool) -> str:
    raw = "|".join(
        [
            meeting.planned_start.isoformat() if meeting.planned_start else "",
            meeting.planned_end.isoformat() if meeting.planned_end else "",
            meeting.place,
            "cancelled" if cancelled else "confirmed",
        ]
    )
    return hashlib.sha256(raw.encode()).hexdigest()


def staff_language(user) -> str:
    return user.language if user.language in MAIL_LANGUAGES else "nb"


def render_text(template: str, language: str, context: dict) -> str:
    with translation.override(language):
        return render_to_string(template, {**context, "language": language}).strip() + "\n"


def _interpreter_addresses(meeting) -> list[str]:
    """The interpreter service(s) serving the participant's municipality, by agency e-mail."""
    from kmv.access.models import Agency

    return list(
        Agency.objects.filter(
            kind=Agency.Kind.INTERPRETER_SERVICE,
            municipalities=meeting.participant.municipality_id,
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def meeting_recipients(meeting) -> list[dict]:
    """Who gets the invitation: every invited member, the participant (when an e-mail is
    known) and, when an interpreter is needed, the interpreter service."""
    out = []
    invitees = meeting.invitees.select_related("staff").order_by("pk")
    for invitee in invitees:
        if invitee.staff.email and invitee.staff.is_active:
            out.append(
                {
                    "to": invitee.staff.email,
                    "language": staff_language(invitee.staff),
                    "who": "staff",
                }
            )
    participant = meeting.participant
    if participant.email:
        preferred = participant.preferred_language
        out.append(
            {
                "to": participant.email,
                "language": preferred if preferred in MAIL_LANGUAGES else "nb",
                "who": "participant",
                "translation_missing": preferred not in MAIL_LANGUAGES,
            }
        )
    if meeting.interpreter_needed and meeting.interpreter_language:
        for address in _interpreter_addresses(meeting):
            out.append({"to": address, "language": "nb", "who": "interpreter"})
    seen, unique = set(), []
    for r in out:
        if r["to"].lower() not in seen:
            seen.add(r["to"].lower())
            unique.append(r)
    return unique


@transaction.atomic
def queue_meeting_invitations(*, meeting, by=None) -> int:
    """Queue invitations, updates or cancellations for a meeting, by its current state.

    - booked/invited with a time: METHOD:REQUEST to every recipient;
    - cancelled: METHOD:CANCEL to everyone who was sent an invitation before;
    - anything else (no time yet, held, …): nothing.

    SEQUENCE lives in MeetingCalendar (row locked here, so two concurrent saves cannot hand
    out the same number) and rises whenever time, place or calendar status (confirmed /
    cancelled) differ from what the last invitation said. A booked → invited change does
    not alter the calendar entry and so does not raise it. Keys are
    (meeting, kind, sequence, recipient): calling this twice queues nothing new, while a
    member added later still gets the current version. `by` is accepted for the audit
    trail of callers; messages carry no sender name.
    """
    from resourcegroups.models import Meeting

    meeting = Meeting.objects.select_related("stage", "participant").get(pk=meeting.pk)
    cancelled = meeting.status == Meeting.Status.CANCELLED
    if not cancelled and not (
        meeting.status in (Meeting.Status.BOOKED, Meeting.Status.INVITED)
        and meeting.planned_start
        and meeting.planned_end
    ):
        return 0
    state, _created = MeetingCalendar.objects.select_for_update().get_or_create(meeting=meeting)
    if cancelled and not state.fingerprint:
        return 0  # never announced: nothing to cancel in anybody's calendar
    fingerprint = _fingerprint(meeting, cancelled)
    if fingerprint != state.fingerprint:
        if state.fingerprint:
            state.sequence += 1
        state.fingerprint = fingerprint
        state.save(update_fields=["sequence", "fingerprint", "updated_at"])
    if cancelled:
        announced = (
            OutboxMessage.objects.filter(
                meeting_id=meeting.pk,
                kind__in=[OutboxMessage.Kind.INVITATION, OutboxMessage.Kind.INTERPRETER],
            )
            .order_by("to", "-created_at")
            .values("to", "language", "kind")
        )
        recipients, seen = [], set()
        for row in announced:
            if row["to"].lower() not in seen:
                seen.add(row["to"].lower())
                recipients.append(
                    {
                        "to": row["to"],
                        "language": row["language"],
                        "who": "interpreter"
                        if row["kind"] == OutboxMessage.Kind.INTERPRETER
                        else "staff",
                    }
                )
    else:
        recipients = meeting_recipients(meeting)
    count = 0
    for r in recipients:
        if _queue_one(meeting, state.sequence, cancelled, r) is not None:
            count += 1
    if count:
        kick_after_commit()
    return count


def _event_data(meeting, *, sequence: int, cancelled: bool, language: str, who: str):
    title = meeting_title(meeting, language)
    url = meeting_url(meeting) if who == "staff" else ""
    with translation.override(language):
        if who == "interpreter":
            description = render_to_string(
                "notify/email/interpreter_description.txt", {"meeting": meeting}
            ).strip()
        else:
            description = render_to_string(
                "notify/email/event_description.txt", {"title": title, "url": url}
            ).strip()
    return ical.EventData(
        meeting_id=meeting.pk,
        start=meeting.planned_start,
        end=meeting.planned_end,
        summary=title,
        description=description,
        location=meeting.place,
        url=url,
        sequence=sequence,
        cancelled=cancelled,
    )


def _queue_one(meeting, sequence: int, cancelled: bool, r: dict) -> OutboxMessage | None:
    who, language = r["who"], r["language"]
    if cancelled:
        kind, template = OutboxMessage.Kind.CANCELLATION, "notify/email/cancellation.txt"
    elif who == "interpreter":
        kind, template = OutboxMessage.Kind.INTERPRETER, "notify/email/interpreter.txt"
    else:
        kind, template = OutboxMessage.Kind.INVITATION, "notify/email/invitation.txt"
    key = f"meeting:{meeting.pk}:{kind}:{sequence}:{r['to'].lower()}"
    if OutboxMessage.objects.filter(key=key).exists():
        return None
    data = _event_data(meeting, sequence=sequence, cancelled=cancelled, language=language, who=who)
    ics, method = ical.meeting_ics(data, attendee=r["to"])
    context = {
        "meeting": meeting,
        "title": data.summary,
        "url": data.url,
        "who": who,
        "update": sequence > 0,
        "translation_missing": r.get("translation_missing", False),
    }
    body = render_text(template, language, context)
    subject = render_text("notify/email/subject.txt", language, {**context, "kind": kind}).strip()
    return insert(
        key=key,
        to=r["to"],
        subject=subject,
        body=body,
        language=language,
        ics=ics,
        ics_method=method,
        kind=kind,
        meeting_id=meeting.pk,
    )


# --- notes to the responsible adviser ---------------------------------------------------


def responsible_staff(meeting) -> list:
    """Who books the meeting: invited members holding the stage's responsible role, else
    the group's active members with that role, else whoever registered the participant."""
    from resourcegroups.models import Membership

    role = meeting.stage.responsible_role
    users = [i.staff for i in meeting.invitees.select_related("staff") if i.role == role]
    if not users:
        users = [
            m.staff
            for m in Membership.objects.active()
            .filter(group__participant_id=meeting.participant_id, role=role)
            .select_related("staff")
        ]
    if not users and meeting.participant.created_by_id:
        users = [meeting.participant.created_by]
    return [u for u in users if u.is_active and u.email]


def queue_staff_note(
    *,
    meeting,
    kind: str,
    key_suffix: str,
    template: str,
    extra: dict | None = None,
    recipients=None,
    kick: bool = True,
) -> int:
    """A short note about a meeting to staff (responsible adviser by default). The text
    names the stage and links to the meeting; the link shows the rest to those allowed."""
    count = 0
    for user in recipients if recipients is not None else responsible_staff(meeting):
        if not user.email:
            continue
        language = staff_language(user)
        context = {
            "meeting": meeting,
            "title": meeting_title(meeting, language),
            "url": meeting_url(meeting),
            "kind": kind,
            **(extra or {}),
        }
        row = insert(
            key=f"meeting:{meeting.pk}:{kind}:{key_suffix}:{user.email.lower()}",
            to=user.email,
            subject=render_text("notify/email/subject.txt", language, context).strip(),
            body=render_text(template, language, context),
            language=language,
            kind=kind,
            meeting_id=meeting.pk,
        )
        count += row is not None
    if count and kick:
        kick_after_commit()
    return count


def queue_out_of_window_note(*, meeting, window_start: date, window_end: date) -> int:
    """A milestone change moved the due window away from a booked meeting's date."""
    return queue_staff_note(
        meeting=meeting,
        kind=OutboxMessage.Kind.OUT_OF_WINDOW,
        key_suffix=f"{window_start}:{window_end}",
        template="notify/email/out_of_window.txt",
        extra={"window_start": window_start, "window_end": window_end},
    )


def meeting_outside_window(meeting, due_date: date | None = None) -> tuple[date, date] | None:
    """The (start, end) of the due window (of `due_date`, default the meeting's) when the
    meeting is booked at a date outside it; None when inside or not booked."""
    from resourcegroups import planning

    due_date = due_date or meeting.due_date
    if not (meeting.planned_start and due_date):
        return None
    if meeting.status not in ("booked", "invited"):
        return None
    start, end = planning.window(meeting.routine, due_date)
    held_on = timezone.localtime(meeting.planned_start).date()
    if start <= held_on <= end:
        return None
    return start, end


def retry_in(attempts: int) -> timedelta:
    """Backoff after a failed send: 2, 4, 8, … minutes."""
    return timedelta(minutes=2**attempts)
