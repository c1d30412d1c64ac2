"""Reads for resource groups and meetings. Participant scoping goes through kmv.access.policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet

from kmv.access import policy
from kmv.access.models import User

from . import planning
from .models import ChecklistAnswer, Meeting, MeetingInvitee, Membership, Routine, RoutineStage


def routine_in_force(on: date) -> Routine | None:
    """The active routine version whose effective date is the latest on or before `on`."""
    return (
        Routine.objects.filter(status=Routine.Status.ACTIVE, effective_from__lte=on)
        .order_by("-effective_from", "-version")
        .first()
    )


def meetings_for(user: User) -> QuerySet[Meeting]:
    """Meetings of participants the user may see."""
    return Meeting.objects.filter(participant__in=policy.participants_for(user).values("pk"))


@dataclass
class PlanRow:
    stage: RoutineStage
    due: planning.Due | None
    meeting: Meeting | None
    timing: planning.Timing | None


def participant_plan(participant, *, today: date) -> list[PlanRow]:
    """Every stage of the routine in force (and of older versions still holding meetings),
    with its due date, window, state and meeting."""
    meetings = list(
        participant.meetings.select_related("stage", "routine")
        .exclude(status__in=[Meeting.Status.CANCELLED])
        .order_by("stage__number", "sequence")
    )
    routine = routine_in_force(today)
    rows: list[PlanRow] = []
    seen = set()
    for meeting in meetings:
        due = None
        if meeting.stage.kind == RoutineStage.Kind.MILESTONE:
            due = planning.stage_due(participant, meeting.stage, meeting.routine, today=today)
        rows.append(PlanRow(meeting.stage, due, meeting, meeting_timing(meeting)))
        seen.add(meeting.stage.number)
    if routine is not None:
        for stage in routine.stages.filter(kind=RoutineStage.Kind.MILESTONE):
            if stage.number not in seen:
                due = planning.stage_due(participant, stage, routine, today=today)
                rows.append(PlanRow(stage, due, None, None))
    return sorted(
        rows,
        key=lambda r: (r.stage.number, r.meeting.sequence if r.meeting else 0),
    )


def meeting_timing(meeting: Meeting) -> planning.Timing | None:
    if not meeting.is_done or not meeting.due_date or not meeting.planned_start:
        return None
    from django.utils import timezone

    held_on = timezone.localtime(meeting.planned_start).date()
    return planning.timing(meeting.routine, meeting.due_date, held_on)


def my_meetings(user: User) -> QuerySet[Meeting]:
    """Meetings the user is invited to, or responsible for as a member of the group.

    The two ways in are a UNION of meeting ids, so each uses its own index (an OR across the
    invitee join made PostgreSQL scan every invitation: 2.5–3× slower at 75,000 meetings)."""
    member_of = Membership.objects.active().filter(staff=user).values("group__participant")
    mine = (
        MeetingInvitee.objects.filter(staff=user)
        .values("meeting_id")
        .union(
            Meeting.objects.filter(
                participant__in=member_of, stage__responsible_role=user.role
            ).values("id")
        )
    )
    return (
        meetings_for(user)
        .filter(pk__in=mine)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("participant", "stage", "participant__municipality")
        .annotate(
            answered=Count("answers", filter=~Q(answers__value={}), distinct=True),
            item_count=Count("stage__items", distinct=True),
        )
        .order_by("planned_start", "due_date", "id")
    )


def due_meetings(user: User, *, today: date, horizon_days: int = 42) -> QuerySet[Meeting]:
    """Open meetings the user is responsible for whose window is open or closed ("due soon /
    overdue"). The window arithmetic stays in planning; this is a coarse DB filter on the due
    date, refined per row by `planning.stage_due` in the view."""
    from datetime import timedelta

    member_of = Membership.objects.active().filter(staff=user).values("group__participant")
    return (
        meetings_for(user)
        .filter(
            participant__in=member_of,
            stage__responsible_role=user.role,
            status__in=Meeting.OPEN_STATUSES,
            due_date__lte=today + timedelta(days=horizon_days),
        )
        .select_related("participant", "stage", "routine")
        .order_by("due_date")
    )


def meeting_detail(meeting_id: int, user: User) -> Meeting:
    return (
        meetings_for(user)
        .select_related("participant", "stage", "routine", "participant__municipality")
        .prefetch_related(
            Prefetch("invitees", queryset=MeetingInvitee.objects.select_related("staff", "agency")),
            Prefetch("answers", queryset=ChecklistAnswer.objects.select_related("answered_by")),
            "stage__items",
        )
        .get(pk=meeting_id)
    )
