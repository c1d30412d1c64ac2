"""Round scheduler: pure input dataclasses → CP-SAT model → result. No database access.

A round has one slot grid: on each day, slots start every `slot + buffer` minutes from the
day's start. Every meeting takes one slot, one room and — if the participant needs one — one
interpreter who speaks the language. Because all meetings of a round have the same length
and sit on the grid, "no overlap + buffer" for a person, room or interpreter is exactly "at
most one meeting per grid cell": a set-packing model (one Boolean per candidate meeting ×
cell) with `AddAtMostOne` per person and cell — the optional-interval model in the form
whose linear relaxation is tight. Rooms, and interpreters until level 3, are not variables
but a capacity per cell (Hall's condition over the meetings' possible sets; matched after
solving), so identical rooms or interpreters create no symmetric copies of a schedule.
Candidates exist only where every required person and a resource are available, so
availability, language, room capacity and accessibility hold by construction.

Objectives, lexicographic: each level is solved to its optimum (or as far as the budget
goes), then fixed as a constraint while the next is optimised from the previous solution:
1. placed meetings, maximised;
2. staff blocks: per staff member and day, the runs of consecutive busy slots, summed
   (idle gaps = blocks − staff days, so for the placed meetings this is "fewest gaps");
3. interpreter bookings: per interpreter and day, runs of consecutive busy slots (one
   booking per run), which puts same-language participants in consecutive slots;
4. preference misses: meetings outside their preferred half of the day.
"Optimal" on a level (`Result.proven[i]`) means CP-SAT proved that no schedule is better on
that level among those that are optimal on every earlier level; `Result.bounds[i]` is the
proven bound (equal to the objective when optimal, the remaining gap otherwise).
`status == "optimal"` only when every level is proven.

How each level is solved depends on the round's size. Up to `PROOF_MEETINGS` placeable
meetings: one worker with linearization_level 2 (max_lp: the at-most-one and run-start
constraints as LP rows with cuts) on the level's own objective — the tight relaxation is
what proves these levels optimal (level 2 in 1–3 deterministic seconds where the default
portfolio stayed at a bound of about one block per staff day). Larger rounds: the default
portfolio (LNS, several workers), which finds much better schedules than one worker but
proves little; there level 2 carries a tie-break (see `staff_level`).

Determinism: inputs sorted by key, fixed seed, one worker or interleaved search (workers
that take turns in a fixed order) and a budget in CP-SAT's deterministic time; the same
input gives the same schedule unless the wall-clock cap stopped a phase
(`Result.deterministic`).
`validate` applies the same rules to any set of placements (manual moves, the greedy
baseline, tests); `diagnose` names what blocks a meeting that could not be placed.
"""

from __future__ import annotations

import functools
import math
import queue
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any


def _(text: str) -> str:
    """gettext when Django is configured (the app, the tests); the English text as is
    when the scheduler runs on its own (bench/scheduler.py)."""
    try:
        from django.conf import settings

        if settings.configured:
            from django.utils.translation import gettext

            return gettext(text)
    except ImportError:  # pragma: no cover - the scheduler without Django
        pass
    return text


MORNING = "morning"
AFTERNOON = "afternoon"
NOON = 12 * 60
# CP-SAT deterministic time per wall-clock second of `solve(time_limit=…)`, chosen so that
# on a quiet 2-core machine the deterministic budget (reproducible) ends a phase before the
# wall-clock cap does: bench/scheduler.py measured ≈ 2 for 20 participants at load 2,
# ≈ 0.5–0.6 for 150 at load 4.5 and ≈ 0.3 at load 8 (there the cap takes over)
DET_PER_SECOND = 1.0
# share of the time budget per level (placed, staff blocks, interpreter bookings,
# preferences); what a level leaves unused goes to the later ones. Small rounds (proofs):
# level 2 is where the proofs take longest. Large rounds: level 2 is never proven there
# and its extra time bought little, while level 3 needs time to regroup languages —
# bench/scheduler.py at 150 participants, seeds 1–5, 30 deterministic s: shares
# (.1,.5,.3,.1) beat greedy's interpreter bookings on 2 of 5 seeds, (.15,.3,.45,.1) on 4,
# (.15,.15,.6,.1) on 5 (by 3–13 bookings)
LEVEL_SHARES = (0.15, 0.3, 0.45, 0.1)
LEVEL_SHARES_LARGE = (0.15, 0.15, 0.6, 0.1)
# rounds with at most this many meetings that can be placed are solved level by level by
# one worker with linearization_level 2 (proofs); larger ones by the portfolio (good
# schedules): bench/scheduler.py, 40 vs 150 participants
PROOF_MEETINGS = 60


@dataclass(frozen=True)
class Day:
    key: int
    label: str  # e.g. "day 2" or "Tue 3 Feb": used in reasons
    start: int  # minutes after midnight
    end: int


@dataclass(frozen=True)
class Room:
    key: int
    name: str
    capacity: int = 8
    accessible: bool = True


@dataclass(frozen=True)
class Interpreter:
    key: int
    name: str
    languages: frozenset[str]


