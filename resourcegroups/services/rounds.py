"""Rounds: create, propose participants, schedule (solver or by hand), lock, publish.

Every placement — from the solver or a manual move or swap — goes through `_place`, which
writes the meeting's time and the `RoundBooking` rows in one transaction; the unique
constraint on bookings makes a concurrent double booking fail in the database. Every
placement, and first every manual move or swap, obeys the booking rule
(`resourcegroups.booking`, the same one the single-meeting form uses); manual moves are then
checked by `scheduler.validate`, the rules the solver applies. A round's days are ordered
weekdays unless the adviser confirms a weekend (`check_days`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from time import monotonic

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kmv.access import audit, policy
from kmv.access.models import Agency, Role, User
from kmv.errors import ConflictError
from kmv.notify import services as notify
from participants.models import Language
from reports import cache as report_cache
from resourcegroups import booking, planning, scheduler
from resourcegroups.models import (
    Interpreter,
    Meeting,
    MeetingEvent,
    Membership,
    Room,
    Round,
    RoundBooking,
    RoundDay,
    RoundEntry,
    RoutineStage,
    Unavailability,
)
from resourcegroups.models.rounds import CELL_MINUTES, InterpreterWindow, StaffBlock

from .meetings import invite_members

PLANNER_ROLES = (Role.PROGRAMME_ADVISER, Role.FOLLOW_UP_ADVISER)


class AlreadyBooked(ValidationError):
    """The database refused a booking: someone else booked the person, room or
    interpreter at that time first."""


# --- access ---------------------------------------------------------------------------


def may_plan(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role in PLANNER_ROLES
        and user.agency_id
    )


def rounds_for(user):
    """Rounds of the user's own agency, for programme and follow-up advisers."""
    if not may_plan(user):
        return Round.objects.none()
    return Round.objects.filter(agency_id=user.agency_id)


def may_manage_resources(user) -> bool:
    """Rooms and the interpreter register: the round planners, and system administrators."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    return may_plan(user) or user.role == Role.SYSTEM_ADMIN or user.is_superuser


def _is_sysadmin(user) -> bool:
    return user.role == Role.SYSTEM_ADMIN or user.is_superuser


def rooms_for(user):
    """Rooms the user manages: a planner their own agency's, a system administrator all."""
    if not may_manage_resources(user):
        return Room.objects.none()
    if _is_sysadmin(user):
        return Room.objects.all()
    return Room.objects.filter(agency_id=user.agency_id)


def interpreters_for(user):
    """The interpreter register (shared by every agency: interpreters serve them all)."""
    if not may_manage_resources(user):
        return Interpreter.objects.none()
    return Interpreter.objects.all()


def interpreters_with_windows_for(user):
    """Interpreters whose available times the user may enter: resource managers any, an
    interpreter themself, an interpreter service's staff its own roster."""
    if may_manage_resources(user):
        return Interpreter.objects.all()
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return Interpreter.objects.none()
    if user.role == Role.INTERPRETER:
        own = Interpreter.objects.filter(user=user)
        if user.agency_id and user.agency.kind == Agency.Kind.INTERPRETER_SERVICE:
            own = own | Interpreter.objects.filter(agency_id=user.agency_id)
        return own.distinct()
    return Interpreter.objects.none()


def _require(user, rnd: Round) -> None:
    if not rounds_for(user).filter(pk=rnd.pk).exists():
        raise PermissionDenied(_("Only advisers of the round's agency can change it."))


def _require_draft(rnd: Round) -> None:
    if rnd.status != Round.Status.DRAFT:
        raise ValidationError(_("Only a draft round can be changed."))


# --- creating ---------------------------------------------------------------------------


def check_days(days: list[tuple[date, time, time]], *, confirm_weekend: bool = False) -> None:
    """A round's days, in the order given: at least one, each later than the one before,
    and on a weekday unless the adviser has confirmed a Saturday or Sunday."""
    if not days:
        raise ValidationError({"days": _("A round needs at least one day.")})
    for (earlier, _s, _e), (later, _s2, _e2) in zip(days, days[1:], strict=False):
        if later <= earlier:
            raise ValidationError(
                {"days": _("Each day of the round must come after the one before.")}
            )
    weekend = [d for d, _s, _e in days if d.weekday() >= 5]
    if weekend and not confirm_weekend:
        raise ValidationError(
            {
                "days": _(
                    "%(dates)s is a Saturday or Sunday. Confirm that the round is to be held "
                    "on a weekend, or choose a weekday."
                )
                % {"dates": ", ".join(d.strftime("%d.%m.%Y") for d in weekend)}
            },
            code="weekend",
        )


@transaction.atomic
def round_create(
    *,
    user: User,
    title: str,
    days: list[tuple[date, time, time]],
    stages: list[RoutineStage],
    rooms: list[Room] = (),
    interpreters: list[Interpreter] = (),
    slot_minutes: int = 60,
    buffer_minutes: int = 15,
    time_limit_seconds: int = 30,
    confirm_weekend: bool = False,
    request=None,
) -> Round:
    if not may_plan(user):
        raise PermissionDenied(_("Only programme and follow-up advisers plan rounds."))
    check_days(days, confirm_weekend=confirm_weekend)
    rnd = Round(
        title=title,
        owner=user,
        agency_id=user.agency_id,
        slot_minutes=slot_minutes,
        buffer_minutes=buffer_minutes,
        time_limit_seconds=time_limit_seconds,
    )
    rnd.full_clean()
    rnd.save()
    for d, start, end in sorted(days):
        day = RoundDay(round=rnd, date=d, start=start, end=end)
        day.full_clean()
        day.save()
    rnd.stages.set(stages)
    # only what is in use now (the database decides, not the caller's possibly stale copy)
    rnd.rooms.set(
        Room.objects.filter(pk__in=[r.pk for r in rooms], agency_id=user.agency_id, active=True)
    )
    rnd.interpreters.set(
        Interpreter.objects.filter(pk__in=[i.pk for i in interpreters], active=True)
    )
    audit.record(action=audit.Action.CREATE, request=request, user=user, obj=rnd)
    return rnd


