"""One invitation end to end through a real Celery worker on the real Redis.

Runs where .ci/run runs the suite (PostgreSQL + Redis); skipped elsewhere. The worker is a
subprocess on the test database, so the test commits (transaction=True; serialized_rollback
restores the migrated rows — permissions, the KMV routine — that the e2e tests flush), and it
listens on a queue of its own, so nothing else on the Redis server takes the task.
"""

import time

import pytest

from kmv.notify import outbox, services, tasks
from kmv.notify.models import OutboxMessage

pytestmark = [pytest.mark.chaos, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_real_worker_sends_the_invitation(
    worker, not_eager, meeting, book, monkeypatch, settings
):
    queue, mail_dir, log_path = worker
    # the after-commit kick, routed to this test's queue
    monkeypatch.setattr(
        services,
        "_enqueue_send",
        lambda: tasks.send_outbox.apply_async(queue=queue, retry=False),
    )
    book(meeting)  # commits: outbox rows + the kick to the worker
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if OutboxMessage.objects.filter(status="sent").count() == 3:
            break
        time.sleep(0.25)
    else:
        pytest.fail("the worker sent nothing in 30 s:\n" + log_path.read_text()[-3000:])
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(mail_dir)},
        }
    }
    arrived = outbox.messages()
    assert sorted(m.to for m in arrived) == [
        "alice@example.org",
        "amina@example.org",
        "bob@example.org",
    ]
    assert all("invite.ics" in m.attachments for m in arrived)
