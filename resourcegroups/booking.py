"""The booking rule: may these people and this room meet in this interval?

One function decides it for every path that gives a meeting a time — the single-meeting
booking form and its API, round moves and swaps, the solver's placements as they are
written. Meetings' booked times are the source: a person, room or interpreter is busy
from a live meeting's start to its end (plus the buffer on either side). The round's own
`RoundBooking` cells stay as the database's second line for round placements.

Callers run `check` inside their transaction: it locks the rows of the people, room and
interpreter involved first (`select_for_update`; SQLite transactions are IMMEDIATE), so two
advisers booking the same person at once are serialised and the second one is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kmv.access import policy
from kmv.access.models import User
from participants.models import Participant
from resourcegroups.models import Interpreter, Meeting, Room

# a meeting in these states holds nobody's time
NOT_HOLDING = (Meeting.Status.CANCELLED, Meeting.Status.NO_SHOW)


@dataclass(frozen=True)
class Clash:
    """One refusal: `who` (a person's or room's name) is already in `meeting`."""

    kind: str  # "staff" | "participant" | "room" | "interpreter" | "day"
    who: str
    meeting: Meeting | None = None
    text: str = ""  # for refusals that are not a clash with a meeting (day bounds)

    def message(self, user=None) -> str:
        if self.meeting is None:
            return self.text
        m = self.meeting
        start, end = timezone.localtime(m.planned_start), timezone.localtime(m.planned_end)
        # another participant is named only to someone who may see them
        if user is not None and policy.may(user, m.participant):
            what = _("%(stage)s with %(participant)s") % {
                "stage": m.stage,
                "participant": m.participant,
            }
        else:
            what = _("%(stage)s with another participant") % {"stage": m.stage}
        return _("%(who)s is already booked on %(date)s %(start)s–%(end)s: %(meeting)s.") % {
            "who": self.who,
            "meeting": what,
            "date": date_format(start.date(), "d.m.Y"),
            "start": start.strftime("%H:%M"),
            "end": end.strftime("%H:%M"),
        }


def _name(user: User) -> str:
    return user.get_full_name() or user.username


def room_for_place(place: str) -> Room | None:
    """The room a free-text place names ("Rom 1" or "Rom 1, Storgata 2"), if exactly one."""
    place = (place or "").strip()
    if not place:
        return None
    name = place.split(",")[0].strip()
    rooms = [
        r
        for r in Room.objects.filter(name__iexact=name)
        if place.lower()
        in {r.name.lower(), ", ".join(x for x in (r.name, r.location) if x).lower()}
    ]
    return rooms[0] if len(rooms) == 1 else None


def interpreter_for_name(name: str) -> Interpreter | None:
    name = (name or "").strip()
    if not name:
        return None
    found = list(Interpreter.objects.filter(name__iexact=name)[:2])
    return found[0] if len(found) == 1 else None


def _room_q(room: Room) -> Q:
    places = {room.name, ", ".join(x for x in (room.name, room.location) if x)}
    q = Q(round_entries__room=room, round_entries__day__isnull=False)
    for p in places:
        q |= Q(place__iexact=p)
    return q


def _interpreter_q(interpreter: Interpreter) -> Q:
    return Q(round_entries__interpreter=interpreter, round_entries__day__isnull=False) | Q(
        interpreter_booked__iexact=interpreter.name
    )


def lock(
    *,
    staff_ids: Iterable[int] = (),
    participant_id: int | None = None,
    room: Room | None = None,
    interpreter: Interpreter | None = None,
) -> None:
    """Serialise bookings of the same people, room and interpreter (always in this order,
    by primary key, so two bookings never wait for each other crosswise)."""
    list(User.objects.select_for_update().filter(pk__in=sorted(set(staff_ids))).order_by("pk"))
    if participant_id is not None:
        list(Participant.objects.select_for_update().filter(pk=participant_id))
    if room is not None:
        list(Room.objects.select_for_update().filter(pk=room.pk))
    if interpreter is not None:
        list(Interpreter.objects.select_for_update().filter(pk=interpreter.pk))


def _holding(start: datetime, end: datetime, buffer: timedelta, exclude: set[int]):
    return (
        Meeting.objects.exclude(status__in=NOT_HOLDING)
        .exclude(pk__in=exclude)
        .filter(
            planned_start__isnull=False,
            planned_end__isnull=False,
            planned_start__lt=end + buffer,
            planned_end__gt=start - buffer,
        )
        .select_related("participant", "stage")
        .order_by("planned_start", "pk")
    )


def clashes(
    *,
    start: datetime,
    end: datetime,
    room: Room | None = None,
    staff_ids: Iterable[int] = (),
    participant_id: int | None = None,
    interpreter: Interpreter | None = None,
    exclude_meeting_ids: Iterable[int] = (),
    buffer_minutes: int = 0,
) -> list[Clash]:
    """Every live meeting that already holds one of these people, the room or the
    interpreter within [start - buffer, end + buffer). Empty: they may meet."""
    buffer = timedelta(minutes=buffer_minutes or 0)
    holding = _holding(start, end, buffer, set(exclude_meeting_ids))
    out: list[Clash] = []
    if participant_id is not None:
        for m in holding.filter(participant_id=participant_id):
            out.append(Clash("participant", str(m.participant), m))
    staff_ids = sorted(set(staff_ids))
    if staff_ids:
        names = {u.pk: _name(u) for u in User.objects.filter(pk__in=staff_ids)}
        seen = set()
        for m in holding.filter(invitees__staff_id__in=staff_ids).distinct():
            for sid in m.invitees.filter(staff_id__in=staff_ids).values_list("staff_id", flat=True):
                if (sid, m.pk) not in seen:
                    seen.add((sid, m.pk))
                    out.append(Clash("staff", names[sid], m))
    if room is not None:
        for m in holding.filter(_room_q(room)).distinct():
            out.append(Clash("room", room.name, m))
    if interpreter is not None:
        for m in holding.filter(_interpreter_q(interpreter)).distinct():
            out.append(Clash("interpreter", interpreter.name, m))
    return out


def outside_days(start: datetime, end: datetime, days: Iterable[tuple[date, time, time]]):
    """A refusal if [start, end) does not lie inside one of the round's days (its date and
    hours); None if it does."""
    days = sorted(days)
    if not days:
        return None
    s, e = timezone.localtime(start), timezone.localtime(end)
    for d, d_start, d_end in days:
        if s.date() == d == e.date() and d_start <= s.time() and e.time() <= d_end:
            return None
    listed = ", ".join(f"{date_format(d, 'd.m.Y')} {a:%H:%M}–{b:%H:%M}" for d, a, b in days)
    return Clash(
        "day",
        "",
        text=_(
            "This meeting belongs to a round: book it within the round's days and hours "
            "(%(days)s), or take it out of the round first."
        )
        % {"days": listed},
    )


def check(
    *,
    start: datetime,
    end: datetime,
    room: Room | None = None,
    staff_ids: Iterable[int] = (),
    participant_id: int | None = None,
    interpreter: Interpreter | None = None,
    exclude_meeting_ids: Iterable[int] = (),
    buffer_minutes: int = 0,
    days: Iterable[tuple[date, time, time]] | None = None,
    user=None,
) -> None:
    """Lock, then refuse (ValidationError, code "booking_clash", one translated message per
    clash) unless the booking obeys the rule. Call inside the booking's transaction."""
    staff_ids = sorted(set(staff_ids))
    lock(staff_ids=staff_ids, participant_id=participant_id, room=room, interpreter=interpreter)
    found = []
    if days is not None and (bound := outside_days(start, end, days)) is not None:
        found.append(bound)
    found += clashes(
        start=start,
        end=end,
        room=room,
        staff_ids=staff_ids,
        participant_id=participant_id,
        interpreter=interpreter,
        exclude_meeting_ids=exclude_meeting_ids,
        buffer_minutes=buffer_minutes,
    )
    if found:
        raise ValidationError([c.message(user) for c in found], code="booking_clash")


