"""Meetings: generated from milestone planning, re-planned when milestones change, booked,
held. Milestone arithmetic lives in resourcegroups.planning only."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kmv.access import audit, policy
from kmv.access.models import User
from kmv.errors import ConflictError
from kmv.notify import services as notify
from participants.models import Participant
from reports import cache as report_cache
from resourcegroups import booking, planning
from resourcegroups.models import (
    Attendance,
    Meeting,
    MeetingEvent,
    MeetingInvitee,
    Membership,
    RoundDay,
    RoundEntry,
    RoutineStage,
)
from resourcegroups.selectors import routine_in_force


def _event(meeting, kind, by=None, before=None, after=None):
    MeetingEvent.objects.create(
        meeting=meeting, kind=kind, by=by, before=before or {}, after=after or {}
    )


def _members_to_invite(meeting: Meeting):
    """The group's current members whose role the stage invites (or who are responsible)."""
    roles = set(meeting.stage.invited_roles) | {meeting.stage.responsible_role}
    return (
        Membership.objects.active()
        .filter(group__participant=meeting.participant, role__in=roles)
        .select_related("staff")
    )


def meeting_staff_ids(meeting: Meeting) -> set[int]:
    """Staff whose time the meeting holds once booked: its invitees, and the members
    booking it will invite."""
    return set(meeting.invitees.values_list("staff_id", flat=True)) | set(
        _members_to_invite(meeting).values_list("staff_id", flat=True)
    )


def _check_booking(*, user: User, meeting: Meeting, start, end, place, interpreter_booked):
    """The booking rule for a meeting booked by hand. A meeting placed in a round stays
    within the round's days and hours and keeps the round's buffer."""
    entries = list(
        RoundEntry.objects.filter(meeting=meeting, day__isnull=False).select_related("round")
    )
    days = None
    buffer_minutes = 0
    if entries:
        days = [
            (d.date, d.start, d.end)
            for e in entries
            for d in RoundDay.objects.filter(round=e.round)
        ]
        buffer_minutes = max(e.round.buffer_minutes for e in entries)
    booking.check(
        start=start,
        end=end,
        room=booking.room_for_place(place),
        staff_ids=meeting_staff_ids(meeting),
        participant_id=meeting.participant_id,
        interpreter=booking.interpreter_for_name(interpreter_booked),
        exclude_meeting_ids=[meeting.pk],
        buffer_minutes=buffer_minutes,
        days=days,
        user=user,
    )


def invite_members(meeting: Meeting) -> int:
    """Invite the group's current members whose role the stage invites (or who are
    responsible for it). Idempotent: existing invitees are kept."""
    members = _members_to_invite(meeting)
    existing = set(meeting.invitees.values_list("staff_id", flat=True))
    new = [
        MeetingInvitee(meeting=meeting, staff=m.staff, agency_id=m.agency_id, role=m.role)
        for m in members
        if m.staff_id not in existing
    ]
    MeetingInvitee.objects.bulk_create(new)
    if new:
        report_cache.changed()  # bulk_create sends no save signal
    return len(new)


def _wanted(participant: Participant, routine, today: date):
    """(stage, sequence, due date) for every meeting the routine asks for."""
    for stage in routine.stages.all():
        if stage.kind == RoutineStage.Kind.MILESTONE:
            due = planning.stage_due(participant, stage, routine, today=today)
            if due.due_date is not None:
                yield stage, 0, due.due_date
        elif stage.kind == RoutineStage.Kind.HALF_YEARLY:
            for n, d in enumerate(planning.half_yearly_due_dates(participant, stage), 1):
                yield stage, n, d


