"""One invitation end to end through a real Celery worker on the real Redis.

Runs where .ci/run runs the suite (PostgreSQL + Redis); skipped elsewhere. The worker is a
subprocess on the test database, so the test commits (transaction=True; serialized_rollback
restores the migrated rows — permissions, the KMV routine — that the e2e tests flush), and it
listens on a queue of its own, so nothing else on the Redis server takes the task.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection

from kmv.celery import app
from kmv.notify import outbox, services, tasks
from kmv.notify.models import OutboxMessage

pytestmark = [pytest.mark.chaos, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BASE_DIR = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path):
    if connection.vendor != "postgresql" or not django_settings.REDIS_URL:
        pytest.skip("needs PostgreSQL + Redis: run via .ci/run")
    queue = f"kmv-test-{uuid.uuid4().hex[:10]}"
    mail_dir = tmp_path / "mail"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "KMV_MAIL_FILE_PATH": str(mail_dir),
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115 — closed below
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "kmv", "worker"),
            *("-P", "solo", "-Q", queue, "-l", "INFO"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield queue, mail_dir, tmp_path / "worker.log"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture
def not_eager():
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = eager


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