@dataclass(frozen=True)
class Staff:
    key: int
    name: str
    role: str = ""


@dataclass(frozen=True)
class Placement:
    day: int  # Day.key
    slot: int  # index on the day's grid
    room: int  # Room.key
    interpreter: int | None = None


@dataclass(frozen=True)
class MeetingIn:
    key: int
    participant: int
    label: str  # participant/meeting name used in reasons
    staff: tuple[int, ...] = ()
    missing_roles: tuple[str, ...] = ()  # required roles with nobody in the group: a gap
    language: str = ""  # interpreter language; "" = no interpreter needed
    language_label: str = ""
    needs_accessible: bool = False
    size: int = 0  # people in the room; 0 = staff + participant + interpreter
    preferred: str = ""  # "", MORNING or AFTERNOON
    locked: Placement | None = None

    @property
    def people(self) -> int:
        return self.size or len(self.staff) + 1 + (1 if self.language else 0)


@dataclass(frozen=True)
class Block:
    """A time a person is NOT available: ("staff"|"participant"|"interpreter"|"room", key)."""

    kind: str
    key: int
    day: int
    start: int
    end: int


@dataclass
class Instance:
    days: list[Day]
    slot_minutes: int
    buffer_minutes: int
    rooms: list[Room]
    staff: list[Staff]
    interpreters: list[Interpreter]
    meetings: list[MeetingIn]
    blocks: list[Block] = field(default_factory=list)

    def __post_init__(self):
        # same input ordering → same model → same answer
        self.days = sorted(self.days, key=lambda d: d.key)
        self.rooms = sorted(self.rooms, key=lambda r: r.key)
        self.staff = sorted(self.staff, key=lambda s: s.key)
        self.interpreters = sorted(self.interpreters, key=lambda i: i.key)
        self.meetings = sorted(self.meetings, key=lambda m: m.key)
        self.blocks = sorted(self.blocks, key=lambda b: (b.kind, b.key, b.day, b.start, b.end))
        self._slots = {
            d.key: slot_starts(d, self.slot_minutes, self.buffer_minutes) for d in self.days
        }
        self._busy: dict[tuple[str, int, int], list[tuple[int, int]]] = defaultdict(list)
        for b in self.blocks:
            self._busy[(b.kind, b.key, b.day)].append((b.start, b.end))

    def slots(self, day: int) -> list[int]:
        return self._slots.get(day, [])

    def cells(self) -> list[tuple[int, int]]:
        return [(d.key, s) for d in self.days for s in range(len(self.slots(d.key)))]

    def free(self, kind: str, key: int, day: int, slot: int) -> bool:
        start = self.slots(day)[slot]
        end = start + self.slot_minutes
        return all(e <= start or s >= end for s, e in self._busy.get((kind, key, day), ()))

    def start_minute(self, p: Placement) -> int:
        return self.slots(p.day)[p.slot]


def slot_starts(day: Day, slot: int, buffer: int) -> list[int]:
    step = slot + buffer
    starts, t = [], day.start
    while step > 0 and t + slot <= day.end:
        starts.append(t)
        t += step
    return starts


@dataclass
class Metrics:
    scheduled: int
    total: int
    interpreter_bookings: int
    idle_gaps: int
    preference_misses: int


@dataclass
class Result:
    placements: dict[int, Placement]
    unscheduled: dict[int, list[str]]
    gaps: dict[int, tuple[str, ...]]  # meeting → required roles nobody fills
    metrics: Metrics
    status: str  # "optimal", "feasible", "greedy", "empty"
    seconds: float
    objective: list[int] = field(default_factory=list)
    # per objective level (placed, idle gaps, interpreter bookings, preferences): proven?
    proven: list[bool] = field(default_factory=list)
    # per level: the solver's proven bound (= objective where proven; the gap otherwise)
    bounds: list[int] = field(default_factory=list)
    # False when the wall-clock cap (busy machine) rather than the deterministic budget ended
    # a phase: the same input may then give another schedule
    deterministic: bool = True
    deterministic_seconds: float = 0.0  # CP-SAT's deterministic time used, all phases


# --- rules shared by every way of placing meetings -------------------------------------


