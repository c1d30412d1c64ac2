"""Reads over the outbox: what happened to each meeting's invitations."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .models import OutboxMessage

INVITATION_KINDS = (
    OutboxMessage.Kind.INVITATION,
    OutboxMessage.Kind.INTERPRETER,
    OutboxMessage.Kind.CANCELLATION,
)


def _sequence(key: str) -> int | None:
    # "meeting:<id>:<kind>:<sequence>:<to>"
    parts = key.split(":", 4)
    return int(parts[3]) if len(parts) == 5 and parts[3].isdigit() else None


def invitation_status(meetings, *, visible_participants: set[int]) -> dict[int, list[dict]]:
    """Per meeting, the latest invitation message to each recipient: kind, state
    (pending/sent/failed), attempts, sent_at and the iCalendar SEQUENCE.

    Recipients are named by their part, never by address: a staff member by name, the
    participant by name only when the viewer may see them (`visible_participants`),
    otherwise "Participant"; an interpreter service by its agency's name. Constant in
    queries: three, whatever the number of meetings."""
    from kmv.access.models import Agency
    from resourcegroups.models import MeetingInvitee

    meetings = list(meetings)
    ids = [m.pk for m in meetings]
    rows = (
        OutboxMessage.objects.filter(meeting_id__in=ids, kind__in=INVITATION_KINDS)
        .order_by("meeting_id", "to", "-created_at", "-pk")
        .values("meeting_id", "key", "to", "kind", "status", "attempts", "sent_at")
    )
    staff_names: dict[tuple[int, str], str] = {}
    for inv in MeetingInvitee.objects.filter(meeting_id__in=ids).select_related("staff"):
        if inv.staff.email:
            staff_names[(inv.meeting_id, inv.staff.email.lower())] = (
                inv.staff.get_full_name() or inv.staff.username
            )
    services = {
        email.lower(): name
        for email, name in Agency.objects.filter(kind=Agency.Kind.INTERPRETER_SERVICE)
        .exclude(email="")
        .values_list("email", "name")
    }
    by_meeting = {m.pk: m for m in meetings}
    kinds = dict(OutboxMessage.Kind.choices)
    states = dict(OutboxMessage.Status.choices)
    out: dict[int, list[dict]] = {pk: [] for pk in ids}
    seen: set[tuple[int, str]] = set()
    for r in rows:
        to = r["to"].lower()
        if (r["meeting_id"], to) in seen:
            continue  # only the latest message per recipient
        seen.add((r["meeting_id"], to))
        meeting = by_meeting[r["meeting_id"]]
        participant = meeting.participant
        if (r["meeting_id"], to) in staff_names:
            role, label = "staff", staff_names[(r["meeting_id"], to)]
        elif participant.email and participant.email.lower() == to:
            role = "participant"
            label = str(participant) if participant.pk in visible_participants else _("Participant")
        elif to in services:
            role, label = "interpreter", services[to]
        else:
            role, label = "other", _("Former member")
        out[r["meeting_id"]].append(
            {
                "recipient": label,
                "role": role,
                "kind": r["kind"],
                "kind_label": str(kinds.get(r["kind"], r["kind"])),
                "status": r["status"],
                "status_label": str(states.get(r["status"], r["status"])),
                "attempts": r["attempts"],
                "sent_at": r["sent_at"],
                "sequence": _sequence(r["key"]),
            }
        )
    return out