# --- proposal -----------------------------------------------------------------------------


@dataclass
class Proposal:
    meeting: Meeting
    due: planning.Due
    overdue: bool
    reasons: list[str]


def proposal(*, user: User, rnd: Round, until: date | None = None) -> list[Proposal]:
    """Open, unbooked meetings of the round's stages, of participants the user may manage,
    not in another live round, whose due window is open (or has closed: overdue) on the
    round's first day or whose due date falls before `until`."""
    first_day = rnd.days.order_by("date").values_list("date", flat=True).first()
    if first_day is None:
        return []
    until = until or first_day + timedelta(days=42)
    taken = RoundEntry.objects.filter(
        round__status__in=[Round.Status.DRAFT, Round.Status.PUBLISHED]
    ).values("meeting")
    meetings = (
        Meeting.objects.filter(
            participant__in=policy.participants_for(user, policy.CHANGE).values("pk"),
            stage__in=rnd.stages.all(),
            status=Meeting.Status.PLANNED,
            planned_start__isnull=True,
        )
        .exclude(pk__in=taken)
        .select_related("participant", "stage", "routine")
        .order_by("due_date", "pk")
    )
    rows = []
    for meeting in meetings:
        due = planning.stage_due(
            meeting.participant, meeting.stage, meeting.routine, today=first_day
        )
        due_date = meeting.due_date or due.due_date
        overdue = due.state == planning.DueState.OVERDUE
        if due.state not in (planning.DueState.DUE, planning.DueState.OVERDUE) and not (
            due_date and due_date <= until
        ):
            continue
        reasons = [str(meeting.stage)]
        if due_date:
            reasons.append(_("due %(date)s") % {"date": due_date.strftime("%d.%m.%Y")})
        if overdue:
            reasons.append(_("overdue"))
        rows.append(Proposal(meeting, due, overdue, reasons))
    return rows


@transaction.atomic
def entries_add(*, user: User, rnd: Round, meetings: list[Meeting], request=None) -> int:
    _require(user, rnd)
    _require_draft(rnd)
    allowed = set(
        Meeting.objects.filter(
            pk__in=[m.pk for m in meetings],
            participant__in=policy.participants_for(user, policy.CHANGE).values("pk"),
            stage__in=rnd.stages.all(),
        ).values_list("pk", flat=True)
    )
    existing = set(
        RoundEntry.objects.filter(
            round__status__in=[Round.Status.DRAFT, Round.Status.PUBLISHED]
        ).values_list("meeting_id", flat=True)
    )
    new = [RoundEntry(round=rnd, meeting_id=pk) for pk in sorted(allowed - existing)]
    RoundEntry.objects.bulk_create(new)
    audit.record(
        action=audit.Action.UPDATE, request=request, user=user, obj=rnd, fields=["entries"]
    )
    return len(new)


@transaction.atomic
def entry_remove(*, user: User, entry: RoundEntry) -> None:
    _require(user, entry.round)
    _require_draft(entry.round)
    _unplace(entry)
    entry.delete()


@transaction.atomic
def unavailability_add(
    *,
    user: User,
    rnd: Round,
    day: RoundDay,
    start: time,
    end: time,
    staff: User | None = None,
    interpreter: Interpreter | None = None,
    participant=None,
    note: str = "",
) -> Unavailability:
    """Staff mark their own blocks; the round's advisers mark anyone's."""
    own = staff is not None and staff.pk == user.pk
    if not own:
        _require(user, rnd)
    if day.round_id != rnd.pk:
        raise ValidationError(_("That day is not part of this round."))
    block = Unavailability(
        round=rnd,
        day=day,
        staff=staff,
        interpreter=interpreter,
        participant=participant,
        start=start,
        end=end,
        note=note,
        created_by=user,
    )
    block.full_clean()
    block.save()
    return block


# --- rooms and interpreters ---------------------------------------------------------------


def _require_resources(user) -> None:
    if not may_manage_resources(user):
        raise PermissionDenied(_("Only programme advisers and administrators manage rooms."))


def _check_version(obj, version) -> None:
    if version is not None and obj.version != int(version):
        raise ConflictError(
            _(
                "Someone else saved this while you were editing. Your changes are kept in "
                "the form below: compare with the saved values and save again."
            ),
            code="conflict",
        )


@transaction.atomic
def room_create(
    *,
    user: User,
    name: str,
    location: str = "",
    capacity: int = 8,
    accessible: bool = True,
    agency: Agency | None = None,
    request=None,
) -> Room:
    """A planner adds a room to their own agency; a system administrator to any."""
    _require_resources(user)
    if not _is_sysadmin(user) or agency is None:
        agency = user.agency
    if agency is None:
        raise ValidationError({"agency": _("Choose the agency the room belongs to.")})
    room = Room(
        agency=agency, name=name, location=location, capacity=capacity, accessible=accessible
    )
    room.full_clean()
    room.save()
    audit.record(action=audit.Action.CREATE, request=request, user=user, obj=room)
    return room


ROOM_FIELDS = ("name", "location", "capacity", "accessible", "active")


