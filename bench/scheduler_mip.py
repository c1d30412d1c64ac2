"""Cross-check of the scheduler's first two levels with a MIP solver (SCIP, bundled with
OR-Tools: no extra dependency), on the bench's generated rounds.

    .venv/bin/python bench/scheduler_mip.py [--size 40] [--seeds 1 2 3] [--time-limit 120]

Why: CP-SAT proves levels 1–2 (placed, staff blocks) on most 40-participant rounds within
seconds but not on all of them; this builds the same levels as an independent linear model
(one Boolean per meeting × cell, at most one meeting per person and cell, Hall's condition
for rooms and interpreters per cell, runs of busy slots per staff member and day) and lets
SCIP prove them, which tells whether CP-SAT's values are right where it proves them, how far
its schedule is from the optimum where it does not, and how long a proof takes.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ortools.linear_solver import pywraplp  # noqa: E402
from scheduler import make_instance  # noqa: E402  (bench/scheduler.py)

from resourcegroups import scheduler as s  # noqa: E402


def build(inst: s.Instance):
    solver = pywraplp.Solver.CreateSolver("SCIP")
    x, room_sets, interp_sets = {}, {}, {}
    for m in inst.meetings:
        grouped: dict[tuple[int, int], set[int]] = defaultdict(set)
        for day, slot, room in s.candidates(inst, m):
            grouped[(day, slot)].add(room)
        for (day, slot), rooms in sorted(grouped.items()):
            x[(m.key, day, slot)] = solver.BoolVar(f"x{m.key}_{day}_{slot}")
            room_sets[(m.key, day, slot)] = frozenset(rooms)
            if m.language:
                interp_sets[(m.key, day, slot)] = frozenset(s._interpreters_for(inst, m, day, slot))
    by_meeting = defaultdict(list)
    for (mk, _d, _s), v in x.items():
        by_meeting[mk].append(v)
    for vs in by_meeting.values():
        solver.Add(sum(vs) <= 1)
    for sets in (room_sets, interp_sets):
        per_cell = defaultdict(list)
        for key, options in sets.items():
            per_cell[key[1:]].append((x[key], options))
        for pairs in per_cell.values():
            for union in s._unions({rs for _v, rs in pairs}):
                inside = [v for v, rs in pairs if rs <= union]
                if len(inside) > len(union):
                    solver.Add(sum(inside) <= len(union))
    person = defaultdict(list)
    for m in inst.meetings:
        person[("participant", m.participant)].append(m.key)
        for st in m.staff:
            person[("staff", st)].append(m.key)
    busy = {}
    for (kind, key), mkeys in person.items():
        for day, slot in inst.cells():
            vs = [x[(mk, day, slot)] for mk in mkeys if (mk, day, slot) in x]
            if len(vs) > 1:
                solver.Add(sum(vs) <= 1)
            if vs and kind == "staff":
                busy[(key, day, slot)] = sum(vs)
    starts = []
    for (key, day, slot), b in busy.items():
        start = solver.BoolVar("")
        prev = busy.get((key, day, slot - 1))
        solver.Add(start >= (b - prev if prev is not None else b))
        starts.append(start)
    return solver, sum(x.values()), sum(starts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=40)
    parser.add_argument("--seeds", type=int, nargs="*", default=[1, 2, 3])
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds per level")
    parser.add_argument("--cp-sat-seconds", type=float, default=5.0)
    args = parser.parse_args()
    print(f"load average: {Path('/proc/loadavg').read_text().split()[:3]}")
    print(
        "| N | seed | SCIP placed | s | SCIP staff blocks (bound) | s | CP-SAT placed "
        f"| CP-SAT staff blocks (bound) in {args.cp_sat_seconds:g} s |"
    )
    print("|" + "---|" * 8)
    for seed in args.seeds:
        inst = make_instance(args.size, seed=seed)
        solver, placed, blocks = build(inst)
        solver.SetTimeLimit(int(args.time_limit * 1000))
        solver.Maximize(placed)
        t = time.monotonic()
        solver.Solve()
        t1 = time.monotonic() - t
        n_placed = round(solver.Objective().Value())
        solver.Add(placed >= n_placed)
        solver.Minimize(blocks)
        t = time.monotonic()
        status = solver.Solve()
        t2 = time.monotonic() - t
        value, bound = solver.Objective().Value(), solver.Objective().BestBound()
        level2 = f"{value:.0f}" + ("" if status == pywraplp.Solver.OPTIMAL else f" ({bound:.1f})")
        c = s.solve(inst, time_limit=args.cp_sat_seconds)
        cp2 = str(c.objective[1]) if len(c.objective) > 1 else "-"
        if len(c.proven) > 1 and not c.proven[1]:
            cp2 += f" ({c.bounds[1]})"
        print(
            f"| {args.size} | {seed} | {n_placed} | {t1:.1f} | {level2} | {t2:.1f} "
            f"| {c.objective[0] if c.objective else '-'} | {cp2} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