def fits(
    inst: Instance,
    m: MeetingIn,
    p: Placement,
    rooms: dict[int, Room] | None = None,
    interpreters: dict[int, Interpreter] | None = None,
) -> list[str]:
    """Why this one meeting cannot have this placement on its own (empty = it can)."""
    rooms = rooms or {r.key: r for r in inst.rooms}
    interpreters = interpreters or {i.key: i for i in inst.interpreters}
    problems = []
    if p.day not in inst._slots or not 0 <= p.slot < len(inst.slots(p.day)):
        return [_("not a time of this round")]
    room = rooms.get(p.room)
    if room is None:
        problems.append(_("not a room of this round"))
    else:
        if room.capacity < m.people:
            problems.append(_("%(room)s is too small") % {"room": room.name})
        if m.needs_accessible and not room.accessible:
            problems.append(_("%(room)s has no step-free access") % {"room": room.name})
        if not inst.free("room", room.key, p.day, p.slot):
            problems.append(_("%(name)s is not available then") % {"name": room.name})
    if not inst.free("participant", m.participant, p.day, p.slot):
        problems.append(_("%(name)s is not available then") % {"name": m.label})
    names = {x.key: x.name for x in inst.staff}
    for key in m.staff:
        if not inst.free("staff", key, p.day, p.slot):
            problems.append(
                _("%(name)s is not available then") % {"name": names.get(key, _("a staff member"))}
            )
    if m.language:
        it = interpreters.get(p.interpreter) if p.interpreter is not None else None
        if it is None:
            problems.append(_("no interpreter"))
        else:
            if m.language not in it.languages:
                problems.append(
                    _("%(name)s does not speak %(language)s")
                    % {"name": it.name, "language": m.language_label or m.language}
                )
            if not inst.free("interpreter", it.key, p.day, p.slot):
                problems.append(_("%(name)s is not available then") % {"name": it.name})
    return problems


def validate(inst: Instance, placements: dict[int, Placement]) -> list[str]:
    """Every rule the solver applies, checked on any set of placements: availability,
    language, room, and no person/room/interpreter in two meetings closer than
    slot + buffer minutes on the same day."""
    meetings = {m.key: m for m in inst.meetings}
    rooms = {r.key: r for r in inst.rooms}
    interpreters = {i.key: i for i in inst.interpreters}
    problems: list[str] = []
    uses: dict[tuple[str, int, int], list[tuple[int, int]]] = defaultdict(list)
    for key in sorted(placements):
        p = placements[key]
        m = meetings[key]
        for problem in fits(inst, m, p, rooms, interpreters):
            problems.append(f"{m.label}: {problem}")  # problem is translated by fits
        if p.day not in inst._slots or not 0 <= p.slot < len(inst.slots(p.day)):
            continue
        start = inst.start_minute(p)
        resources = [("participant", m.participant), ("room", p.room)]
        resources += [("staff", s) for s in m.staff]
        if m.language and p.interpreter is not None:
            resources.append(("interpreter", p.interpreter))
        for kind, rkey in resources:
            uses[(kind, rkey, p.day)].append((start, key))
    need = inst.slot_minutes + inst.buffer_minutes
    names = {
        "staff": {x.key: x.name for x in inst.staff},
        "room": {x.key: x.name for x in inst.rooms},
        "interpreter": {x.key: x.name for x in inst.interpreters},
        "participant": {x.participant: x.label for x in inst.meetings},
    }
    for (kind, rkey, _day), starts in sorted(uses.items()):
        starts.sort()
        for (a, ma), (b, mb) in zip(starts, starts[1:], strict=False):
            if b - a < need:
                problems.append(
                    _("%(who)s would be in two meetings at once: %(first)s and %(second)s")
                    % {
                        "who": names.get(kind, {}).get(rkey, kind),
                        "first": meetings[ma].label,
                        "second": meetings[mb].label,
                    }
                )
    return problems


def _runs(busy: list[bool]) -> int:
    return sum(1 for i, b in enumerate(busy) if b and (i == 0 or not busy[i - 1]))


def evaluate(inst: Instance, placements: dict[int, Placement]) -> Metrics:
    meetings = {m.key: m for m in inst.meetings}
    staff_busy: dict[tuple[int, int], set[int]] = defaultdict(set)
    interp_busy: dict[tuple[int, int], set[int]] = defaultdict(set)
    misses = 0
    for key, p in placements.items():
        m = meetings[key]
        for s in m.staff:
            staff_busy[(s, p.day)].add(p.slot)
        if p.interpreter is not None:
            interp_busy[(p.interpreter, p.day)].add(p.slot)
        misses += _misses(inst, m, p.day, p.slot)

    def runs(table):
        total = 0
        for (_k, day), slots in table.items():
            total += _runs([i in slots for i in range(len(inst.slots(day)))])
        return total

    staff_runs = runs(staff_busy)
    return Metrics(
        scheduled=len(placements),
        total=len(inst.meetings),
        interpreter_bookings=runs(interp_busy),
        idle_gaps=staff_runs - len(staff_busy),
        preference_misses=misses,
    )


def _misses(inst: Instance, m: MeetingIn, day: int, slot: int) -> int:
    if not m.preferred:
        return 0
    start = inst.slots(day)[slot]
    morning = start < NOON
    return int(morning != (m.preferred == MORNING))


def candidates(inst: Instance, m: MeetingIn) -> list[tuple[int, int, int]]:
    """(day, slot, room) where the meeting's people and a suitable room are free, and — if
    needed — some interpreter speaking the language is free."""
    out = []
    for day, slot in inst.cells():
        if not inst.free("participant", m.participant, day, slot):
            continue
        if any(not inst.free("staff", s, day, slot) for s in m.staff):
            continue
        if m.language and not _interpreters_for(inst, m, day, slot):
            continue
        for room in inst.rooms:
            if room.capacity < m.people or (m.needs_accessible and not room.accessible):
                continue
            if inst.free("room", room.key, day, slot):
                out.append((day, slot, room.key))
    return out