@transaction.atomic
def room_update(*, user: User, room: Room, version: int | None = None, request=None, **data):
    """Edit or (active=False) deactivate a room. Optimistic locking by `version`."""
    room = rooms_for(user).select_for_update().filter(pk=room.pk).first()
    if room is None:
        raise PermissionDenied(_("Only programme advisers and administrators manage rooms."))
    _check_version(room, version)
    changed = [f for f in ROOM_FIELDS if f in data and getattr(room, f) != data[f]]
    for f in changed:
        setattr(room, f, data[f])
    if changed:
        room.full_clean()
        room.version += 1
        room.save(update_fields=[*changed, "version"])
        audit.record(
            action=audit.Action.UPDATE, request=request, user=user, obj=room, fields=changed
        )
    return room


INTERPRETER_FIELDS = ("name", "agency", "languages", "email", "phone", "authorised", "active")


def _interpreter_agency(agency):
    if agency is not None and agency.kind != Agency.Kind.INTERPRETER_SERVICE:
        raise ValidationError({"agency": _("Choose an interpreter service.")})
    return agency


@transaction.atomic
def interpreter_create(
    *,
    user: User,
    name: str,
    languages: list[str],
    agency: Agency | None = None,
    email: str = "",
    phone: str = "",
    authorised: bool = True,
    request=None,
) -> Interpreter:
    """An external interpreter (no agency) or one on an interpreter service's roster."""
    _require_resources(user)
    interpreter = Interpreter(
        name=name,
        agency=_interpreter_agency(agency),
        languages=sorted(set(languages)),
        email=email,
        phone=phone,
        authorised=authorised,
    )
    interpreter.full_clean()
    interpreter.save()
    audit.record(action=audit.Action.CREATE, request=request, user=user, obj=interpreter)
    return interpreter


@transaction.atomic
def interpreter_update(
    *, user: User, interpreter: Interpreter, version: int | None = None, request=None, **data
) -> Interpreter:
    _require_resources(user)
    interpreter = Interpreter.objects.select_for_update().get(pk=interpreter.pk)
    _check_version(interpreter, version)
    if "agency" in data:
        _interpreter_agency(data["agency"])
    if "languages" in data:
        data["languages"] = sorted(set(data["languages"]))
    changed = [f for f in INTERPRETER_FIELDS if f in data and getattr(interpreter, f) != data[f]]
    for f in changed:
        setattr(interpreter, f, data[f])
    if changed:
        interpreter.full_clean()
        interpreter.version += 1
        interpreter.save(update_fields=[*changed, "version"])
        audit.record(
            action=audit.Action.UPDATE, request=request, user=user, obj=interpreter, fields=changed
        )
    return interpreter


# --- availability outside rounds -----------------------------------------------------------


def staff_blocks_for(user):
    """The user's own unavailable times, from today on (older ones no longer matter)."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return StaffBlock.objects.none()
    return StaffBlock.objects.filter(staff=user, date__gte=timezone.localdate())


@transaction.atomic
def staff_block_add(
    *, user: User, on: date, start: time, end: time, note: str = "", request=None
) -> StaffBlock:
    """A staff member marks a time they cannot attend; every round on that date keeps
    their meetings out of it. Only for oneself."""
    if on < timezone.localdate():
        raise ValidationError({"date": _("Choose today or a later date.")})
    block = StaffBlock(staff=user, date=on, start=start, end=end, note=note)
    block.full_clean()
    block.save()
    return block


@transaction.atomic
def staff_block_delete(*, user: User, block_id: int) -> bool:
    """Delete one of one's own blocks; False when there is no such block of the user's."""
    deleted, _rows = StaffBlock.objects.filter(pk=block_id, staff=user).delete()
    return bool(deleted)


def interpreter_windows_for(user, interpreter: Interpreter | None = None):
    qs = InterpreterWindow.objects.filter(
        interpreter__in=interpreters_with_windows_for(user).values("pk"),
        date__gte=timezone.localdate(),
    )
    if interpreter is not None:
        qs = qs.filter(interpreter=interpreter)
    return qs.select_related("interpreter")


@transaction.atomic
def interpreter_window_add(
    *, user: User, interpreter: Interpreter, on: date, start: time, end: time, request=None
) -> InterpreterWindow:
    """An interpreter (or their service, or a planner) states a time they ARE available."""
    if not interpreters_with_windows_for(user).filter(pk=interpreter.pk).exists():
        raise PermissionDenied(_("You may not enter available times for this interpreter."))
    if on < timezone.localdate():
        raise ValidationError({"date": _("Choose today or a later date.")})
    window = InterpreterWindow(
        interpreter=interpreter, date=on, start=start, end=end, created_by=user
    )
    window.full_clean()
    window.save()
    return window


@transaction.atomic
def interpreter_window_delete(*, user: User, window_id: int) -> bool:
    deleted, _rows = InterpreterWindow.objects.filter(
        pk=window_id, interpreter__in=interpreters_with_windows_for(user).values("pk")
    ).delete()
    return bool(deleted)


@dataclass
class InterpreterBooking:
    """What an interpreter needs to turn up, and nothing else: no participant, no case."""

    id: int
    date: date
    start: datetime
    end: datetime
    place: str
    language: str
    language_label: str


def interpreter_bookings(user: User) -> list[InterpreterBooking]:
    """The bookings of the user's own interpreter profile in published rounds, from today."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return []
    if user.role != Role.INTERPRETER:
        return []
    labels = dict(Language.choices)
    rows = (
        RoundEntry.objects.filter(
            interpreter__user=user,
            round__status__in=[Round.Status.PUBLISHED, Round.Status.DONE],
            day__date__gte=timezone.localdate(),
            meeting__planned_start__isnull=False,
        )
        .exclude(meeting__status=Meeting.Status.CANCELLED)
        .order_by("day__date", "meeting__planned_start", "pk")
        .values(
            "pk",
            "day__date",
            "meeting__planned_start",
            "meeting__planned_end",
            "room__name",
            "room__location",
            "meeting__interpreter_language",
        )
    )
    return [
        InterpreterBooking(
            id=r["pk"],
            date=r["day__date"],
            start=r["meeting__planned_start"],
            end=r["meeting__planned_end"],
            place=", ".join(x for x in (r["room__name"], r["room__location"]) if x),
            language=r["meeting__interpreter_language"],
            language_label=str(labels.get(r["meeting__interpreter_language"], "")),
        )
        for r in rows
    ]