def busy(
    *,
    dates: Iterable[date],
    staff_ids: Iterable[int] = (),
    participant_ids: Iterable[int] = (),
    rooms: Iterable[Room] = (),
    interpreters: Iterable[Interpreter] = (),
    exclude_meeting_ids: Iterable[int] = (),
):
    """(kind, key, start, end) for every live meeting on these dates holding one of these
    people, rooms or interpreters: what the solver must treat as taken."""
    dates = sorted(set(dates))
    if not dates:
        return []
    tz = timezone.get_current_timezone()
    lo = datetime.combine(dates[0], time.min, tzinfo=tz)
    hi = datetime.combine(dates[-1], time.max, tzinfo=tz)
    holding = _holding(lo, hi, timedelta(0), set(exclude_meeting_ids))
    staff_ids, participant_ids = set(staff_ids), set(participant_ids)
    out = []
    for m in holding.filter(participant_id__in=participant_ids):
        out.append(("participant", m.participant_id, m.planned_start, m.planned_end))
    for m in holding.filter(invitees__staff_id__in=staff_ids).distinct():
        for sid in m.invitees.filter(staff_id__in=staff_ids).values_list("staff_id", flat=True):
            out.append(("staff", sid, m.planned_start, m.planned_end))
    for r in rooms:
        for m in holding.filter(_room_q(r)).distinct():
            out.append(("room", r.pk, m.planned_start, m.planned_end))
    for i in interpreters:
        for m in holding.filter(_interpreter_q(i)).distinct():
            out.append(("interpreter", i.pk, m.planned_start, m.planned_end))
    return out