def _interpreters_for(inst: Instance, m: MeetingIn, day: int, slot: int) -> list[int]:
    return [
        i.key
        for i in inst.interpreters
        if m.language in i.languages and inst.free("interpreter", i.key, day, slot)
    ]


def diagnose(inst: Instance, m: MeetingIn, placements: dict[int, Placement]) -> list[str]:
    """Human reasons why `m` has no placement: who or what is unavailable, per day; or, when
    common slots exist, that the other meetings took them."""
    staff = {s.key: s for s in inst.staff}
    reasons: list[str] = []
    all_days = [d.key for d in inst.days]

    def unavailable_days(kind, key):
        return [
            d
            for d in all_days
            if not any(inst.free(kind, key, d, s) for s in range(len(inst.slots(d))))
        ]

    def say(who, days):
        if not days:
            return
        if len(days) == len(all_days):
            reasons.append(
                (
                    _("%(who)s is unavailable both days")
                    if len(days) == 2
                    else _("%(who)s is unavailable on every day of the round")
                )
                % {"who": who}
            )
        else:
            labels = ", ".join(d.label for d in inst.days if d.key in days)
            reasons.append(_("%(who)s is unavailable on %(days)s") % {"who": who, "days": labels})

    say(m.label, unavailable_days("participant", m.participant))
    for key in m.staff:
        s = staff.get(key)
        who = s.name if s else _("a staff member")
        say(who, unavailable_days("staff", key))
    if m.language:
        lang = m.language_label or m.language
        for d in inst.days:
            if not any(_interpreters_for(inst, m, d.key, s) for s in range(len(inst.slots(d.key)))):
                reasons.append(
                    _("no interpreter for %(language)s on %(day)s")
                    % {"language": lang, "day": d.label}
                )
    fitting = [
        r for r in inst.rooms if r.capacity >= m.people and (r.accessible or not m.needs_accessible)
    ]
    if not fitting:
        reasons.append(_("no room is large enough or has the step-free access needed"))
    if reasons:
        return reasons
    cands = candidates(inst, m)
    if not cands:
        return [_("the people in this meeting have no free time in common")]
    # common slots exist, but other meetings hold them: name the busiest shared resource
    taken: dict[str, int] = defaultdict(int)
    meetings = {x.key: x for x in inst.meetings}
    for day, slot, _room in cands:
        for other_key, p in placements.items():
            if (p.day, p.slot) != (day, slot):
                continue
            other = meetings[other_key]
            for s in set(other.staff) & set(m.staff):
                taken[staff[s].name if s in staff else _("a staff member")] += 1
    if taken:
        who = max(sorted(taken), key=lambda k: taken[k])
        return [
            _("every time they all have free is taken by other meetings of %(who)s") % {"who": who}
        ]
    return [_("every time they all have free is taken by other meetings (rooms or interpreters)")]


# --- CP-SAT -------------------------------------------------------------------------------