# --- from the database to the scheduler ---------------------------------------------------


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


@dataclass
class Loaded:
    instance: scheduler.Instance
    entries: dict[int, RoundEntry]  # keyed like MeetingIn.key (entry pk)
    days: dict[int, RoundDay]


def load_instance(rnd: Round, *, include_locks: bool = True) -> Loaded:
    """The round as a scheduler instance. Other rounds' bookings of the same people, rooms
    and interpreters on the same dates become unavailable blocks."""
    days = {d.pk: d for d in rnd.days.all()}
    entries = {
        e.pk: e for e in rnd.entries.select_related("meeting__participant", "meeting__stage", "day")
    }
    rooms = [
        scheduler.Room(r.pk, r.name, r.capacity, r.accessible) for r in rnd.rooms.order_by("pk")
    ]
    interpreters = [
        scheduler.Interpreter(i.pk, i.name, frozenset(i.languages or []))
        for i in rnd.interpreters.order_by("pk")
    ]
    labels = dict(Language.choices)
    participant_ids = {e.meeting.participant_id for e in entries.values()}
    members = (
        Membership.objects.active(min((d.date for d in days.values()), default=None))
        .filter(group__participant__in=participant_ids)
        .select_related("staff", "group")
        .order_by("pk")
    )
    by_participant: dict[int, list[Membership]] = {}
    for m in members:
        by_participant.setdefault(m.group.participant_id, []).append(m)
    staff: dict[int, scheduler.Staff] = {}
    meetings = []
    for key, e in sorted(entries.items()):
        stage = e.meeting.stage
        required = list(dict.fromkeys([stage.responsible_role, *(stage.invited_roles or [])]))
        group = by_participant.get(e.meeting.participant_id, [])
        staff_keys, missing = [], []
        for role in required:
            holders = [m for m in group if m.role == role]
            if not holders:
                missing.append(role)
            for m in holders:
                staff_keys.append(m.staff_id)
                staff[m.staff_id] = scheduler.Staff(
                    m.staff_id, m.staff.get_full_name() or m.staff.username, role
                )
        lang = e.meeting.interpreter_language if e.meeting.interpreter_needed else ""
        locked = None
        if include_locks and e.locked and e.day_id:
            locked = scheduler.Placement(e.day_id, e.slot, e.room_id, e.interpreter_id)
        meetings.append(
            scheduler.MeetingIn(
                key=key,
                participant=e.meeting.participant_id,
                label=str(e.meeting.participant),
                staff=tuple(sorted(set(staff_keys))),
                missing_roles=tuple(missing),
                language=lang,
                language_label=str(labels.get(lang, lang)),
                needs_accessible=e.needs_accessible,
                preferred=e.preference,
                locked=locked,
            )
        )
    blocks = []
    for u in Unavailability.objects.filter(round=rnd).order_by("pk"):
        if u.staff_id:
            kind, key = "staff", u.staff_id
        elif u.interpreter_id:
            kind, key = "interpreter", u.interpreter_id
        else:
            kind, key = "participant", u.participant_id
        blocks.append(scheduler.Block(kind, key, u.day_id, _minutes(u.start), _minutes(u.end)))
    blocks += _availability_blocks(days, set(staff), [i.key for i in interpreters])
    # bookings held by other rounds on these dates
    tz = timezone.get_current_timezone()
    by_date = {d.date: d for d in days.values()}
    resources = (
        [f"staff:{k}" for k in staff]
        + [f"participant:{k}" for k in participant_ids]
        + [f"room:{r.key}" for r in rooms]
        + [f"interpreter:{i.key}" for i in interpreters]
    )
    if by_date:
        others = (
            RoundBooking.objects.filter(resource__in=resources)
            .exclude(entry__round=rnd)
            .values_list("resource", "cell")
            .order_by("resource", "cell")
        )
        for resource, cell in others:
            local = timezone.localtime(cell, tz)
            day = by_date.get(local.date())
            if day is None:
                continue
            kind, key = resource.split(":")
            start = local.hour * 60 + local.minute
            blocks.append(scheduler.Block(kind, int(key), day.pk, start, start + CELL_MINUTES))
        # meetings booked outside any round (the booking rule's view), plus the buffer
        for kind, key, b_start, b_end in booking.busy(
            dates=list(by_date),
            staff_ids=staff,
            participant_ids=participant_ids,
            rooms=list(rnd.rooms.all()),
            interpreters=list(rnd.interpreters.all()),
            exclude_meeting_ids=[e.meeting_id for e in entries.values()],
        ):
            s_local, e_local = timezone.localtime(b_start, tz), timezone.localtime(b_end, tz)
            day = by_date.get(s_local.date())
            if day is None:
                continue
            lo = s_local.hour * 60 + s_local.minute - rnd.buffer_minutes
            hi = (
                e_local.hour * 60 + e_local.minute if e_local.date() == s_local.date() else 24 * 60
            ) + rnd.buffer_minutes
            blocks.append(scheduler.Block(kind, key, day.pk, lo, hi))
    inst = scheduler.Instance(
        days=[
            scheduler.Day(d.pk, d.date.strftime("%d.%m.%Y"), _minutes(d.start), _minutes(d.end))
            for d in days.values()
        ],
        slot_minutes=rnd.slot_minutes,
        buffer_minutes=rnd.buffer_minutes,
        rooms=rooms,
        staff=list(staff.values()),
        interpreters=interpreters,
        meetings=meetings,
        blocks=blocks,
    )
    return Loaded(inst, entries, days)


