from dataclasses import dataclass

from django.db.models import Q, QuerySet

from . import audit, policy
from .models import AuditEvent, User


def audit_events(filters: dict) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.select_related("actor", "agency")
    if filters.get("participant_ids") is not None:
        qs = qs.filter(participant_id__in=filters["participant_ids"])
    if filters.get("participant_id"):
        qs = qs.filter(participant_id=filters["participant_id"])
    if filters.get("username"):
        # failed logins keep the typed name masked: the same mask finds them
        name = filters["username"]
        qs = qs.filter(Q(actor_label__iexact=name) | Q(actor_label=audit.masked_username(name)))
    if filters.get("agency"):
        qs = qs.filter(agency=filters["agency"])
    if filters.get("action"):
        qs = qs.filter(action=filters["action"])
    if filters.get("date_from"):
        qs = qs.filter(at__date__gte=filters["date_from"])
    if filters.get("date_to"):
        qs = qs.filter(at__date__lte=filters["date_to"])
    return qs


@dataclass(frozen=True)
class AuditRow:
    """An audit event as one viewer may see it: participant and object ids only where the
    viewer may see the participant, otherwise a pseudonym (`audit.pseudonym`)."""

    event: AuditEvent
    participant: str
    object_ref: str
    count: int


def audit_rows(viewer: User, events) -> list[AuditRow]:
    """The rows of one audit-log page for `viewer` (one query for the visible ids)."""
    events = list(events)
    ids = {e.participant_id for e in events if e.participant_id is not None}
    visible = set(policy.participants_for(viewer).filter(pk__in=ids).values_list("pk", flat=True))
    rows = []
    for e in events:
        shown = e.participant_id is None or e.participant_id in visible
        if shown:
            participant = str(e.participant_id or "")
            object_ref = e.object_id
        else:
            participant = audit.pseudonym(e.participant_id)
            object_ref = participant if e.object_type == "participant" else ""
        rows.append(AuditRow(e, participant, object_ref, len(e.object_ids or [])))
    return rows


def audit_participant_filter(viewer: User, value: str) -> list[int] | None:
    """Participant ids a filter value names for `viewer`: an id the viewer may see, or a
    pseudonym from the log. None when it names nothing the viewer may use (the same answer
    for "no such participant" and "not yours")."""
    value = (value or "").strip()
    if value.isdigit():
        pk = int(value)
        return [pk] if policy.participants_for(viewer).filter(pk=pk).exists() else None
    if value.upper().startswith("P-"):
        code = "P-" + value[2:].lower()
        seen = (
            AuditEvent.objects.filter(participant_id__isnull=False)
            .values_list("participant_id", flat=True)
            .distinct()
        )
        return [pk for pk in seen.iterator() if audit.pseudonym(pk) == code]
    return None


def participant_access_log(participant_id: int) -> QuerySet[AuditEvent]:
    """Who, from which agency, looked at or changed this participant's data."""
    return (
        AuditEvent.objects.filter(participant_id=participant_id)
        .exclude(action=AuditEvent.Action.DENIED)
        .select_related("agency")
    )


def home_context(user: User) -> dict:
    return {"participant_count": policy.participants_for(user).count()}
