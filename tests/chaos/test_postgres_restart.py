"""PostgreSQL restarted under load: the app recovers by itself.

gunicorn (persistent connections, CONN_MAX_AGE with CONN_HEALTH_CHECKS) and a Celery worker
run against the private cluster while alice keeps reading and saving. The cluster is
stopped, left down for a few seconds and started again (every connection dropped). Meanwhile
a request may fail, but cleanly and quickly (503 with Retry-After, no hang, no dead server process);
once the server is back every request succeeds — no stale connection is handed out — and
a save's e-mail is still delivered by the same worker, which nobody restarted.
"""

import threading
import time

import pytest
import requests

from tests.chaos.conftest import wait_for
from tests.chaos.test_redis_down import REQUEST_BOUND, Alice

pytestmark = pytest.mark.chaos

OUTAGE = 3.0  # seconds the server is away
SETTLE = 2.0  # seconds after it is back before every request must succeed


def test_app_recovers_from_a_postgres_restart(stack):
    data = stack.seed("meetings", 2)
    meetings, participant = data["meetings"], data["participant"]
    web = stack.web()
    worker = stack.worker()
    alice = Alice(stack.web_url, data["token"])
    assert alice.book(meetings[0], days=10).status_code == 200
    wait_for(stack.all_sent_and_delivered, 20, "the first invitations", details=stack.logs)

    timeline: list[tuple[float, float, int | str]] = []  # (started, seconds, status)
    stop = threading.Event()

    def keep_working():
        http = requests.Session()
        http.headers["Authorization"] = f"Token {data['token']}"
        url = f"{stack.web_url}/api/participants/{participant}/"
        n = 0
        while not stop.is_set():
            started = time.monotonic()
            try:
                response = http.get(url, timeout=30)
                status: int | str = response.status_code
                if status == 200:
                    n += 1
                    body = {"version": response.json()["version"]}
                    body["interpreter_language"] = "ar" if n % 2 else "ti"
                    status = http.patch(url, json=body, timeout=30).status_code
            except requests.RequestException as exc:
                status = type(exc).__name__
            timeline.append((started, time.monotonic() - started, status))
            time.sleep(0.05)

    load = threading.Thread(target=keep_working, daemon=True)
    load.start()
    try:
        time.sleep(1.5)
        down = time.monotonic()
        stack.pg.restart(pause=OUTAGE)
        up = time.monotonic()
        time.sleep(SETTLE + 3)
    finally:
        stop.set()
        load.join(timeout=40)

    # "during": the request overlapped the outage (or the settling time after it)
    before = [s for t, took, s in timeline if t + took < down]
    during = [s for t, took, s in timeline if t + took >= down and t < up + SETTLE]
    after = [s for t, _, s in timeline if t >= up + SETTLE]
    assert before and set(before) == {200}, before
    assert after and set(after) == {200}, f"not recovered: {after}"
    # during: a clean answer (success, or 503 "try again" — never a 500), never a dropped
    # connection or a hang
    assert set(during) <= {200, 503}, during
    slowest = max(seconds for _, seconds, _ in timeline)
    assert slowest < REQUEST_BOUND, f"a request took {slowest:.1f} s"
    assert web.alive() and worker.alive()

    # the worker's connections went too: a save after the restart is still delivered
    assert alice.book(meetings[1], days=11).status_code == 200
    wait_for(stack.all_sent_and_delivered, 30, "invitations after the restart", details=stack.logs)
    assert set(stack.deliveries().values()) == {1}
    errors = sum(1 for s in during if s != 200)
    print(
        f"\nchaos/postgres: down {up - down:.1f} s; {len(during)} requests during ({errors} "
        f"failed cleanly: {sorted(set(during))}), {len(after)} after, all 200; "
        f"slowest {slowest:.2f} s"
    )