def _availability_blocks(
    days: dict[int, RoundDay], staff_ids: set[int], interpreter_ids: list[int]
) -> list[scheduler.Block]:
    """Blocks from "my availability" (StaffBlock, of staff and of interpreters with a login)
    on the round's dates, and the complement
    of interpreters' available windows: an interpreter with any window on one of the
    round's dates is unavailable outside their windows on every round day (a day with no
    window is blocked whole); without any window on those dates nothing is added."""
    by_date: dict[date, list[RoundDay]] = {}
    for d in days.values():
        by_date.setdefault(d.date, []).append(d)
    if not by_date:
        return []
    blocks = []
    # an interpreter with a login marks busy times on "my availability" like staff do
    as_interpreter = dict(
        Interpreter.objects.filter(pk__in=interpreter_ids, user__isnull=False).values_list(
            "user_id", "pk"
        )
    )
    for b in StaffBlock.objects.filter(
        staff__in=set(staff_ids) | set(as_interpreter), date__in=list(by_date)
    ).order_by("pk"):
        for d in by_date[b.date]:
            start, end = _minutes(b.start), _minutes(b.end)
            if b.staff_id in staff_ids:
                blocks.append(scheduler.Block("staff", b.staff_id, d.pk, start, end))
            if b.staff_id in as_interpreter:
                blocks.append(
                    scheduler.Block("interpreter", as_interpreter[b.staff_id], d.pk, start, end)
                )
    windows: dict[int, dict[date, list[tuple[int, int]]]] = {}
    for w in InterpreterWindow.objects.filter(
        interpreter__in=interpreter_ids, date__in=list(by_date)
    ).order_by("start", "pk"):
        windows.setdefault(w.interpreter_id, {}).setdefault(w.date, []).append(
            (_minutes(w.start), _minutes(w.end))
        )
    for key, per_date in sorted(windows.items()):
        for d in days.values():
            cursor, day_end = _minutes(d.start), _minutes(d.end)
            for start, end in sorted(per_date.get(d.date, [])):
                if start > cursor:
                    blocks.append(scheduler.Block("interpreter", key, d.pk, cursor, start))
                cursor = max(cursor, end)
            if cursor < day_end:
                blocks.append(scheduler.Block("interpreter", key, d.pk, cursor, day_end))
    return blocks


def current_placements(loaded: Loaded) -> dict[int, scheduler.Placement]:
    return {
        key: scheduler.Placement(e.day_id, e.slot, e.room_id, e.interpreter_id)
        for key, e in loaded.entries.items()
        if e.day_id is not None
    }


# --- writing placements -------------------------------------------------------------------