def solve(
    inst: Instance,
    *,
    time_limit: float = 10.0,
    workers: int = 2,
    seed: int = 0,
    interleave: bool = True,
    deterministic_time: float | None = None,
    progress: Callable[[int, str, list[int]], None] | None = None,
    on_progress: Callable[[int, float], None] | None = None,
) -> Result:
    """Best schedule found within `time_limit` wall-clock seconds, all phases together.

    Each phase stops at a share of a budget of CP-SAT's *deterministic* time (default
    `DET_PER_SECOND × time_limit`), which makes the result reproducible; the wall-clock
    limit is a cap that only cuts in on a slow or busy machine (then `Result.deterministic`
    is False and a repeat may differ).

    Levels 1–2 (placed, staff blocks) see interpreters only as a capacity per cell, like
    rooms (Hall's condition over the meetings' possible-interpreter sets); who interprets
    is decided from level 3 on, when it starts to matter. This keeps the hardest level
    small: no interpreter variables and no interchangeable interpreters to explore.

    `progress(percent, status, objective)` is called after each level; `on_progress(level,
    fraction)` (level 1–4, share of that level's budget used, 0–1) when the solver finds a
    better schedule within a level. Both are called in the caller's thread (the solver then
    runs in a helper thread), so they may write to the database.
    """
    from ortools.sat.python import cp_model

    t0 = time.monotonic()
    rooms = {r.key: r for r in inst.rooms}
    interpreters = {i.key: i for i in inst.interpreters}
    gaps = {m.key: m.missing_roles for m in inst.meetings if m.missing_roles}

    model = cp_model.CpModel()
    x: dict[tuple[int, int, int], object] = {}  # meeting, day, slot: placed there (some room)
    room_sets: dict[tuple[int, int, int], frozenset[int]] = {}
    interp_sets: dict[tuple[int, int, int], frozenset[int]] = {}
    locked_bad: dict[int, list[str]] = {}
    for m in inst.meetings:
        if m.locked is not None:
            problems = fits(inst, m, m.locked, rooms, interpreters)
            if problems:
                locked_bad[m.key] = problems
                continue
            cands = [(m.locked.day, m.locked.slot, m.locked.room)]
        else:
            cands = candidates(inst, m)
        grouped: dict[tuple[int, int], set[int]] = defaultdict(set)
        for day, slot, room in cands:
            grouped[(day, slot)].add(room)
        for (day, slot), room_keys in sorted(grouped.items()):
            x[(m.key, day, slot)] = model.NewBoolVar(f"x{m.key}_{day}_{slot}")
            room_sets[(m.key, day, slot)] = frozenset(room_keys)
            if m.language:
                options = (
                    [m.locked.interpreter]
                    if m.locked is not None
                    else _interpreters_for(inst, m, day, slot)
                )
                interp_sets[(m.key, day, slot)] = frozenset(options)
    by_meeting: dict[int, list] = defaultdict(list)
    for (mk, _d, _s), v in x.items():
        by_meeting[mk].append(v)
    for m in inst.meetings:
        vs = by_meeting.get(m.key, [])
        if vs:
            if m.locked is not None:
                model.Add(sum(vs) == 1)
            else:
                model.AddAtMostOne(vs)

    # rooms and interpreters per cell: Hall's condition over unions of the possible sets
    for sets in (room_sets, interp_sets):
        per_cell: dict[tuple[int, int], list] = defaultdict(list)
        for key, options in sets.items():
            per_cell[key[1:]].append((x[key], options))
        for _cell, pairs in sorted(per_cell.items()):
            for union in _unions({rs for _v, rs in pairs}):
                inside = [v for v, rs in pairs if rs <= union]
                if len(inside) > len(union):
                    model.Add(sum(inside) <= len(union))
    # one meeting per person and cell: staff and participants
    person_meetings: dict[tuple[str, int], list[int]] = defaultdict(list)
    for m in inst.meetings:
        person_meetings[("participant", m.participant)].append(m.key)
        for s in m.staff:
            person_meetings[("staff", s)].append(m.key)
    busy: dict[tuple[int, int, int], object] = {}  # staff, day, slot → Bool (for compactness)
    for (kind, pkey), mkeys in sorted(person_meetings.items()):
        for day, slot in inst.cells():
            vs = [x[(mk, day, slot)] for mk in mkeys if (mk, day, slot) in x]
            if not vs:
                continue
            if len(vs) > 1:
                model.AddAtMostOne(vs)
            if kind == "staff":
                b = model.NewBoolVar(f"b{pkey}_{day}_{slot}")
                model.Add(b == sum(vs))
                busy[(pkey, day, slot)] = b
    # per staff and day: the meetings' variables on that day, for the cuts in run_starts
    staff_day_meetings: dict[tuple[int, int], list] = defaultdict(list)
    staff_of = {m.key: m.staff for m in inst.meetings}
    for (mk, d, _s), v in x.items():
        for st in staff_of[mk]:
            staff_day_meetings[(st, d)].append((mk, v))

    def run_starts(table: dict[tuple[int, int, int], object], per_day_cuts=None) -> list:
        """A Bool per start of a block of consecutive busy slots (minimised → compact):
        st ≥ b − prev; every used day has at least one block, and "used that day" is at
        least each meeting's share of the day (`per_day_cuts`), which lifts the linear
        bound from ≈ 0 to one block per person and day they must come."""
        starts = []
        per_day: dict[tuple[int, int], list] = defaultdict(list)
        for (k, d, s), b in sorted(table.items()):
            prev = table.get((k, d, s - 1))
            if prev is None:
                st = b
            else:
                st = model.NewBoolVar(f"st{k}_{d}_{s}")
                model.Add(st >= b - prev)
                model.AddImplication(st, b)
                model.AddImplication(st, prev.Not())
            starts.append(st)
            per_day[(k, d)].append((b, st))
        for (k, d), pairs in sorted(per_day.items()):
            used = model.NewBoolVar(f"u{k}_{d}")
            for b, _st in pairs:
                model.AddImplication(b, used)
            for _mk, group in _groupby_meeting((per_day_cuts or {}).get((k, d), [])):
                model.Add(used >= sum(group))
            model.Add(sum(st for _b, st in pairs) >= used)
            model.Add(used <= sum(b for b, _st in pairs))
        return starts

    scheduled = sum(x.values())
    by_key = {m.key: m for m in inst.meetings}
    misses = sum(v for (mk, d, s), v in x.items() if _misses(inst, by_key[mk], d, s))

    y: dict[tuple[int, int, int, int], object] = {}  # meeting, day, slot, interpreter

    def staff_level():
        """Staff blocks; in large rounds with a tie-break that cannot outweigh one block:
        per language and day, the runs of slots that have a meeting in that language. Among
        equally compact schedules the search then prefers same-language meetings in a row,
        which is what level 3 needs — level 3 cannot move meetings much once staff blocks
        are fixed. Small rounds prove level 3 instead and do without it."""
        blocks = sum(run_starts(busy, staff_day_meetings))
        if small:  # solved for a proof, on the level's own objective: no tie-break
            return blocks
        languages = sorted({by_key[mk].language for mk, _d, _s in interp_sets})
        per_lang: dict[tuple[int, int, int], list] = defaultdict(list)
        for (mk, d, s), _options in interp_sets.items():
            per_lang[(languages.index(by_key[mk].language), d, s)].append(x[(mk, d, s)])
        z = {}
        for key, vs in sorted(per_lang.items()):
            z[key] = model.NewBoolVar(f"z{key}")
            for v in vs:
                model.AddImplication(v, z[key])
            model.Add(z[key] <= sum(vs))
        runs = run_starts(z)
        if isinstance(blocks, int) or not runs:
            return blocks
        return blocks, sum(runs), len(runs) + 1

    def add_interpreters():
        """Who interprets: one variable per meeting × cell × interpreter, one meeting per
        interpreter and cell, and the interpreter's blocks of consecutive slots (bookings)."""
        per_interp: dict[tuple[int, int, int], list] = defaultdict(list)
        interp_day_meetings: dict[tuple[int, int], list] = defaultdict(list)
        for key, options in sorted(interp_sets.items()):
            ys = []
            for i in sorted(options):
                v = model.NewBoolVar(f"y{key[0]}_{key[1]}_{key[2]}_{i}")
                y[(*key, i)] = v
                ys.append(v)
                per_interp[(i, key[1], key[2])].append(v)
                interp_day_meetings[(i, key[1])].append((key[0], v))
            model.Add(sum(ys) == x[key])
        ibusy = {}
        for (i, d, s), vs in sorted(per_interp.items()):
            b = model.NewBoolVar(f"i{i}_{d}_{s}")
            model.Add(b == sum(vs))  # at most one meeting per interpreter and cell
            ibusy[(i, d, s)] = b
        return sum(run_starts(ibusy, interp_day_meetings))

    phases: list[tuple[str, Any, bool]] = [
        ("placed", scheduled, True),
        ("staff", staff_level, False),
        ("interpreters", add_interpreters, False),
        ("preferences", misses, False),
    ]

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.interleave_search = interleave
    solver.parameters.log_search_progress = False
    objective: list[int] = []
    proven: list[bool] = []
    bounds: list[int] = []
    det_used = 0.0  # deterministic time spent so far
    det_total = DET_PER_SECOND * time_limit if deterministic_time is None else deterministic_time
    deterministic = True
    status_name = "optimal"
    solution: dict | None = None  # var → value of the best schedule so far
    # start from the greedy schedule: a good first solution for every phase
    start = greedy(inst).placements
    hint_x = dict.fromkeys(x.values(), 0)
    for mk, p in start.items():
        if (mk, p.day, p.slot) in x:
            hint_x[x[(mk, p.day, p.slot)]] = 1
    small = len(by_meeting) <= PROOF_MEETINGS
    weights = LEVEL_SHARES if small else LEVEL_SHARES_LARGE
    for n, ((_name, expr, maximise), share) in enumerate(zip(phases, weights, strict=True)):
        remaining = det_total - det_used
        # keep a little of the wall-clock limit for matching rooms and the reasons
        wall_left = time_limit * 0.97 - (time.monotonic() - t0)
        if remaining <= 0.01 or wall_left <= 0.05:
            status_name = "feasible"
            deterministic = deterministic and remaining <= 0.01
            break
        if callable(expr):  # levels add their variables when they start
            expr = expr()
        goal = expr
        if isinstance(expr, tuple):  # level with a tie-break: scale · level + tie-break
            expr, tie, scale = expr
            goal = scale * expr + tie
        if isinstance(expr, int):  # nothing to choose at this level
            objective.append(expr)
            proven.append(True)
            bounds.append(expr)
            continue
        part = 1.0 if n == len(phases) - 1 else share / sum(weights[n:])
        budget = max(remaining * part, 0.01)
        wall = wall_left * part

        # small rounds: one worker with the strongest linear relaxation (max_lp) on the
        # level's own objective — what proves them optimal; larger rounds: the portfolio
        # (LNS …) with the tie-break, which finds good schedules but proves little
        tied = goal is not expr and not small
        model.ClearHints()
        for v, val in _hints(solution, hint_x, x, y, interp_sets).items():
            model.AddHint(v, val)
        target = goal if tied else expr
        model.Maximize(target) if maximise else model.Minimize(target)
        params = solver.parameters
        params.num_workers = 1 if small else workers
        params.interleave_search = False if small else interleave
        params.linearization_level = 2 if small else 1
        # with one worker or interleaved search the same input gives the same schedule even
        # when the deterministic limit stops the search; on a busy machine the wall-clock
        # cap (the same share of the time left) stops it first
        params.max_deterministic_time = budget
        params.max_time_in_seconds = wall
        started = time.monotonic()
        status = _solve_reporting(solver, model, on_progress, n + 1, budget, max(wall, 1e-6))
        det_used += solver.response_proto.deterministic_time
        if status != cp_model.OPTIMAL and time.monotonic() - started >= wall * 0.98:
            deterministic = False  # the wall-clock cap, not the deterministic budget, stopped it
        value: int | None = None
        bound = None
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            value = int(solver.Value(expr))
            bound = _level_bound(solver.BestObjectiveBound(), maximise, scale if tied else 1)
            solution = {v: solver.Value(v) for v in list(x.values()) + list(y.values())}
        done = status == cp_model.OPTIMAL
        if value is None:
            status_name = "empty" if solution is None else "feasible"
            break
        is_proven = done or bound == value
        if not is_proven:
            status_name = "feasible"
        objective.append(value)
        proven.append(is_proven)
        bounds.append(value if is_proven else bound)
        if progress:
            progress(int(100 * (n + 1) / len(phases)), status_name, list(objective))
        # fix this level before optimising the next one
        model.Add(expr >= value) if maximise else model.Add(expr <= value)
        if n == 0 and is_proven and value == len(by_meeting):
            # every meeting that can be placed is: say so per meeting (much stronger
            # propagation for the next levels than the single sum)
            for vs in by_meeting.values():
                model.Add(sum(vs) == 1)

    placements: dict[int, Placement] = {}
    if solution:
        chosen: dict[tuple[int, int], list[int]] = defaultdict(list)
        for (mk, d, s), v in x.items():
            if solution.get(v):
                chosen[(d, s)].append(mk)
        chosen_i = {(mk, d, s): i for (mk, d, s, i), v in y.items() if solution.get(v)}
        if not chosen_i:  # stopped before level 3 chose interpreters
            chosen_i = _assign_interpreters(
                {
                    cell: {mk: interp_sets[(mk, *cell)] for mk in mks if by_key[mk].language}
                    for cell, mks in chosen.items()
                }
            )
        for (d, s), mks in sorted(chosen.items()):
            match = _match({mk: room_sets[(mk, d, s)] for mk in mks})
            for mk in mks:
                if mk in match and (not by_key[mk].language or (mk, d, s) in chosen_i):
                    placements[mk] = Placement(d, s, match[mk], chosen_i.get((mk, d, s)))
    if len(placements) < len(start):
        # stopped before the first level found anything as good: never worse than greedy
        placements, status_name, proven = dict(start), "feasible", [False] * len(proven)
    unscheduled = {}
    for m in inst.meetings:
        if m.key in placements:
            continue
        if m.key in locked_bad:
            unscheduled[m.key] = [
                _("the locked placement is no longer possible: %(problems)s")
                % {"problems": "; ".join(locked_bad[m.key])}
            ]
        else:
            unscheduled[m.key] = diagnose(inst, m, placements)
    return Result(
        placements=placements,
        unscheduled=unscheduled,
        gaps=gaps,
        metrics=evaluate(inst, placements),
        status=status_name if placements or not inst.meetings else "empty",
        seconds=time.monotonic() - t0,
        objective=objective,
        proven=proven,
        bounds=bounds,
        deterministic=deterministic,
        deterministic_seconds=det_used,
    )


