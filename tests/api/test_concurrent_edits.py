"""Two sessions save the same checklist answer or the same minutes at the same moment.

Both editors saw the same version. The first save holds the row lock while it writes (it is
slowed down here so the second request certainly arrives in the middle of it); the second
waits for the lock, then sees the new version and gets a 409 with the saved text — no write
is lost and nothing is overwritten silently. Without the row lock both would pass the version
check and the first write would vanish: this test would then see two 200s.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from resourcegroups import services as group_services
from resourcegroups.models import ChecklistAnswer, Minutes

pytestmark = [
    # real transactions (each thread its own connection); serialized_rollback restores the
    # routine that a data migration loads, for the tests that run after these
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HOLD = 0.4  # seconds the first writer keeps its transaction open after writing


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        # SQLite has no row locks (SELECT … FOR UPDATE is ignored; it locks the whole file),
        # so two threads on the in-memory test database only see "database is locked".
        pytest.skip("row-lock concurrency is tested on PostgreSQL (CI runs it there)")


def _slow_save(monkeypatch, model):
    """Keep the first writer's transaction (and its row lock) open a little longer."""
    original = model.save
    first = threading.Event()

    def save(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if not first.is_set():
            first.set()
            time.sleep(HOLD)

    monkeypatch.setattr(model, "save", save)
    return first


def _at_once(*calls):
    """Run the calls in threads, the second starting while the first is inside its save."""
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            results[i] = call()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    threads[0].start()
    time.sleep(HOLD / 4)
    for t in threads[1:]:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_two_sessions_answer_the_same_item(client_for, participant, personas, monkeypatch):
    bob = personas["teacher"]
    meeting = participant.meetings.get(stage__number=1)
    item = meeting.stage.items.filter(owner_role="teacher", answer_type="text").first()
    url = f"/api/meetings/{meeting.pk}/answers/{item.pk}/"
    laptop, tablet = client_for(bob), client_for(bob)
    response = laptop.put(url, {"value": {"text": "Start"}, "version": 0}, format="json")
    assert response.status_code == 200
    first_saved = _slow_save(monkeypatch, ChecklistAnswer)

    first, second = _at_once(
        lambda: laptop.put(url, {"value": {"text": "Fra PC"}, "version": 1}, format="json"),
        lambda: tablet.put(url, {"value": {"text": "Fra nettbrett"}, "version": 1}, format="json"),
    )
    assert first_saved.is_set()
    assert (first.status_code, second.status_code) == (200, 409), (first.content, second.content)
    body = second.json()
    assert body["detail"]  # a sentence saying someone else changed it
    assert body["current"]["version"] == 2 and body["current"]["value"]["text"] == "Fra PC"
    answer = ChecklistAnswer.objects.get(meeting=meeting, item=item)
    assert (answer.value["text"], answer.version) == ("Fra PC", 2)


def test_two_sessions_save_the_same_minutes(client_for, participant, personas, monkeypatch):
    alice = personas["nav_adviser"]
    meeting = group_services.meeting_create_concern(user=alice, participant=participant, reason="x")
    start = timezone.now() - timedelta(days=1)
    meeting = group_services.meeting_schedule(
        user=alice, meeting=meeting, start=start, end=start + timedelta(hours=1), place="Rom 1"
    )
    url = f"/api/meetings/{meeting.pk}/minutes/"
    office, home = client_for(alice), client_for(alice)
    response = office.put(url, {"decisions": "Utkast", "version": 0}, format="json")
    version = response.json()["version"]
    first_saved = _slow_save(monkeypatch, Minutes)

    first, second = _at_once(
        lambda: office.put(url, {"decisions": "Søke vigo.no", "version": version}, format="json"),
        lambda: home.put(url, {"decisions": "Annet vedtak", "version": version}, format="json"),
    )
    assert first_saved.is_set()
    assert (first.status_code, second.status_code) == (200, 409), (first.content, second.content)
    assert second.json()["detail"]
    assert Minutes.objects.get(meeting=meeting).decisions == "Søke vigo.no"
