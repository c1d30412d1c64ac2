from django.db.models import QuerySet

from . import policy
from .models import AuditEvent, User


def audit_events(filters: dict) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.select_related("actor", "agency")
    if filters.get("participant_id"):
        qs = qs.filter(participant_id=filters["participant_id"])
    if filters.get("username"):
        qs = qs.filter(actor_label__iexact=filters["username"])
    if filters.get("agency"):
        qs = qs.filter(agency=filters["agency"])
    if filters.get("action"):
        qs = qs.filter(action=filters["action"])
    if filters.get("date_from"):
        qs = qs.filter(at__date__gte=filters["date_from"])
    if filters.get("date_to"):
        qs = qs.filter(at__date__lte=filters["date_to"])
    return qs


def participant_access_log(participant_id: int) -> QuerySet[AuditEvent]:
    """Who, from which agency, looked at or changed this participant's data."""
    return (
        AuditEvent.objects.filter(participant_id=participant_id)
        .exclude(action=AuditEvent.Action.DENIED)
        .select_related("agency")
    )


def home_context(user: User) -> dict:
    return {"participant_count": policy.participants_for(user).count()}