def _level_bound(bound: float, maximise: bool, scale: int = 1) -> int:
    """The level's proven bound from the solver's bound on `scale · level + tie-break`
    (0 ≤ tie-break < scale; scale 1 = no tie-break)."""
    if scale > 1:
        bound = (bound - scale + 1) / scale
    return int(math.floor(bound + 1e-6)) if maximise else int(math.ceil(bound - 1e-6))


def _solve_reporting(solver, model, on_progress, level: int, det: float, wall: float):
    """`solver.Solve(model)`; with `on_progress`, the solver runs in a helper thread and its
    solution callbacks (CP-SAT worker threads) are relayed to `on_progress` in this thread —
    the latest one only, so a burst of solutions is one report."""
    if on_progress is None:
        return solver.Solve(model)
    events: queue.SimpleQueue[float] = queue.SimpleQueue()
    callback = _level_progress_class()(lambda _level, f: events.put(f), level, det, wall)
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(solver.Solve, model, callback)
        done = False
        while not done:
            try:
                fraction = events.get(timeout=0.2)
            except queue.Empty:
                done = future.done()
                continue
            while not events.empty():
                fraction = events.get()
            on_progress(level, fraction)
        return future.result()


@functools.cache
def _level_progress_class():
    from ortools.sat.python import cp_model

    class LevelProgress(cp_model.CpSolverSolutionCallback):
        """Reports how far a level is through its budget (deterministic or wall-clock,
        whichever is further) each time the solver finds a better schedule."""

        def __init__(self, report: Callable[[int, float], None], level: int, det, wall):
            super().__init__()
            self.report, self.level, self.det, self.wall = report, level, det, wall

        def on_solution_callback(self) -> None:
            used = max(self.deterministic_time / self.det, self.wall_time / self.wall)
            self.report(self.level, min(1.0, max(0.0, used)))

    return LevelProgress