@transaction.atomic
def meetings_sync(*, participant: Participant, by: User | None = None, today: date | None = None):
    """Bring the participant's planned meetings in line with the milestones.

    Creates missing meetings under the routine in force; moves open meetings nobody has
    scheduled by hand to the new due date; flags hand-scheduled ones for review instead;
    cancels generated meetings that no longer apply. Touches this participant only.
    Returns (created, moved, flagged, cancelled).
    """
    today = today or timezone.localdate()
    created = moved = flagged = cancelled = 0
    if participant.status != Participant.Status.ACTIVE:
        return created, moved, flagged, cancelled
    existing = {
        (m.stage.number, m.sequence): m
        for m in participant.meetings.select_related("stage", "routine").exclude(
            status__in=[Meeting.Status.CANCELLED, Meeting.Status.NO_SHOW]
        )
        if m.stage.kind != RoutineStage.Kind.CONCERN
    }
    routine = routine_in_force(today)
    wanted = {}
    if routine is not None:
        for stage, seq, due in _wanted(participant, routine, today):
            wanted[(stage.number, seq)] = (stage, due)
    # meetings already planned keep their routine version: recompute under it
    for meeting in existing.values():
        if meeting.stage.kind == RoutineStage.Kind.MILESTONE:
            due = planning.stage_due(participant, meeting.stage, meeting.routine, today=today)
            new_due = due.due_date
        else:
            dates = planning.half_yearly_due_dates(participant, meeting.stage)
            new_due = dates[meeting.sequence - 1] if meeting.sequence <= len(dates) else None
        if not meeting.is_open or new_due == meeting.due_date:
            continue
        before = {"due_date": str(meeting.due_date) if meeting.due_date else None}
        if meeting.hand_edited:
            meeting.needs_review = True
            meeting.save(update_fields=["needs_review", "updated_at"])
            _event(meeting, MeetingEvent.Kind.REVIEW, by, before, {"due_date": str(new_due)})
            flagged += 1
            if outside := notify.meeting_outside_window(meeting, new_due):
                notify.queue_out_of_window_note(
                    meeting=meeting, window_start=outside[0], window_end=outside[1]
                )
        elif new_due is None:
            meeting.status = Meeting.Status.CANCELLED
            meeting.save(update_fields=["status", "updated_at"])
            _event(meeting, MeetingEvent.Kind.STATUS, by, before, {"status": "cancelled"})
            cancelled += 1
            notify.queue_meeting_invitations(meeting=meeting, by=by)  # CANCEL if announced
        else:
            meeting.due_date = new_due
            meeting.version = F("version") + 1
            meeting.save(update_fields=["due_date", "version", "updated_at"])
            _event(
                meeting,
                MeetingEvent.Kind.MOVED_BY_MILESTONE,
                by,
                before,
                {"due_date": str(new_due)},
            )
            moved += 1
            if outside := notify.meeting_outside_window(meeting, new_due):
                notify.queue_out_of_window_note(
                    meeting=meeting, window_start=outside[0], window_end=outside[1]
                )
    for key, (stage, due) in wanted.items():
        if key in existing:
            continue
        meeting = Meeting.objects.create(
            participant=participant,
            routine=routine,
            stage=stage,
            sequence=key[1],
            due_date=due,
            interpreter_needed=participant.interpreter_needed and stage.book_interpreter,
            interpreter_language=participant.interpreter_language
            if participant.interpreter_needed and stage.book_interpreter
            else "",
            created_by=by,
        )
        _event(meeting, MeetingEvent.Kind.CREATED, by, after={"due_date": str(due)})
        invite_members(meeting)
        created += 1
    return created, moved, flagged, cancelled


def _may_manage(user: User, meeting: Meeting) -> bool:
    """The responsible role for the stage, in the group, or the owner agency's case workers."""
    if not policy.may(user, meeting.participant):
        return False
    if policy.may(user, meeting.participant, policy.CHANGE):
        return True
    return (
        user.role == meeting.stage.responsible_role
        and Membership.objects.active()
        .filter(group__participant=meeting.participant, staff=user)
        .exists()
    )


def may_manage(user: User, meeting: Meeting) -> bool:
    """Whether the user may book the meeting, record attendance and write the minutes."""
    return _may_manage(user, meeting)


def _check_version(meeting: Meeting, version) -> Meeting:
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if version is not None and current.version != int(version):
        raise ConflictError(
            _("Someone else changed this meeting while you were editing. Check and save again."),
            code="conflict",
        )
    return current


