"""Two advisers book the same teacher at the same time (issue 14, defect 1, "two advisers
at once"): the booking rule locks the people's rows before it looks, so the second booking
waits for the first to commit, then sees it and is refused. Without the lock both would
pass the check and bob would be in two meetings at once: this test would see two 200s."""

import threading
import time as clock
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from resourcegroups import services as group_services
from resourcegroups.models import Meeting
from tests.factories import second_participant

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

HOLD = 0.4  # seconds the first booking keeps its transaction open after writing


@pytest.fixture
def client_for():
    from rest_framework.test import APIClient

    def make(user):
        client = APIClient()
        client.force_authenticate(user=user)
        return client

    return make


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        # SQLite serialises whole transactions (IMMEDIATE): nothing to race there
        pytest.skip("row-lock concurrency is tested on PostgreSQL (CI runs it there)")


def test_two_advisers_cannot_both_book_bob_at_eleven(
    client_for, participant, personas, municipality, monkeypatch
):
    alice, bob = personas["nav_adviser"], personas["teacher"]
    other = second_participant(personas, municipality)
    a = group_services.meeting_create_concern(user=alice, participant=participant, reason="x")
    b = group_services.meeting_create_concern(user=alice, participant=other, reason="y")
    start = timezone.make_aware(datetime.combine(date(2027, 2, 2), time(11, 0)))

    original = Meeting.save
    first_saved = threading.Event()

    def slow_save(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if not first_saved.is_set():
            first_saved.set()
            clock.sleep(HOLD)

    monkeypatch.setattr(Meeting, "save", slow_save)

    def book(meeting, place):
        body = {
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
            "place": place,
            "version": meeting.version,
        }
        return client_for(alice).post(f"/api/meetings/{meeting.pk}/schedule/", body, format="json")

    results = [None, None]

    def run(i, call):
        try:
            results[i] = call()
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(0, lambda: book(a, "Rom 1"))),
        threading.Thread(target=run, args=(1, lambda: book(b, "Rom 2"))),
    ]
    threads[0].start()
    clock.sleep(HOLD / 4)
    threads[1].start()
    for t in threads:
        t.join(timeout=30)
    assert first_saved.is_set()
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 400], [r.content for r in results]
    refused = next(r for r in results if r.status_code == 400)
    assert bob.get_full_name() in refused.content.decode()
    booked = Meeting.objects.filter(pk__in=[a.pk, b.pk], planned_start__isnull=False)
    assert booked.count() == 1