def _groupby_meeting(pairs: list[tuple[int, object]]) -> list[tuple[int, list]]:
    grouped: dict[int, list] = defaultdict(list)
    for mk, v in pairs:
        grouped[mk].append(v)
    return sorted(grouped.items(), key=lambda kv: kv[0])


def _hints(solution, hint_x, x, y, interp_sets) -> dict:
    """Values to start the next phase from: the last solution, or the greedy schedule;
    interpreters (once they are variables) matched per cell if the solution has none."""
    hint = dict(solution) if solution else dict(hint_x)
    if y and not any(v in hint for v in y.values()):
        per_cell: dict[tuple[int, int], dict[int, frozenset[int]]] = defaultdict(dict)
        for key, options in interp_sets.items():
            if hint.get(x[key]):
                per_cell[key[1:]][key[0]] = options
        for v in y.values():
            hint[v] = 0
        for (mk, d, s), i in _assign_interpreters(per_cell).items():
            hint[y[(mk, d, s, i)]] = 1
    return hint


def _unions(sets: set[frozenset[int]], cap: int = 4096) -> list[frozenset[int]]:
    """All unions of the given sets (closure), in a fixed order."""
    closure: set[frozenset[int]] = set()
    for rs in sorted(sets, key=sorted):
        new = {rs} | {rs | u for u in closure}
        closure |= new
        if len(closure) > cap:  # many distinct room classes: fall back to singletons + all
            return sorted(
                {frozenset([r]) for s in sets for r in s} | {frozenset().union(*sets)}, key=sorted
            )
    return sorted(closure, key=lambda u: (len(u), sorted(u)))


