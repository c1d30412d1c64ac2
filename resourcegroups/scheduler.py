"""Round scheduler: pure input dataclasses → CP-SAT model → result. No database access.

A round has one slot grid: on each day, slots start every `slot + buffer` minutes from the
day's start. Every meeting takes one slot, one room and — if the participant needs one — one
interpreter who speaks the language. Because all meetings of a round have the same length
and sit on the grid, "no overlap + buffer" for a person, room or interpreter is exactly "at
most one meeting per grid cell". We therefore model it as a set-packing problem (one Boolean
per candidate meeting × cell × room, and per meeting × cell × interpreter) with `AddAtMostOne`
per resource and cell: the same optional-interval model, written in the form whose linear
relaxation is tight, so CP-SAT proves optimality quickly. Candidates are generated only where
every required person and the resources are available, so availability, language, room
capacity and accessibility are enforced by construction.

Objectives, lexicographic (solved in that order, each phase fixing the optimum of the
previous one and starting from its solution):
1. schedule as many meetings as possible;
2. keep staff days compact: minimise the number of separate blocks of meetings per staff
   member and day (idle gaps = blocks − 1);
3. fewer interpreter bookings: minimise the blocks of consecutive slots per interpreter and
   day (one booking = one block), which puts same-language participants in consecutive
   slots;
4. respect preferred times (morning / afternoon).

Determinism: fixed seed, fixed worker count, interleaved search, inputs sorted by key and
a deterministic time budget per phase (see `solve`).
`validate` applies the same rules to any set of placements (manual moves, the greedy
baseline, tests); `diagnose` names what blocks a meeting that could not be placed.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

MORNING = "morning"
AFTERNOON = "afternoon"
NOON = 12 * 60


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
        return ["not a slot of this round"]
    room = rooms.get(p.room)
    if room is None:
        problems.append("not a room of this round")
    else:
        if room.capacity < m.people:
            problems.append(f"{room.name} is too small")
        if m.needs_accessible and not room.accessible:
            problems.append(f"{room.name} is not accessible")
        if not inst.free("room", room.key, p.day, p.slot):
            problems.append(f"{room.name} is not available")
    if not inst.free("participant", m.participant, p.day, p.slot):
        problems.append(f"{m.label} is not available")
    for key in m.staff:
        if not inst.free("staff", key, p.day, p.slot):
            problems.append(f"staff {key} is not available")
    if m.language:
        it = interpreters.get(p.interpreter) if p.interpreter is not None else None
        if it is None:
            problems.append("no interpreter")
        else:
            if m.language not in it.languages:
                problems.append(f"{it.name} does not speak {m.language_label or m.language}")
            if not inst.free("interpreter", it.key, p.day, p.slot):
                problems.append(f"{it.name} is not available")
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
            problems.append(f"{m.label}: {problem}")
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
    for (kind, rkey, _day), starts in sorted(uses.items()):
        starts.sort()
        for (a, ma), (b, mb) in zip(starts, starts[1:], strict=False):
            if b - a < need:
                problems.append(
                    f"{kind} {rkey} double-booked: {meetings[ma].label} and {meetings[mb].label}"
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
            reasons.append(f"{who} unavailable {'both days' if len(days) == 2 else 'all days'}")
        else:
            labels = ", ".join(d.label for d in inst.days if d.key in days)
            reasons.append(f"{who} unavailable on {labels}")

    say(m.label, unavailable_days("participant", m.participant))
    for key in m.staff:
        s = staff.get(key)
        who = f"{s.role.replace('_', ' ')} {s.name}".strip() if s else f"staff {key}"
        say(who, unavailable_days("staff", key))
    if m.language:
        lang = m.language_label or m.language
        for d in inst.days:
            if not any(_interpreters_for(inst, m, d.key, s) for s in range(len(inst.slots(d.key)))):
                reasons.append(f"no {lang} interpreter on {d.label}")
    fitting = [
        r for r in inst.rooms if r.capacity >= m.people and (r.accessible or not m.needs_accessible)
    ]
    if not fitting:
        reasons.append("no room is large or accessible enough")
    if reasons:
        return reasons
    cands = candidates(inst, m)
    if not cands:
        return ["the people in this meeting have no common free slot"]
    # common slots exist, but other meetings hold them: name the busiest shared resource
    taken: dict[str, int] = defaultdict(int)
    meetings = {x.key: x for x in inst.meetings}
    for day, slot, _room in cands:
        for other_key, p in placements.items():
            if (p.day, p.slot) != (day, slot):
                continue
            other = meetings[other_key]
            for s in set(other.staff) & set(m.staff):
                taken[f"{staff[s].name if s in staff else s}"] += 1
    if taken:
        who = max(sorted(taken), key=lambda k: taken[k])
        return [f"every common slot is taken by other meetings of {who}"]
    return ["every common slot is taken by other meetings (rooms or interpreters)"]


# --- CP-SAT -------------------------------------------------------------------------------


def solve(
    inst: Instance,
    *,
    time_limit: float = 10.0,
    workers: int = 2,
    seed: int = 0,
    interleave: bool = True,
    progress: Callable[[int, str, list[int]], None] | None = None,
) -> Result:
    """Best schedule found within `time_limit` seconds (all phases together)."""
    from ortools.sat.python import cp_model

    t0 = time.monotonic()
    rooms = {r.key: r for r in inst.rooms}
    interpreters = {i.key: i for i in inst.interpreters}
    gaps = {m.key: m.missing_roles for m in inst.meetings if m.missing_roles}

    model = cp_model.CpModel()
    # Rooms are aggregated: x[m, day, slot] says "in some room", and Hall's condition per
    # cell (for every union S of the meetings' possible-room sets, at most |S| meetings
    # whose rooms all lie in S) guarantees a room for everyone; the rooms are matched after
    # solving. Three times fewer variables and no room symmetry to explore.
    x: dict[tuple[int, int, int], object] = {}  # meeting, day, slot
    room_sets: dict[tuple[int, int, int], frozenset[int]] = {}
    y: dict[tuple[int, int, int, int], object] = {}  # meeting, day, slot, interpreter
    at: dict[tuple[int, int, int], list] = defaultdict(list)  # meeting, day, slot → x vars
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
            v = model.NewBoolVar(f"x{m.key}_{day}_{slot}")
            x[(m.key, day, slot)] = v
            room_sets[(m.key, day, slot)] = frozenset(room_keys)
            at[(m.key, day, slot)].append(v)
        if m.language:
            for day, slot in sorted(grouped):
                if m.locked is not None:
                    options = [m.locked.interpreter]
                else:
                    options = _interpreters_for(inst, m, day, slot)
                ys = []
                for i in options:
                    v = model.NewBoolVar(f"y{m.key}_{day}_{slot}_{i}")
                    y[(m.key, day, slot, i)] = v
                    ys.append(v)
                model.Add(sum(ys) == sum(at[(m.key, day, slot)]))
    placed = {}
    by_meeting: dict[int, list] = defaultdict(list)
    for (mk, _d, _s), v in x.items():
        by_meeting[mk].append(v)
    for m in inst.meetings:
        vs = by_meeting.get(m.key, [])
        placed[m.key] = sum(vs)
        if vs:
            if m.locked is not None:
                model.Add(sum(vs) == 1)
            else:
                model.AddAtMostOne(vs)

    # rooms per cell: Hall's condition over unions of the possible-room sets
    per_cell: dict[tuple[int, int], list] = defaultdict(list)
    for (mk, d, s), v in x.items():
        per_cell[(d, s)].append((v, room_sets[(mk, d, s)]))
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
            vs = [v for mk in mkeys for v in at.get((mk, day, slot), ())]
            if not vs:
                continue
            if len(vs) > 1:
                model.AddAtMostOne(vs)
            if kind == "staff":
                b = model.NewBoolVar(f"b{pkey}_{day}_{slot}")
                model.Add(b == sum(vs))
                busy[(pkey, day, slot)] = b
    # one meeting per interpreter and cell
    per_interp: dict[tuple[int, int, int], list] = defaultdict(list)
    for (_mk, d, s, i), v in y.items():
        per_interp[(i, d, s)].append(v)
    ibusy = {}
    for (i, d, s), vs in sorted(per_interp.items()):
        if len(vs) > 1:
            model.AddAtMostOne(vs)
        b = model.NewBoolVar(f"i{i}_{d}_{s}")
        model.Add(b == sum(vs))
        ibusy[(i, d, s)] = b

    def run_starts(table: dict[tuple[int, int, int], object]) -> list:
        """A Bool per start of a block of consecutive busy slots (minimised → compact).
        Defined exactly (st = b ∧ ¬prev) and with "≥ one block per used day", which gives
        the linear relaxation a useful bound."""
        starts = []
        per_day: dict[tuple[int, int], list] = defaultdict(list)
        for (k, d, s), b in sorted(table.items()):
            prev = table.get((k, d, s - 1))
            if prev is None:
                st = b
            else:
                st = model.NewBoolVar(f"st{k}_{d}_{s}")
                model.Add(st >= b - prev)
                model.Add(st <= b)
                model.Add(st <= 1 - prev)
            starts.append(st)
            per_day[(k, d)].append((b, st))
        for (k, d), pairs in sorted(per_day.items()):
            used = model.NewBoolVar(f"u{k}_{d}")
            for b, _st in pairs:
                model.Add(used >= b)
            model.Add(sum(st for _b, st in pairs) >= used)
            model.Add(used <= sum(b for b, _st in pairs))
        return starts

    scheduled = sum(placed.values())
    staff_blocks = sum(run_starts(busy))
    interp_blocks = sum(run_starts(ibusy))
    by_key = {m.key: m for m in inst.meetings}
    misses = sum(v for (mk, d, s), v in x.items() if _misses(inst, by_key[mk], d, s))
    phases = [(scheduled, True), (staff_blocks, False), (interp_blocks, False), (misses, False)]

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.interleave_search = interleave
    solver.parameters.log_search_progress = False
    objective: list[int] = []
    proven: list[bool] = []
    det_used = 0.0  # deterministic time spent so far
    status_name = "optimal"
    last_solution: dict | None = None
    # start from the greedy schedule: a good first solution for every phase
    start = greedy(inst).placements
    hint = dict.fromkeys(list(x.values()) + list(y.values()), 0)
    for mk, p in start.items():
        if (mk, p.day, p.slot) in x:
            hint[x[(mk, p.day, p.slot)]] = 1
            if p.interpreter is not None and (mk, p.day, p.slot, p.interpreter) in y:
                hint[y[(mk, p.day, p.slot, p.interpreter)]] = 1
    for v, val in hint.items():
        model.AddHint(v, val)
    weights = [0.4, 0.3, 0.2, 0.1]
    for n, ((expr, maximise), share) in enumerate(zip(phases, weights, strict=True)):
        if isinstance(expr, int):  # nothing to choose at this level
            objective.append(expr)
            proven.append(True)
            continue
        remaining = time_limit - det_used
        if remaining <= 0.05 or time.monotonic() - t0 > 2 * time_limit:
            status_name = "feasible"
            break
        budget = (
            remaining if n == len(phases) - 1 else max(remaining * share / sum(weights[n:]), 0.05)
        )
        if maximise:
            model.Maximize(expr)
        else:
            model.Minimize(expr)
        if last_solution is not None:
            model.ClearHints()
            for v, val in last_solution.items():
                model.AddHint(v, val)
        # the budget is in CP-SAT's deterministic time (≈ seconds, but reproducible): with
        # interleaved search the same input gives the same schedule even when the limit
        # stops the search; wall-clock time is only a safety net
        solver.parameters.max_deterministic_time = budget
        solver.parameters.max_time_in_seconds = max(budget * 2, 1.0)
        status = solver.Solve(model)
        det_used += solver.response_proto.deterministic_time
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            status_name = "empty" if last_solution is None else "feasible"
            break
        if status != cp_model.OPTIMAL:
            status_name = "feasible"
        value = int(round(solver.ObjectiveValue()))
        objective.append(value)
        proven.append(status == cp_model.OPTIMAL)
        last_solution = {v: solver.Value(v) for v in list(x.values()) + list(y.values())}
        if progress:
            progress(int(100 * (n + 1) / len(phases)), status_name, list(objective))
        # fix this level before optimising the next one
        model.Add(expr >= value) if maximise else model.Add(expr <= value)

    placements: dict[int, Placement] = {}
    if last_solution:
        chosen_i = {(mk, d, s): i for (mk, d, s, i), v in y.items() if last_solution.get(v)}
        chosen: dict[tuple[int, int], list[int]] = defaultdict(list)
        for (mk, d, s), v in x.items():
            if last_solution.get(v):
                chosen[(d, s)].append(mk)
        for (d, s), mks in sorted(chosen.items()):
            match = _match_rooms({mk: room_sets[(mk, d, s)] for mk in mks})
            for mk in mks:
                placements[mk] = Placement(d, s, match[mk], chosen_i.get((mk, d, s)))
    unscheduled = {}
    for m in inst.meetings:
        if m.key in placements:
            continue
        if m.key in locked_bad:
            unscheduled[m.key] = [
                "locked placement no longer possible: " + "; ".join(locked_bad[m.key])
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
    )


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


def _match_rooms(options: dict[int, frozenset[int]]) -> dict[int, int]:
    """Bipartite matching meeting → room (augmenting paths, keys in order: deterministic)."""
    owner: dict[int, int] = {}

    def assign(mk: int, seen: set[int]) -> bool:
        for room in sorted(options[mk]):
            if room in seen:
                continue
            seen.add(room)
            if room not in owner or assign(owner[room], seen):
                owner[room] = mk
                return True
        return False

    for mk in sorted(options):
        if not assign(mk, set()):
            raise AssertionError("Hall's condition guarantees a room")  # pragma: no cover
    return {mk: room for room, mk in owner.items()}


# --- greedy baseline ----------------------------------------------------------------------


def greedy(inst: Instance) -> Result:
    """Baseline: most constrained meeting first, earliest free cell, first free room and
    interpreter. Same rules (`fits` + occupancy), no look-ahead."""
    t0 = time.monotonic()
    occupied: set[tuple[str, int, int, int]] = set()
    placements: dict[int, Placement] = {}
    order = sorted(inst.meetings, key=lambda m: (m.locked is None, len(candidates(inst, m)), m.key))
    for m in order:
        options: Iterable[tuple[int, int, int]]
        if m.locked is not None:
            options = [(m.locked.day, m.locked.slot, m.locked.room)]
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
                free_i = [
                    i
                    for i in _interpreters_for(inst, m, day, slot)
                    if ("interpreter", i, day, slot) not in occupied
                ]
                if not free_i:
                    continue
                interp = free_i[0]
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