@transaction.atomic
def meeting_schedule(
    *,
    user: User,
    meeting: Meeting,
    start: datetime,
    end: datetime,
    place: str,
    interpreter_booked: str = "",
    version: int | None = None,
    request=None,
) -> Meeting:
    """Set time and place by hand. The meeting is then never moved automatically."""
    if not _may_manage(user, meeting):
        raise PermissionDenied(_("Only the adviser responsible for this meeting can book it."))
    current = _check_version(meeting, version)
    if not current.is_open:
        raise ValidationError(_("Only a planned meeting can be booked or moved."))
    if start and end and end > start:
        _check_booking(
            user=user,
            meeting=current,
            start=start,
            end=end,
            place=place,
            interpreter_booked=interpreter_booked,
        )
    before = {
        "start": current.planned_start.isoformat() if current.planned_start else None,
        "place": current.place,
    }
    current.planned_start, current.planned_end, current.place = start, end, place
    current.interpreter_booked = interpreter_booked
    current.hand_edited = True
    current.needs_review = False
    if current.status == Meeting.Status.PLANNED:
        current.status = Meeting.Status.BOOKED
    current.full_clean()
    current.version = F("version") + 1
    current.save()
    current.refresh_from_db()
    _event(
        current,
        MeetingEvent.Kind.RESCHEDULED,
        user,
        before,
        {"start": start.isoformat(), "place": place},
    )
    invite_members(current)
    audit.record(
        action=audit.Action.UPDATE,
        request=request,
        user=user,
        obj=current,
        participant_id=current.participant_id,
        fields=["planned_start", "planned_end", "place", "interpreter_booked"],
    )
    # outbox rows in this transaction; sent after commit (or by the beat sweep)
    notify.queue_meeting_invitations(meeting=current, by=user)
    return current


ALLOWED_TRANSITIONS = {
    Meeting.Status.PLANNED: {Meeting.Status.BOOKED, Meeting.Status.CANCELLED},
    Meeting.Status.BOOKED: {
        Meeting.Status.INVITED,
        Meeting.Status.HELD,
        Meeting.Status.CANCELLED,
        Meeting.Status.NO_SHOW,
    },
    Meeting.Status.INVITED: {Meeting.Status.HELD, Meeting.Status.CANCELLED, Meeting.Status.NO_SHOW},
    Meeting.Status.HELD: set(),  # minutes approval moves it on
    Meeting.Status.MINUTES_APPROVED: set(),
    Meeting.Status.CANCELLED: set(),
    Meeting.Status.NO_SHOW: set(),
}


# what happened at a meeting can be recorded once it has begun, not before
FROM_START_ONLY = (Meeting.Status.HELD, Meeting.Status.NO_SHOW)


def transitions_now(meeting: Meeting, now: datetime | None = None) -> set[str]:
    """The statuses the meeting may move to at this moment (the page offers only these)."""
    allowed = set()
    for status in ALLOWED_TRANSITIONS.get(meeting.status, set()):
        try:
            check_status_change(meeting, status, now)
        except ValidationError:
            continue
        allowed.add(status)
    return allowed


def check_status_change(meeting: Meeting, status: str, now: datetime | None = None) -> None:
    """Refuse (ValidationError) a status the meeting cannot take now: not a next step, or
    held / not held before the meeting has started. The page asks before confirming."""
    current = meeting
    if status not in ALLOWED_TRANSITIONS[current.status]:
        raise ValidationError(
            _("A meeting that is “%(old)s” cannot become “%(new)s”.")
            % {"old": current.get_status_display(), "new": Meeting.Status(status).label}
        )
    if status in FROM_START_ONLY:
        if current.planned_start is None:
            raise ValidationError(_("Set the time of the meeting before marking it as held."))
        if (now or timezone.now()) < current.planned_start:
            start = timezone.localtime(current.planned_start)
            raise ValidationError(
                _(
                    "The meeting starts %(date)s at %(time)s. It can be marked as “%(new)s” "
                    "only from then on; it can be cancelled at any time."
                )
                % {
                    "date": start.strftime("%d.%m.%Y"),
                    "time": start.strftime("%H:%M"),
                    "new": Meeting.Status(status).label,
                },
                code="not_started",
            )


