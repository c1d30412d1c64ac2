"""Dashboard at national scale: app time vs the bare SQL, per section (medians).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kmvbench \\
        .venv/bin/python bench/dashboard.py --participants 100000 --runs 5

Generates (once; again with --regenerate) N participants in 356 municipalities, their
resource groups, ~2 outcome records per participant (60 % in an upper-secondary cohort),
4 meetings per participant (stages 1–4; ~half held, with 2 invitations each) — all with
INSERT … SELECT generate_series, server-side, in seconds. Then, per dashboard section:

- app: the selector (ORM + the Python that classifies groups and suppresses), median;
- sql: the very SQL statements the selector sent, executed bare on a cursor, median;
- ratio app / sql, and the number of queries (the same whatever N).

PostgreSQL only (the generator uses generate_series).
"""

# ruff: noqa: S608 — the generator's SQL interpolates only integers computed here
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kmv.settings")
os.environ.setdefault("KMV_TESTING", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

MUNICIPALITIES = 356
AGENCIES = 40
STAFF = 400


def generate(n: int) -> None:
    from kmv.access.models import Agency, Municipality, User

    with connection.cursor() as c:
        c.execute(
            "TRUNCATE participants_outcomerecord, participants_settledfigure, "
            "resourcegroups_meetinginvitee, resourcegroups_meeting, "
            "resourcegroups_membership, resourcegroups_resourcegroup, "
            "participants_participant CASCADE"
        )
    if Municipality.objects.count() < MUNICIPALITIES:
        Municipality.objects.bulk_create(
            [
                Municipality(number=f"{i:04d}", name=f"Kommune {i:04d}")
                for i in range(MUNICIPALITIES)
            ],
            ignore_conflicts=True,
        )
    if Agency.objects.count() < AGENCIES:
        Agency.objects.bulk_create(
            [Agency(name=f"Bench agency {i}", kind="nav_integration") for i in range(AGENCIES)],
            ignore_conflicts=True,
        )
    agencies = list(Agency.objects.order_by("pk").values_list("pk", flat=True)[:AGENCIES])
    if User.objects.filter(username__startswith="bench").count() < STAFF:
        User.objects.bulk_create(
            [
                User(
                    username=f"bench{i}",
                    agency_id=agencies[i % len(agencies)],
                    role="teacher",
                    password="!",
                )
                for i in range(STAFF)
            ],
            ignore_conflicts=True,
        )
    m0 = Municipality.objects.order_by("pk").values_list("pk", flat=True).first()
    a0, s0 = agencies[0], User.objects.filter(username="bench0").values_list("pk", flat=True)[0]
    started = time.perf_counter()
    with connection.cursor() as c:
        c.execute(
            f"""
            INSERT INTO participants_participant (first_name, last_name, date_of_birth,
              languages, preferred_language, interpreter_needed, interpreter_language, pathway,
              status, phone, email, address, goal, created_at, updated_at, version,
              municipality_id, owner_agency_id, intro_programme_start)
            SELECT 'P' || g, 'Bench', date '1980-01-01' + (g % 9000)::int, '[]', 'ar', false, '',
              CASE WHEN g % 10 = 0 THEN 'without_vgo' ELSE 'with_vgo' END, 'active',
              '', '', '', '', now(), now(), 1,
              {m0} + (g * 7919) % {MUNICIPALITIES}, {a0} + g % {AGENCIES},
              date '2018-01-01' + (g % 2900)::int
            FROM generate_series(1, {int(n)}) g
            """
        )
        c.execute(
            """
            INSERT INTO resourcegroups_resourcegroup (participant_id, created_at)
            SELECT id, timestamptz '2019-01-01' + ((id * 37) % 2700) * interval '1 day'
            FROM participants_participant
            """
        )
        # outcomes: 60 % started upper-secondary (cohort 2018–2025); then a later status
        c.execute(
            f"""
            INSERT INTO participants_outcomerecord (participant_id, status, since, cohort_year,
              in_work, note, created_at, reported_by_agency_id)
            SELECT id, 'upper_secondary_started', make_date((2018 + id % 8)::int, 8, 15),
              2018 + id % 8, false, '', now(), {a0} + id % {AGENCIES}
            FROM participants_participant WHERE id % 10 < 6
            """
        )
        c.execute(
            f"""
            INSERT INTO participants_outcomerecord (participant_id, status, since, cohort_year,
              in_work, in_work_since, note, created_at, reported_by_agency_id)
            SELECT id, (ARRAY['passed_trade_certificate', 'not_passed', 'dropped_out',
                'in_school', 'higher_education', 'unknown', 'moved_away',
                'adult_education'])[1 + (id * 13) % 8],
              make_date((2019 + id % 8)::int, 6, 20), NULL, (id * 7) % 3 = 0,
              CASE WHEN (id * 7) % 3 = 0 THEN make_date((2019 + id % 8)::int, 8, 1) END,
              '', now(), {a0} + id % {AGENCIES}
            FROM participants_participant WHERE id % 10 < 8
            """
        )
        c.execute(
            """
            INSERT INTO resourcegroups_meeting (participant_id, routine_id, stage_id, sequence,
              due_date, planned_start, place, interpreter_needed, interpreter_language,
              interpreter_booked, status, hand_edited, needs_review, concern_reason, version,
              created_at, updated_at)
            SELECT p.id, s.routine_id, s.id, 0,
              date '2019-01-01' + ((p.id * 31 + s.number * 200) % 3000)::int,
              CASE WHEN (p.id + s.number) % 2 = 0 THEN
                (date '2019-01-01' + ((p.id * 31 + s.number * 200) % 3000)::int
                  + ((p.id % 120) - 60)::int) + time '10:00' END,
              '', false, '', '',
              CASE WHEN (p.id + s.number) % 2 = 0 THEN 'held' ELSE 'planned' END,
              false, false, '', 1, now(), now()
            FROM participants_participant p
            CROSS JOIN (SELECT id, routine_id, number FROM resourcegroups_routinestage
                        WHERE kind = 'milestone' AND routine_id = (
                          SELECT min(id) FROM resourcegroups_routine)) s
            """
        )
        c.execute(
            f"""
            INSERT INTO resourcegroups_meetinginvitee (meeting_id, staff_id, agency_id, role,
              attendance)
            SELECT m.id, u.id, u.agency_id, 'teacher',
              (ARRAY['present', 'present', 'present', 'absent', 'excused', ''])[1 + (m.id + k) % 6]
            FROM resourcegroups_meeting m CROSS JOIN generate_series(0, 1) k
            JOIN access_user u ON u.id = {s0} + (m.id + k * 17) % {STAFF}
            WHERE m.status = 'held'
            """
        )
        c.execute(
            f"""
            INSERT INTO participants_settledfigure (municipality_id, year, count, updated_at)
            SELECT {m0} + m, y, 20 + (m * y) % 300, now()
            FROM generate_series(0, {MUNICIPALITIES - 1}) m, generate_series(2019, 2026) y
            """
        )
        c.execute("VACUUM ANALYZE")  # index-only scans need the visibility map
    print(f"generated {n} participants in {time.perf_counter() - started:.1f} s")


def counts() -> dict[str, int]:
    with connection.cursor() as c:
        out = {}
        for table in (
            "participants_participant",
            "participants_outcomerecord",
            "resourcegroups_meeting",
            "resourcegroups_meetinginvitee",
        ):
            c.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 — fixed names
            out[table] = c.fetchone()[0]
    return out


def bench(runs: int) -> None:
    from reports import selectors
    from reports.selectors import Filters

    today = timezone.localdate()
    filters = Filters(year_from=2019, year_to=2026)
    sections = {
        "participation": lambda: selectors.participation(filters, today=today),
        "cohort outcomes": lambda: selectors.cohort_outcomes(filters),
        "routine compliance": lambda: selectors.compliance(filters, today=today),
        "attendance": lambda: selectors.attendance(filters),
        "whole dashboard": lambda: selectors.dashboard(filters, today=today),
    }
    print(f"{'section':<20} {'queries':>7} {'app ms':>9} {'sql ms':>9} {'ratio':>6}")
    for name, fn in sections.items():
        fn()  # warm
        app, sql = [], []
        statements: list[str] = []
        for _i in range(runs):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                fn()
                app.append(time.perf_counter() - t0)
            statements = [q["sql"] for q in ctx.captured_queries]
            t0 = time.perf_counter()
            with connection.cursor() as c:
                for statement in statements:
                    c.execute(statement)
                    c.fetchall()
            sql.append(time.perf_counter() - t0)
        a, s = statistics.median(app) * 1000, statistics.median(sql) * 1000
        print(f"{name:<20} {len(statements):>7} {a:>9.1f} {s:>9.1f} {a / s:>6.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database (it will be filled with data).")
    call_command("migrate", verbosity=0)
    if args.regenerate or counts()["participants_participant"] != args.participants:
        generate(args.participants)
    print(", ".join(f"{k.split('_', 1)[1]}: {v}" for k, v in counts().items()))
    bench(args.runs)


if __name__ == "__main__":
    main()
