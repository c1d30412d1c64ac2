"""Redis stopped while people save: no server errors, no hanging requests, and everything
queued meanwhile is delivered within 60 s of Redis coming back.

Real gunicorn, Celery worker and beat (the production beat schedule) on a private Redis
and PostgreSQL. Saves go through the API as alice would make them: booking meetings (each
queues invitations in the outbox and asks the worker to send them) and changing the
participant. While Redis is down the after-commit kick to the worker fails fast and is
dropped; the outbox rows are committed with the save, and the beat sweep sends them once
Redis is back.
"""

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.chaos.conftest import wait_for

pytestmark = pytest.mark.chaos

OSLO = ZoneInfo("Europe/Oslo")
REQUEST_BOUND = 10.0  # seconds; requests' own timeout is above it, so a hang shows as a failure
DELIVERY_BOUND = 60.0


class Alice:
    """The programme adviser's API client: fetch the version, then save with it."""

    def __init__(self, base: str, token: str):
        self.base = base
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Token {token}"
        self.calls: list[tuple[str, int, float]] = []

    def _call(self, method: str, path: str, **kwargs) -> requests.Response:
        started = time.monotonic()
        response = self.http.request(method, self.base + path, timeout=30, **kwargs)
        self.calls.append((f"{method} {path}", response.status_code, time.monotonic() - started))
        return response

    def book(self, meeting: int, days: int) -> requests.Response:
        version = self._call("GET", f"/api/meetings/{meeting}/").json()["version"]
        day = datetime.now(OSLO).date() + timedelta(days=days)
        start = datetime(day.year, day.month, day.day, 10, tzinfo=OSLO)
        body = {
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
            "place": f"Rom {meeting}",
            "version": version,
        }
        return self._call("POST", f"/api/meetings/{meeting}/schedule/", json=body)

    def edit_participant(self, participant: int, language: str) -> requests.Response:
        version = self._call("GET", f"/api/participants/{participant}/").json()["version"]
        body = {"version": version, "interpreter_language": language}
        return self._call("PATCH", f"/api/participants/{participant}/", json=body)


def test_saves_while_redis_is_down_are_delivered_when_it_returns(stack):
    data = stack.seed("meetings", 6)
    meetings, participant = data["meetings"], data["participant"]
    stack.web()
    stack.worker()
    stack.beat()
    alice = Alice(stack.web_url, data["token"])

    # with Redis up, the kick after the save has the worker send at once
    assert alice.book(meetings[0], days=10).status_code == 200
    wait_for(stack.all_sent_and_delivered, 20, "the invitations with Redis up")
    before = len(stack.outbox())

    stack.redis.stop()
    alice.calls.clear()
    for days, meeting in enumerate(meetings[1:], start=11):
        assert alice.book(meeting, days).status_code == 200, alice.calls[-1]
        language = "ar" if days % 2 else "ti"
        assert alice.edit_participant(participant, language).status_code == 200
    saves = alice.calls

    assert [c for c in saves if c[1] >= 500] == [], "no server errors"
    slowest = max(seconds for _, _, seconds in saves)
    assert slowest < REQUEST_BOUND, f"a request took {slowest:.1f} s"
    rows = stack.outbox()
    assert len(rows) > before
    assert "pending" in rows.values(), "queued while Redis was down"

    stack.redis.start()
    back = time.monotonic()
    wait_for(
        stack.all_sent_and_delivered,
        DELIVERY_BOUND,
        "delivery after Redis returned",
        0.5,
        details=stack.logs,
    )
    took = time.monotonic() - back

    delivered = stack.deliveries()
    assert set(delivered) == set(stack.outbox())
    assert set(delivered.values()) == {1}, "each message once"
    print(
        f"\nchaos/redis: {len(saves)} requests while down, slowest {slowest:.2f} s; "
        f"{len(rows) - before} messages delivered {took:.1f} s after Redis returned"
    )