def _match(
    options: dict[int, frozenset[int]], prefer: frozenset[int] = frozenset()
) -> dict[int, int]:
    """Bipartite matching meeting → room or interpreter (augmenting paths, keys in order:
    deterministic), trying `prefer` first. Hall's condition in the model guarantees a
    complete matching; should the union cap have weakened it, unmatched meetings are left
    out (and reported as not placed) rather than double-booked."""
    owner: dict[int, int] = {}

    def assign(mk: int, seen: set[int]) -> bool:
        for res in sorted(options[mk], key=lambda r: (r not in prefer, r)):
            if res in seen:
                continue
            seen.add(res)
            if res not in owner or assign(owner[res], seen):
                owner[res] = mk
                return True
        return False

    for mk in sorted(options):
        assign(mk, set())
    return {mk: res for res, mk in owner.items()}


def _assign_interpreters(
    cells: dict[tuple[int, int], dict[int, frozenset[int]]],
) -> dict[tuple[int, int, int], int]:
    """Interpreters for placed meetings when the solver did not choose them (level 3 not
    reached, or as its starting point): cell by cell, preferring whoever interprets in the
    slot before, so consecutive same-language meetings share a booking."""
    out: dict[tuple[int, int, int], int] = {}
    used: dict[tuple[int, int], frozenset[int]] = {}
    for (d, s), opts in sorted(cells.items()):
        match = _match(opts, used.get((d, s - 1), frozenset()))
        used[(d, s)] = frozenset(match.values())
        out.update({(mk, d, s): i for mk, i in match.items()})
    return out


# --- greedy baseline ----------------------------------------------------------------------


def greedy(inst: Instance) -> Result:
    """Baseline: most constrained meeting first, earliest free cell, first free room, an
    interpreter already booked in the next or previous slot if possible. Same rules (`fits`
    + occupancy), no look-ahead."""
    t0 = time.monotonic()
    occupied: set[tuple[str, int, int, int]] = set()
    placements: dict[int, Placement] = {}
    order = sorted(inst.meetings, key=lambda m: (m.locked is None, len(candidates(inst, m)), m.key))
    for m in order:
        options: Iterable[tuple[int, int, int]]
        if m.locked is not None:
            # a locked placement is kept as it is, or not at all if it no longer fits
            bad = fits(inst, m, m.locked)
            options = [] if bad else [(m.locked.day, m.locked.slot, m.locked.room)]
        else:
            options = candidates(inst, m)
        for day, slot, room in options:
            people = [("participant", m.participant)] + [("staff", s) for s in m.staff]
            if ("room", room, day, slot) in occupied:
                continue
            if any((k, key, day, slot) in occupied for k, key in people):
                continue
            interp = None
            if m.language:
                possible = (
                    [m.locked.interpreter]
                    if m.locked is not None
                    else _interpreters_for(inst, m, day, slot)
                )
                free_i = [i for i in possible if ("interpreter", i, day, slot) not in occupied]
                if not free_i:
                    continue
                # prefer an interpreter already booked next to this slot: one booking
                interp = min(
                    free_i,
                    key=lambda i: (
                        ("interpreter", i, day, slot - 1) not in occupied
                        and ("interpreter", i, day, slot + 1) not in occupied,
                        i,
                    ),
                )
                occupied.add(("interpreter", interp, day, slot))
            occupied.add(("room", room, day, slot))
            for k, key in people:
                occupied.add((k, key, day, slot))
            placements[m.key] = Placement(day, slot, room, interp)
            break
    unscheduled = {
        m.key: diagnose(inst, m, placements) for m in inst.meetings if m.key not in placements
    }
    return Result(
        placements=placements,
        unscheduled=unscheduled,
        gaps={m.key: m.missing_roles for m in inst.meetings if m.missing_roles},
        metrics=evaluate(inst, placements),
        status="greedy",
        seconds=time.monotonic() - t0,
    )