def _times(rnd: Round, day: RoundDay, start_minute: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(day.date, time(start_minute // 60, start_minute % 60), tzinfo=tz)
    return start, start + timedelta(minutes=rnd.slot_minutes)


def _unplace(entry: RoundEntry) -> None:
    RoundBooking.objects.filter(entry=entry).delete()
    if entry.day_id is not None:
        Meeting.objects.filter(pk=entry.meeting_id, status=Meeting.Status.PLANNED).update(
            planned_start=None, planned_end=None, place="", interpreter_booked=""
        )
        report_cache.changed()  # a bulk update sends no save signal
    entry.day, entry.slot, entry.room, entry.interpreter = None, None, None, None
    entry.save(update_fields=["day", "slot", "room", "interpreter"])


def _booking_check(
    rnd: Round,
    loaded: Loaded,
    entry: RoundEntry,
    p: scheduler.Placement,
    *,
    by=None,
    moving: tuple[int, ...] = (),
) -> None:
    """The booking rule (resourcegroups.booking) for one placement; AlreadyBooked if not."""
    if p.day not in loaded.days or not 0 <= p.slot < len(loaded.instance.slots(p.day)):
        return  # not a slot of this round: the solver's rules say so (scheduler.validate)
    m = next(x for x in loaded.instance.meetings if x.key == entry.pk)
    start, end = _times(rnd, loaded.days[p.day], loaded.instance.slots(p.day)[p.slot])
    # the meetings first, then the people (booking.lock): the order a hand booking takes
    list(
        Meeting.objects.select_for_update()
        .filter(pk__in=[entry.meeting_id, *moving])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    try:
        booking.check(
            start=start,
            end=end,
            room=Room.objects.filter(pk=p.room).first(),
            staff_ids=m.staff,
            participant_id=m.participant,
            interpreter=Interpreter.objects.filter(pk=p.interpreter).first()
            if p.interpreter
            else None,
            exclude_meeting_ids=(entry.meeting_id, *moving),
            buffer_minutes=rnd.buffer_minutes,
            user=by,
        )
    except ValidationError as exc:
        raise AlreadyBooked(exc.messages, code="already_booked") from None


def _place(
    rnd: Round,
    loaded: Loaded,
    entry: RoundEntry,
    p: scheduler.Placement,
    *,
    by=None,
    moving: tuple[int, ...] = (),
) -> None:
    """Write one placement: entry, meeting time and place, bookings. Raises AlreadyBooked
    if the booking rule or the database refuses it (inside a savepoint, so the caller's
    transaction survives). `moving`: other meetings whose time this change replaces (a
    swap's partner), not held against it."""
    m = next(x for x in loaded.instance.meetings if x.key == entry.pk)
    day = loaded.days[p.day]
    start_minute = loaded.instance.slots(p.day)[p.slot]
    start, end = _times(rnd, day, start_minute)
    _booking_check(rnd, loaded, entry, p, by=by, moving=moving)
    resources = [f"participant:{m.participant}", f"room:{p.room}"]
    resources += [f"staff:{s}" for s in m.staff]
    if p.interpreter is not None:
        resources.append(f"interpreter:{p.interpreter}")
    cells = []
    t = start
    # the buffer after the meeting is booked too: the next booking of the same resource
    # cannot start before it ends
    while t < end + timedelta(minutes=rnd.buffer_minutes):
        cells.append(t)
        t += timedelta(minutes=CELL_MINUTES)
    try:
        with transaction.atomic():
            entry.day_id, entry.slot, entry.room_id = p.day, p.slot, p.room
            entry.interpreter_id = p.interpreter
            entry.reasons = []
            entry.save(update_fields=["day", "slot", "room", "interpreter", "reasons"])
            RoundBooking.objects.bulk_create(
                [RoundBooking(entry=entry, resource=r, cell=c) for r in resources for c in cells]
            )
            room = Room.objects.get(pk=p.room)
            interpreter = Interpreter.objects.get(pk=p.interpreter) if p.interpreter else None
            meeting = Meeting.objects.select_for_update().get(pk=entry.meeting_id)
            before = {"start": meeting.planned_start.isoformat() if meeting.planned_start else None}
            meeting.planned_start, meeting.planned_end = start, end
            meeting.place = ", ".join(x for x in (room.name, room.location) if x)
            meeting.interpreter_booked = str(interpreter) if interpreter else ""
            meeting.version = F("version") + 1
            meeting.save(
                update_fields=[
                    "planned_start",
                    "planned_end",
                    "place",
                    "interpreter_booked",
                    "version",
                    "updated_at",
                ]
            )
            MeetingEvent.objects.create(
                meeting=meeting,
                kind=MeetingEvent.Kind.RESCHEDULED,
                by=by,
                before=before,
                after={"start": start.isoformat(), "round": rnd.pk},
            )
    except IntegrityError:
        entry.refresh_from_db()
        raise AlreadyBooked(
            _("Someone else has just booked a person, room or interpreter at that time."),
            code="already_booked",
        ) from None


@transaction.atomic
def schedule_apply(*, rnd: Round, result: scheduler.Result, by=None) -> tuple[int, int]:
    """Replace the unlocked part of the schedule by the solver's result. A placement the
    database refuses (another round booked the resource meanwhile) is left unplaced with
    that reason. Returns (placed, unplaced)."""
    rnd = Round.objects.select_for_update().get(pk=rnd.pk)
    _require_draft(rnd)
    loaded = load_instance(rnd)
    for entry in loaded.entries.values():
        if not entry.locked:
            _unplace(entry)
    placed = unplaced = 0
    for key, entry in sorted(loaded.entries.items()):
        entry.gaps = list(result.gaps.get(key, ()))
        p = result.placements.get(key)
        if entry.locked and entry.day_id is not None:
            placed += 1
            entry.save(update_fields=["gaps"])
            continue
        if p is None:
            entry.reasons = result.unscheduled.get(key, [])
            entry.save(update_fields=["reasons", "gaps"])
            unplaced += 1
            continue
        try:
            _place(rnd, loaded, entry, p, by=by)
            entry.save(update_fields=["gaps"])
            placed += 1
        except AlreadyBooked as exc:
            entry.reasons = [str(m) for m in exc.messages]
            entry.save(update_fields=["reasons", "gaps"])
            unplaced += 1
    return placed, unplaced


def _pick_interpreter(
    loaded: Loaded,
    m: scheduler.MeetingIn,
    day: int,
    slot: int,
    placements: dict[int, scheduler.Placement],
    prefer: int | None,
):
    if not m.language:
        return None
    busy = {
        p.interpreter
        for k, p in placements.items()
        if (p.day, p.slot) == (day, slot) and k != m.key
    }
    options = [
        i.key
        for i in loaded.instance.interpreters
        if m.language in i.languages
        and loaded.instance.free("interpreter", i.key, day, slot)
        and i.key not in busy
    ]
    if prefer in options:
        return prefer
    return options[0] if options else None


def _check(loaded: Loaded, before: dict, after: dict) -> None:
    """Refuse a change that adds any rule violation (the solver's rules)."""
    new = sorted(
        set(scheduler.validate(loaded.instance, after))
        - set(scheduler.validate(loaded.instance, before))
    )
    if new:
        raise ValidationError(new, code="rules")


@transaction.atomic
def entry_move(
    *,
    user: User,
    entry: RoundEntry,
    day: RoundDay,
    slot: int,
    room: Room,
    interpreter: Interpreter | None = None,
    request=None,
) -> RoundEntry:
    rnd = Round.objects.select_for_update().get(pk=entry.round_id)
    _require(user, rnd)
    _require_draft(rnd)
    loaded = load_instance(rnd, include_locks=False)
    entry = loaded.entries[entry.pk]
    m = next(x for x in loaded.instance.meetings if x.key == entry.pk)
    before = current_placements(loaded)
    after = dict(before)
    after.pop(entry.pk, None)
    interp = (
        interpreter.pk
        if interpreter
        else _pick_interpreter(loaded, m, day.pk, slot, after, entry.interpreter_id)
    )
    after[entry.pk] = scheduler.Placement(day.pk, slot, room.pk, interp)
    # the booking rule first: its refusal names the person or room and the meeting
    _booking_check(rnd, loaded, entry, after[entry.pk], by=user)
    _check(loaded, before, after)
    _unplace(entry)
    _place(rnd, loaded, entry, after[entry.pk], by=user)
    audit.record(
        action=audit.Action.UPDATE, request=request, user=user, obj=rnd, fields=["schedule"]
    )
    return entry


@transaction.atomic
def entries_swap(*, user: User, a: RoundEntry, b: RoundEntry, request=None) -> None:
    rnd = Round.objects.select_for_update().get(pk=a.round_id)
    _require(user, rnd)
    _require_draft(rnd)
    if b.round_id != rnd.pk:
        raise ValidationError(_("Both meetings must be in the same round."))
    loaded = load_instance(rnd, include_locks=False)
    a, b = loaded.entries[a.pk], loaded.entries[b.pk]
    before = current_placements(loaded)
    if a.pk not in before or b.pk not in before:
        raise ValidationError(_("Only two placed meetings can be swapped."))
    after = {k: p for k, p in before.items() if k not in (a.pk, b.pk)}
    ma = next(x for x in loaded.instance.meetings if x.key == a.pk)
    mb = next(x for x in loaded.instance.meetings if x.key == b.pk)
    pa, pb = before[a.pk], before[b.pk]
    after[a.pk] = scheduler.Placement(pb.day, pb.slot, pb.room, None)
    after[b.pk] = scheduler.Placement(pa.day, pa.slot, pa.room, None)
    for m, p, own in ((ma, after[a.pk], pa.interpreter), (mb, after[b.pk], pb.interpreter)):
        after[m.key] = scheduler.Placement(
            p.day, p.slot, p.room, _pick_interpreter(loaded, m, p.day, p.slot, after, own)
        )
    _booking_check(rnd, loaded, a, after[a.pk], by=user, moving=(b.meeting_id,))
    _booking_check(rnd, loaded, b, after[b.pk], by=user, moving=(a.meeting_id,))
    _check(loaded, before, after)
    _unplace(a)
    _unplace(b)
    _place(rnd, loaded, a, after[a.pk], by=user, moving=(b.meeting_id,))
    _place(rnd, loaded, b, after[b.pk], by=user, moving=(a.meeting_id,))
    audit.record(
        action=audit.Action.UPDATE, request=request, user=user, obj=rnd, fields=["schedule"]
    )


@transaction.atomic
def entry_lock(*, user: User, entry: RoundEntry, locked: bool) -> RoundEntry:
    _require(user, entry.round)
    _require_draft(entry.round)
    if locked and entry.day_id is None:
        raise ValidationError(_("Only a placed meeting can be locked."))
    entry.locked = locked
    entry.save(update_fields=["locked"])
    return entry


# --- solving ------------------------------------------------------------------------------


@transaction.atomic
def generate_start(*, user: User, rnd: Round, request=None) -> int:
    """Queue a solver run (after commit). Returns the run number the task will claim."""
    from resourcegroups.tasks_rounds import round_generate

    _require(user, rnd)
    _require_draft(rnd)
    rnd = Round.objects.select_for_update().get(pk=rnd.pk)
    if not rnd.entries.exists():
        raise ValidationError(_("Choose participants before generating a schedule."))
    if not rnd.rooms.exists():
        raise ValidationError(_("Choose at least one room."))
    run = rnd.solver_run + 1
    Round.objects.filter(pk=rnd.pk).update(
        solver_run=run,
        solver_status=Round.SolverStatus.QUEUED,
        solver_progress=0,
        solver_step="",
        solver_objective=[],
        solver_message="",
        solver_started_at=timezone.now(),
        solver_finished_at=None,
    )
    transaction.on_commit(lambda: round_generate.delay(rnd.pk, run))
    audit.record(action=audit.Action.UPDATE, request=request, user=user, obj=rnd, fields=["solver"])
    return run


def generate_run(*, round_id: int, run: int) -> bool:
    """The task's body: claim the run, solve, apply. Safe to run twice (second claim
    fails)."""
    claimed = Round.objects.filter(
        pk=round_id, solver_run=run, solver_status=Round.SolverStatus.QUEUED
    ).update(solver_status=Round.SolverStatus.RUNNING, solver_progress=2, solver_step="loading")
    if not claimed:
        return False
    rnd = Round.objects.get(pk=round_id)

    def step(name: str, percent: int, **extra) -> None:
        Round.objects.filter(pk=round_id, solver_run=run).update(
            solver_step=name, solver_progress=percent, **extra
        )

    try:
        loaded = load_instance(rnd)
        step("model", 10)

        def progress(percent, _status, objective):
            # the solver reports after each of its 4 levels; show the one that starts next
            done = max(1, min(4, round(percent * 4 / 100)))
            step(
                f"level{done + 1}" if done < 4 else "saving",
                10 + 20 * done,
                solver_objective=objective,
            )

        last_write = [0.0]

        def within_level(level: int, fraction: float) -> None:
            # a better schedule within a level: move the bar inside that level's 20 %
            # (never into the next one), at most one write a second
            now = monotonic()
            if now - last_write[0] < 1.0:
                return
            last_write[0] = now
            step(
                "model" if level == 1 else f"level{level}",
                10 + 20 * (level - 1) + min(19, int(20 * fraction)),
            )

        result = scheduler.solve(
            loaded.instance,
            time_limit=float(rnd.time_limit_seconds),
            progress=progress,
            on_progress=within_level,
        )
        step("saving", 92)
        placed, unplaced = schedule_apply(rnd=rnd, result=result)
    except Exception as exc:
        Round.objects.filter(pk=round_id, solver_run=run).update(
            solver_status=Round.SolverStatus.FAILED,
            solver_step="",
            solver_message=str(exc)[:300],
            solver_finished_at=timezone.now(),
        )
        raise
    status = (
        Round.SolverStatus.OPTIMAL if result.status == "optimal" else Round.SolverStatus.FEASIBLE
    )
    Round.objects.filter(pk=round_id, solver_run=run).update(
        solver_status=status,
        solver_step="",
        solver_progress=100,
        solver_objective=result.objective,
        solver_message=_("%(placed)s placed, %(unplaced)s not placed")
        % {
            "placed": placed,
            "unplaced": unplaced,
        },
        solver_finished_at=timezone.now(),
    )
    return True


# --- publishing ---------------------------------------------------------------------------


@transaction.atomic
def round_publish(*, user: User, rnd: Round, request=None) -> int:
    """Book every placed meeting, invite the members and queue the invitations. Returns the
    number of meetings booked."""
    rnd = Round.objects.select_for_update().get(pk=rnd.pk)
    _require(user, rnd)
    _require_draft(rnd)
    if rnd.solver_busy:
        raise ValidationError(_("Wait for the scheduler to finish."))
    booked = 0
    for entry in rnd.entries.filter(day__isnull=False).select_related("meeting").order_by("pk"):
        meeting = entry.meeting
        if meeting.status == Meeting.Status.PLANNED:
            meeting.status = Meeting.Status.BOOKED
        meeting.hand_edited = True
        meeting.needs_review = False
        meeting.version = F("version") + 1
        meeting.save(
            update_fields=["status", "hand_edited", "needs_review", "version", "updated_at"]
        )
        meeting.refresh_from_db()
        MeetingEvent.objects.create(
            meeting=meeting, kind=MeetingEvent.Kind.STATUS, by=user, after={"status": "booked"}
        )
        invite_members(meeting)
        notify.queue_meeting_invitations(meeting=meeting, by=user)
        booked += 1
    rnd.status = Round.Status.PUBLISHED
    rnd.published_at = timezone.now()
    rnd.save(update_fields=["status", "published_at"])
    audit.record(action=audit.Action.UPDATE, request=request, user=user, obj=rnd, fields=["status"])
    return booked


@transaction.atomic
def round_done(*, user: User, rnd: Round) -> Round:
    _require(user, rnd)
    if rnd.status != Round.Status.PUBLISHED:
        raise ValidationError(_("Only a published round can be marked done."))
    rnd.status = Round.Status.DONE
    rnd.save(update_fields=["status"])
    return rnd


# --- joint information day (before meeting 3) ---------------------------------------------

INFO_DAY_AGENCY_KINDS = ("career_centre", "adult_education")


def may_organise_info_days(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.agency_id
        and user.role in (Role.CAREER_COUNSELLOR, Role.TEACHER)
        and user.agency.kind in INFO_DAY_AGENCY_KINDS
    )


def info_days_for(user):
    """Information days the user's agency organises."""
    from resourcegroups.models import InformationDay

    if not may_organise_info_days(user):
        return InformationDay.objects.none()
    return InformationDay.objects.filter(organisers=user.agency_id).distinct()


@transaction.atomic
def info_day_create(
    *,
    user: User,
    title: str,
    on: date,
    start: time,
    end: time,
    place: str,
    stage: RoutineStage,
    partners=(),
    request=None,
):
    from resourcegroups.models import InformationDay

    if not may_organise_info_days(user):
        raise PermissionDenied(
            _("The county career centre and adult education organise information days.")
        )
    day = InformationDay(
        title=title, date=on, start=start, end=end, place=place, stage=stage, created_by=user
    )
    day.full_clean()
    day.save()
    day.organisers.set([user.agency_id, *[p.pk for p in partners]])
    audit.record(action=audit.Action.CREATE, request=request, user=user, obj=day)
    return day


def info_day_cohort(*, user: User, day) -> list[Meeting]:
    """Open meetings of the day's stage, of participants the user may see, due after the
    day and not yet invited: the cohort to invite."""
    invited = day.invitations.values("participant")
    return list(
        Meeting.objects.filter(
            participant__in=policy.participants_for(user).values("pk"),
            stage__number=day.stage.number,
            status__in=Meeting.OPEN_STATUSES,
            due_date__gte=day.date,
        )
        .exclude(participant__in=invited)
        .select_related("participant", "stage")
        .order_by("due_date", "pk")
    )


@transaction.atomic
def info_day_invite(*, user: User, day, meetings: list[Meeting], request=None) -> int:
    """Invite the participants of these meeting-3s; queue an e-mail to those with an
    address (idempotent by key). Returns the number invited."""
    from django.template.loader import render_to_string

    from resourcegroups.models import InformationDayInvitation

    if not info_days_for(user).filter(pk=day.pk).exists():
        raise PermissionDenied
    allowed = {m.pk: m for m in info_day_cohort(user=user, day=day)}
    count = 0
    for meeting in meetings:
        if meeting.pk not in allowed:
            continue
        meeting = allowed[meeting.pk]
        InformationDayInvitation.objects.create(
            day=day, participant=meeting.participant, meeting=meeting
        )
        count += 1
        if meeting.participant.email:
            language = "en" if meeting.participant.preferred_language == "en" else "nb"
            from django.utils import translation

            with translation.override(language):
                subject = _("Invitation: %(title)s") % {"title": day.title}
                body = render_to_string(
                    "resourcegroups/rounds/info_day_invitation.txt",
                    {"day": day, "participant": meeting.participant},
                )
            notify.queue_message(
                key=f"infoday:{day.pk}:{meeting.participant_id}",
                to=meeting.participant.email,
                subject=subject,
                body=body,
                language=language,
            )
    audit.record(
        action=audit.Action.UPDATE, request=request, user=user, obj=day, fields=["invitations"]
    )
    return count


@transaction.atomic
def info_day_attendance(*, user: User, day, attendance: dict[int, str]) -> int:
    from resourcegroups.models import InformationDayInvitation

    if not info_days_for(user).filter(pk=day.pk).exists():
        raise PermissionDenied
    valid = set(InformationDayInvitation.Attendance.values)
    changed = 0
    for invitation in day.invitations.filter(pk__in=list(attendance)):
        value = attendance[invitation.pk]
        if value not in valid:
            raise ValidationError(_("Unknown attendance value."))
        if invitation.attendance != value:
            invitation.attendance = value
            invitation.save(update_fields=["attendance"])
            changed += 1
    return changed
