"""Load test: 20 people working at once against gunicorn + PostgreSQL, on loopback.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kmvload \\
        .venv/bin/python bench/load.py [--run-time 60s] [--participants 25000]
    # or: make bench-load

1. Seeds the database (once; again with --reseed or when the size differs) with N participants
   and their groups, consents, meetings and rounds (`bench/load_seed.py`, bulk inserts).
2. Collects static files and starts gunicorn (2 workers, DEBUG=0, 127.0.0.1 only).
3. Runs locust headless (`bench/load_locustfile.py`) for --run-time with 20 users — 8 programme
   advisers, 5 teachers, 3 career counsellors, 4 coordinators — each logging in with password
   and TOTP, then walking their journey with 1–2 s think time.
4. Prints p50/p95/p99 and errors per request type (logins listed apart) and PASS/FAIL against
   the goal: p95 < 200 ms, p99 < 500 ms, 0 errors, over all journey requests.

The database is overwritten: give it one of its own. REDIS_URL is passed on to gunicorn
(cache, task broker) when set.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
sys.path.insert(0, str(BASE / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kmv.settings")

GOAL_P95, GOAL_P99 = 200.0, 500.0
# simulated people per role; must match fixed_count in load_locustfile.py
PEOPLE = {"programme_adviser": 8, "teacher": 5, "career_counsellor": 3, "network_coordinator": 4}


def loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().strip()
    except OSError:
        return "n/a"


def prepare(participants: int, reseed: bool) -> dict:
    import django

    django.setup()
    import load_seed
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database of its own (it will be overwritten).")
    call_command("migrate", verbosity=0)
    if reseed or load_seed.seeded_count() != participants:
        load_seed.seed(participants)
    else:
        print(f"re-using the seeded database ({participants} participants)")
    users = {role: load_seed.staff(role, n) for role, n in PEOPLE.items()}
    for role, names in users.items():
        if len(names) < PEOPLE[role]:
            sys.exit(f"not enough {role} accounts in the seed")
    keys = load_seed.totp_keys([u for names in users.values() for u in names])
    connection.close()
    return {"users": users, "keys": keys, "password": load_seed.PASSWORD}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, workers: int, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "0",  # plain http on loopback; no proxy in front
        "LOG_LEVEL": "WARNING",
    }
    env.pop("KMV_TESTING", None)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE,
        env=env,
        check=True,
    )
    proc = subprocess.Popen(  # noqa: S603 — fixed argument list
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "kmv.wsgi:application",
            f"--workers={workers}",
            f"--bind=127.0.0.1:{port}",
            "--timeout=60",
        ],
        cwd=BASE,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/konto/logg-inn/", timeout=5) as r:  # noqa: S310
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    sys.exit(f"gunicorn did not answer within 60 s; see {log}")


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values)) - 1))]


def report(samples: list) -> bool:
    by_name: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, list[str]] = defaultdict(list)
    for name, ms, error in samples:
        by_name[name].append(ms)
        if error:
            errors[name].append(error)
    header = f"{'request':<52} {'n':>5} {'err':>4} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>6}"
    print(header + "\n" + "-" * len(header))
    journey: list[float] = []
    journey_errors = 0
    for name in sorted(by_name, key=lambda n: (n.startswith("[login]"), n)):
        t = by_name[name]
        flag = ""
        if not name.startswith("[login]"):
            journey += t
            journey_errors += len(errors[name])
            if pct(t, 95) >= GOAL_P95 or pct(t, 99) >= GOAL_P99:
                flag = "  slow"
        print(
            f"{name[:52]:<52} {len(t):>5} {len(errors[name]):>4} {pct(t, 50):>6.0f} "
            f"{pct(t, 95):>6.0f} {pct(t, 99):>6.0f} {max(t):>6.0f}{flag}"
        )
    if not journey:
        print("no journey requests were made")
        return False
    p50, p95, p99 = pct(journey, 50), pct(journey, 95), pct(journey, 99)
    print("-" * len(header))
    print(
        f"{'all journey requests':<52} {len(journey):>5} {journey_errors:>4} {p50:>6.0f} "
        f"{p95:>6.0f} {p99:>6.0f} {max(journey):>6.0f}"
    )
    print(f"mean {statistics.fmean(journey):.0f} ms")
    for name, errs in sorted(errors.items()):
        if errs:
            print(f"errors in {name}: {sorted(set(errs))[:3]}")
    ok = p95 < GOAL_P95 and p99 < GOAL_P99 and journey_errors == 0
    print(
        f"{'PASS' if ok else 'FAIL'}: p95 {p95:.0f} ms (goal < {GOAL_P95:.0f}), "
        f"p99 {p99:.0f} ms (goal < {GOAL_P99:.0f}), errors {journey_errors} (goal 0)"
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=25_000)
    parser.add_argument("--run-time", default="60s", help="locust --run-time (e.g. 30s, 2m)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()

    roster = prepare(args.participants, args.reseed)
    work = Path(tempfile.mkdtemp(prefix="kmv-load-"))
    (work / "roster.json").write_text(json.dumps(roster))
    port = free_port()
    print(f"load before: {loadavg()}")
    server = start_gunicorn(port, args.workers, work / "gunicorn.log")
    users = sum(PEOPLE.values())
    try:
        subprocess.run(  # noqa: S603 — fixed argument list
            [
                str(Path(sys.executable).parent / "locust"),
                "-f",
                str(BASE / "bench" / "load_locustfile.py"),
                "--headless",
                f"--users={users}",
                "--spawn-rate=4",  # people arrive over 5 s, not all in one instant
                f"--run-time={args.run_time}",
                f"--host=http://127.0.0.1:{port}",
                "--only-summary",
                "--loglevel=WARNING",
                "--stop-timeout=10",
            ],
            cwd=BASE,
            env={
                **os.environ,
                "KMV_LOAD_ROSTER": str(work / "roster.json"),
                "KMV_LOAD_SAMPLES": str(work / "samples.json"),
            },
            stdout=subprocess.DEVNULL,
            stderr=(work / "locust.log").open("w"),
            check=False,  # locust exits 1 when any request failed; the report says which
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"load after: {loadavg()}")
    print(f"logs: {work / 'gunicorn.log'}, {work / 'locust.log'}")
    ok = report(json.loads((work / "samples.json").read_text()))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
