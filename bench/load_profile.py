"""Why is a page slow under `bench/load.py`? One request at a time, in process, no queueing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kmvload \\
        .venv/bin/python bench/load_profile.py [--runs 3] [--explain]

Uses the database `bench/load.py` seeded. For the pages of each journey (as one of the seeded
users of that role) prints the median time, the number of SQL queries, the time spent in SQL
and the slowest statement; --explain also prints EXPLAIN ANALYZE of that statement.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
sys.path.insert(0, str(BASE / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kmv.settings")
os.environ["DEBUG"] = "1"
os.environ["KMV_REQUIRE_2FA"] = "0"  # force_login below; the 2FA check itself is not measured

import django  # noqa: E402

django.setup()

import load_seed  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def first_link(html: str, pattern: str) -> str | None:
    match = re.search(rf'href="({pattern})"', html)
    return match.group(1).replace("&amp;", "&") if match else None


def measure(client: Client, url: str, runs: int, explain: bool) -> str:
    times, sql = [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
        sql.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
    slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]))
    print(
        f"{url[:60]:<60} {response.status_code} {statistics.median(times):>7.0f} ms "
        f"{len(ctx.captured_queries):>4} q {statistics.median(sql):>7.0f} ms sql  "
        f"slowest {float(slowest['time']) * 1000:.0f} ms: {slowest['sql'][:160]}"
    )
    if explain:
        with connection.cursor() as c:
            c.execute("EXPLAIN ANALYZE " + slowest["sql"])
            print("\n".join("    " + row[0] for row in c.fetchall()))
    return response.content.decode(errors="replace")


def main() -> None:
    from kmv.access.models import User

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    if not load_seed.seeded_count():
        sys.exit("Seed first: run bench/load.py once.")
    run = lambda c, u: measure(c, u, args.runs, args.explain)  # noqa: E731

    def client(role: str) -> Client:
        c = Client()
        c.force_login(User.objects.get(username=load_seed.staff(role, 1)[0]))
        return c

    adviser = client("programme_adviser")
    page = run(adviser, "/deltakere/")
    run(adviser, "/deltakere/?q=Amina")
    pk = first_link(page, r"/deltakere/\d+/").split("/")[2]
    run(adviser, f"/deltakere/{pk}/")
    run(adviser, f"/ressursgrupper/deltaker/{pk}/plan/")
    page = run(adviser, "/runder/")
    rnd = first_link(page, r"/runder/\d+/")
    if rnd:
        run(adviser, rnd)
        run(adviser, f"{rnd}forslag/")
    for role in ("teacher", "career_counsellor"):
        worker = client(role)
        page = run(worker, "/ressursgrupper/mine-moter/")
        meeting = first_link(page, r"/ressursgrupper/mote/\d+/")
        if meeting:
            run(worker, meeting)
            run(worker, f"{meeting}referat/")
    coordinator = client("network_coordinator")
    page = run(coordinator, "/rapporter/")
    for pattern in (r"/rapporter/utvalg/\?[^\"]+", r"/rapporter/tabell/[\w-]+\.csv[^\"]*"):
        url = first_link(page, pattern)
        if url:
            run(coordinator, url)


if __name__ == "__main__":
    main()
