"""Reads of participant data. Scoping always goes through kmv.access.policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from kmv.access import policy
from kmv.access.models import AuditEvent, User

from .models import Consent, Participant

MILESTONE_FIELDS = [
    "settlement_date",
    "intro_programme_start",
    "adult_education_end",
    "upper_secondary_start",
    "upper_secondary_end",
]


# Meetings still to be held (resourcegroups.Meeting.OPEN_STATUSES; named here to keep the
# dependency one-way: resourcegroups imports participants, not the reverse).
OPEN_MEETING_STATUSES = ("planned", "booked", "invited")

NEXT_DUE_CHOICES = {
    "passed": (None, 0),  # due date already passed
    "30": (0, 30),
    "90": (0, 90),
}


def participant_list(
    *, user: User, filters: dict | None = None, today: date | None = None
) -> QuerySet[Participant]:
    """Scoped, searchable list, each row annotated with its next due meeting date."""
    filters = filters or {}
    today = today or timezone.localdate()
    window = NEXT_DUE_CHOICES.get(filters.get("next_due") or "")
    if window is None:
        # a correlated subquery: sorted by name with a LIMIT, PostgreSQL computes it for the
        # rows of the page only (4× faster than the GROUP BY at 2,500 rows)
        next_due = Subquery(
            Participant._meta.get_field("meetings")
            .related_model.objects.filter(
                participant=OuterRef("pk"), status__in=OPEN_MEETING_STATUSES
            )
            .order_by()
            .values("participant")
            .annotate(first=Min("due_date"))
            .values("first")
        )
    else:
        # filtered on it, every row needs it: one GROUP BY over the meeting join is cheaper
        next_due = Min("meetings__due_date", filter=Q(meetings__status__in=OPEN_MEETING_STATUSES))
    qs = (
        policy.participants_for(user)
        .select_related("municipality", "owner_agency")
        .annotate(next_due=next_due)
        .order_by("last_name", "first_name", "id")
    )
    q = (filters.get("q") or "").strip()
    if q:
        digits = q.replace(" ", "")
        cond = Q()
        for term in q.split():
            cond &= Q(first_name__icontains=term) | Q(last_name__icontains=term)
        if digits.isdigit():
            cond |= policy.national_id_match(user, digits)
        qs = qs.filter(cond)
    if filters.get("municipality"):
        qs = qs.filter(municipality=filters["municipality"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("pathway"):
        qs = qs.filter(pathway=filters["pathway"])
    if window is not None:
        start, end = window
        if start is not None:
            qs = qs.filter(next_due__gte=today + timedelta(days=start))
        qs = qs.filter(next_due__lt=today + timedelta(days=end))
        qs = qs.order_by("next_due", "last_name", "first_name", "id")
    return qs


def consents_visible(*, user: User, participant: Participant) -> QuerySet[Consent]:
    """The owner agency sees every consent; another agency only those given to it."""
    qs = participant.consents.select_related("agency", "recorded_by")
    if user.agency_id != participant.owner_agency_id:
        qs = qs.filter(agency_id=user.agency_id)
    return qs


@dataclass(frozen=True)
class TimelineEntry:
    on: date
    kind: str
    title: str
    detail: str = ""
    future: bool = False


def participant_timeline(
    *, participant: Participant, user: User, today: date
) -> list[TimelineEntry]:
    """Milestones, consents, group memberships and milestone changes, newest last."""
    entries: list[TimelineEntry] = []
    labels = {name: Participant._meta.get_field(name).verbose_name for name in MILESTONE_FIELDS}
    for name in MILESTONE_FIELDS:
        value = getattr(participant, name)
        if value:
            entries.append(
                TimelineEntry(
                    on=value,
                    kind="milestone",
                    title=str(labels[name]).capitalize(),
                    future=value > today,
                )
            )
    for consent in consents_visible(user=user, participant=participant):
        entries.append(
            TimelineEntry(
                on=consent.given_on,
                kind="consent",
                title=_("Consent given: %(category)s to %(agency)s")
                % {"category": consent.get_category_display(), "agency": consent.agency},
            )
        )
        if consent.withdrawn_on:
            entries.append(
                TimelineEntry(
                    on=consent.withdrawn_on,
                    kind="consent",
                    title=_("Consent withdrawn: %(category)s to %(agency)s")
                    % {"category": consent.get_category_display(), "agency": consent.agency},
                )
            )
    group = getattr(participant, "resource_group", None)
    if group is not None:
        for m in group.memberships.select_related("staff", "agency"):
            entries.append(
                TimelineEntry(
                    on=m.start_date,
                    kind="group",
                    title=_("%(name)s (%(agency)s) joined the resource group")
                    % {"name": m.staff, "agency": m.agency},
                )
            )
            if m.end_date:
                entries.append(
                    TimelineEntry(
                        on=m.end_date,
                        kind="group",
                        title=_("%(name)s left the resource group") % {"name": m.staff},
                        detail=m.end_reason,
                    )
                )
    changes = AuditEvent.objects.filter(
        participant_id=participant.pk,
        object_type="participant",
        action=AuditEvent.Action.UPDATE,
    ).order_by("at")
    for event in changes:
        changed = [f for f in event.fields if f in MILESTONE_FIELDS]
        if changed:
            entries.append(
                TimelineEntry(
                    on=timezone.localtime(event.at).date(),
                    kind="change",
                    title=_("Milestone dates changed"),
                    detail=", ".join(str(labels[f]) for f in changed),
                )
            )
    # Meetings moved or flagged by a milestone change (reverse relations: no import of the
    # resourcegroups app, which depends on this one).
    moves = (
        participant.meetings.filter(events__kind__in=["moved", "review"])
        .select_related("stage")
        .values_list("stage__name", "events__kind", "events__at", "events__after")
    )
    for stage_name, kind, at, after in moves:
        due = after.get("due_date") if isinstance(after, dict) else None
        title = (
            _("%(meeting)s moved to a new due date") % {"meeting": stage_name}
            if kind == "moved"
            else _("%(meeting)s was booked by hand: check the date after the milestone change")
            % {"meeting": stage_name}
        )
        entries.append(
            TimelineEntry(
                on=timezone.localtime(at).date(),
                kind="change",
                title=title,
                detail=_("new due date %(date)s") % {"date": _format_iso(due)} if due else "",
            )
        )
    return sorted(entries, key=lambda e: (e.on, e.kind))


def _format_iso(value: str) -> str:
    try:
        return date.fromisoformat(value).strftime("%d.%m.%Y")
    except (TypeError, ValueError):
        return value or ""


# --- "Is this number already registered?" -------------------------------------------------

# The model's own message for a taken number: it names no participant and no agency.
DUPLICATE_NATIONAL_ID = Participant._meta.get_field("national_id").error_messages["unique"]


def national_id_registered(
    national_id: str | None, *, user: User, request=None, exclude_pk=None
) -> bool:
    """The one duplicate lookup (registration page, API, import). It answers yes or no and
    nothing else — the same for a participant of the user's own agency as for another's, never
    which participant or agency — and a yes is audited against the participant found, so its
    access log shows who asked."""
    if not national_id:
        return False
    from kmv.access import audit

    found = (
        Participant.objects.filter(national_id=national_id)
        .exclude(pk=exclude_pk)
        .values_list("pk", flat=True)
        .first()
    )
    if found is None:
        return False
    audit.record(
        action=audit.Action.DENIED,
        request=request,
        user=user,
        object_type="participant",
        object_id=found,
        participant_id=found,
        fields=["national_id"],
    )
    return True


def outcomes_visible(user: User, participant: Participant, records=None) -> list:
    """Outcome records the user may read (pages, API): their data category
    (`facts.OUTCOME_CATEGORY`) shared with the user's agency, or reported by it."""
    from .facts import OUTCOME_CATEGORY

    if records is None:
        records = participant.outcomes.select_related("reported_by_agency")
    categories = policy.visible_categories(user, participant)
    return [
        record
        for record in records
        if policy.may_read_datum(
            categories,
            OUTCOME_CATEGORY,
            agency_id=record.reported_by_agency_id,
            own_agency_id=user.agency_id,
        )
    ]