@transaction.atomic
def meeting_set_status(*, user: User, meeting: Meeting, status: str, request=None) -> Meeting:
    if not _may_manage(user, meeting):
        raise PermissionDenied(_("Only the adviser responsible for this meeting can change it."))
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    check_status_change(current, status)
    before = {"status": current.status}
    current.status = status
    current.version = F("version") + 1
    current.save(update_fields=["status", "version", "updated_at"])
    current.refresh_from_db()
    _event(current, MeetingEvent.Kind.STATUS, user, before, {"status": status})
    audit.record(
        action=audit.Action.UPDATE,
        request=request,
        user=user,
        obj=current,
        participant_id=current.participant_id,
        fields=["status"],
    )
    if status in (Meeting.Status.CANCELLED, Meeting.Status.INVITED):
        notify.queue_meeting_invitations(meeting=current, by=user)
    if status == Meeting.Status.HELD:
        send_feedback_link(current)
    return current


def send_feedback_link(meeting: Meeting) -> bool:
    """The participant's anonymous feedback link for a held meeting, in their language.
    Queued in the caller's transaction through the outbox (one invite and one message per
    meeting), so it goes exactly once and only if the change commits."""
    from network.services import feedback_send_for_meeting

    participant = meeting.participant
    return feedback_send_for_meeting(
        meeting_id=meeting.pk,
        email=participant.email,
        language=participant.preferred_language,
        stage_number=meeting.stage.number,
        held_on=timezone.localtime(meeting.planned_start).date(),
    )


@transaction.atomic
def meeting_create_concern(
    *, user: User, participant: Participant, reason: str, request=None
) -> Meeting:
    """An extra meeting when there is concern about progress."""
    if not policy.may(user, participant):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"concern_reason": _("Say what the concern is.")})
    routine = routine_in_force(timezone.localdate())
    stage = routine.stages.filter(kind=RoutineStage.Kind.CONCERN).first() if routine else None
    if stage is None:
        raise ValidationError(_("The routine in force has no meeting for concerns."))
    sequence = participant.meetings.filter(stage__kind=RoutineStage.Kind.CONCERN).count() + 1
    meeting = Meeting.objects.create(
        participant=participant,
        routine=routine,
        stage=stage,
        sequence=sequence,
        due_date=timezone.localdate(),
        concern_reason=reason.strip(),
        interpreter_needed=participant.interpreter_needed,
        interpreter_language=participant.interpreter_language
        if participant.interpreter_needed
        else "",
        created_by=user,
    )
    _event(meeting, MeetingEvent.Kind.CREATED, user, after={"concern": True})
    invite_members(meeting)
    audit.record(
        action=audit.Action.CREATE,
        request=request,
        user=user,
        obj=meeting,
        participant_id=participant.pk,
        fields=["concern_reason"],
    )
    return meeting


@transaction.atomic
def attendance_record(
    *, user: User, meeting: Meeting, attendance: dict[int, str], request=None
) -> None:
    """attendance: invitee id -> present/absent/excused."""
    if not _may_manage(user, meeting):
        raise PermissionDenied(
            _("Only the adviser responsible for this meeting can record attendance.")
        )
    valid = set(Attendance.values)
    invitees = {i.pk: i for i in meeting.invitees.all()}
    for invitee_id, value in attendance.items():
        if invitee_id not in invitees or value not in valid:
            raise ValidationError(_("Unknown member or attendance value."))
    for invitee_id, value in attendance.items():
        invitee = invitees[invitee_id]
        if invitee.attendance != value:
            invitee.attendance = value
            invitee.save(update_fields=["attendance"])
    audit.record(
        action=audit.Action.UPDATE,
        request=request,
        user=user,
        obj=meeting,
        participant_id=meeting.participant_id,
        fields=["attendance"],
    )
