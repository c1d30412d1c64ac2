"""Round scheduler benchmark: CP-SAT against the greedy baseline on generated rounds.

    .venv/bin/python bench/scheduler.py [--time-limit 30] [--sizes 20 40 60 150] [--seed 1]

Each instance: N participants, 5 roles (a staff pool per role, each group draws one member
per role), 2 days 08:00–16:00, 45-minute slots + 10-minute buffer, 3 rooms (one small, one
not accessible), 6 interpreter languages (≈ 60 % need an interpreter; 1–2 interpreters per
language with day-off and half-day blocks); staff are away for random half or whole days.
No database: pure `resourcegroups.scheduler`.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from resourcegroups import scheduler as s  # noqa: E402

ROLES = ["programme_adviser", "teacher", "career_counsellor", "school_adviser", "follow_up"]
LANGUAGES = ["ti", "ar", "prs", "so", "uk", "ku"]


def make_instance(n: int, *, seed: int = 1, days: int = 2, rooms: int = 3) -> s.Instance:
    rng = random.Random(seed * 1000 + n)
    day_list = [s.Day(d, f"day {d + 1}", 8 * 60, 16 * 60) for d in range(days)]
    room_list = [
        s.Room(r, f"Room {r + 1}", capacity=5 if r == 0 else 10, accessible=r != 1)
        for r in range(rooms)
    ]
    pool = max(2, -(-n // 8))
    staff = [
        s.Staff(ri * 1000 + k, f"{role[:4]}{k}", role)
        for ri, role in enumerate(ROLES)
        for k in range(pool)
    ]
    blocks = []

    def away(kind, key, p_day, p_half):
        for d in range(days):
            r = rng.random()
            if r < p_day:
                blocks.append(s.Block(kind, key, d, 8 * 60, 16 * 60))
            elif r < p_day + p_half:
                half = rng.choice([(8 * 60, 12 * 60), (12 * 60, 16 * 60)])
                blocks.append(s.Block(kind, key, d, *half))

    for st in staff:
        away("staff", st.key, 0.08, 0.2)
    interpreters = []
    k = 0
    for lang in LANGUAGES:
        for _ in range(rng.choice([1, 2])):
            langs = {lang} | ({rng.choice(LANGUAGES)} if rng.random() < 0.3 else set())
            interpreters.append(s.Interpreter(k, f"int{k}", frozenset(langs)))
            away("interpreter", k, 0.1, 0.25)
            k += 1
    meetings = []
    for p in range(n):
        members = tuple(
            ri * 1000 + rng.randrange(pool) for ri in range(len(ROLES)) if rng.random() < 0.9
        )
        language = rng.choice(LANGUAGES) if rng.random() < 0.6 else ""
        away("participant", p, 0.05, 0.15)
        meetings.append(
            s.MeetingIn(
                key=p,
                participant=p,
                label=f"P{p}",
                staff=members,
                language=language,
                needs_accessible=rng.random() < 0.1,
                preferred=rng.choice(["", "", s.MORNING, s.AFTERNOON]),
            )
        )
    return s.Instance(day_list, 45, 10, room_list, staff, interpreters, meetings, blocks)


LEVELS = ["placed", "gaps", "interp.", "pref."]


def _proven(result) -> str:
    if result.status == "greedy":
        return "–"
    done = [name for name, ok in zip(LEVELS, result.proven, strict=False) if ok]
    return ", ".join(done) or "none"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[20, 40, 60, 150])
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    header = (
        "| N | method | status | time s | scheduled | possible* | interpreter bookings "
        "| idle gaps | pref. misses | proven optimal levels |"
    )
    print(header)
    print("|" + "---|" * 10)
    for n in args.sizes:
        inst = make_instance(n, seed=args.seed)
        possible = sum(1 for m in inst.meetings if s.candidates(inst, m))
        for name, result in (
            ("greedy", s.greedy(inst)),
            ("cp-sat", s.solve(inst, time_limit=args.time_limit, workers=args.workers)),
        ):
            assert not s.validate(inst, result.placements), s.validate(inst, result.placements)
            m = result.metrics
            print(
                f"| {n} | {name} | {result.status} | {result.seconds:.2f} | {m.scheduled} "
                f"| {possible} | {m.interpreter_bookings} | {m.idle_gaps} "
                f"| {m.preference_misses} | {_proven(result)} |",
                flush=True,
            )
    print("\n*possible = meetings with at least one common free slot on their own.")


if __name__ == "__main__":
    main()
