"""Solution-group reminders through a real Celery worker on the real Redis: the sweep runs
twice (a retry, a second beat tick) and the owner gets exactly one reminder.

Runs where .ci/run runs the suite (PostgreSQL + Redis); skipped elsewhere. As in
tests/notify/test_real_worker.py the worker is a subprocess on the test database, so the
test commits (transaction=True, serialized_rollback=True). It consumes and publishes on a
queue of its own (KMV_CELERY_QUEUE), so the outbox kick it queues itself stays with it and
nothing else on the Redis server takes its tasks.
"""

import os
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from kmv.celery import app
from kmv.notify import outbox
from kmv.notify.models import OutboxMessage
from network import services, tasks
from network.models import Action

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
        "KMV_CELERY_QUEUE": queue,
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


@pytest.fixture
def action_due(personas, agencies):
    """A responsibility in a solution group, due tomorrow, owned by leo (NAV's leader)."""
    cora, leo = personas["coordinator"], personas["leader"]
    network = services.network_create(
        user=cora, name="Nettverk", region="Agder", agencies=[agencies["career"], agencies["nav"]]
    )
    challenge = services.challenge_raise(user=cora, network=network, title="Lister", source="other")
    services.challenge_triage(user=cora, challenge=challenge, outcome="solution_group")
    group = challenge.solution_group
    services.solution_member_add(user=cora, group=group, person=leo, decision_power=True)
    meeting = services.solution_meeting_record(
        user=cora, group=group, date=date(2026, 3, 1), options_discussed="A, B"
    )
    return services.action_add(
        user=cora,
        meeting=meeting,
        description="Felles liste",
        owner=leo,
        due_on=timezone.localdate() + timedelta(days=1),
    )


def test_a_real_worker_reminds_once(worker, not_eager, action_due, settings):
    queue, mail_dir, log_path = worker
    key = f"network:action-reminder:{action_due.pk}"
    # two sweeps queued at once: the second finds the action claimed
    first = tasks.send_action_reminders.apply_async(queue=queue, retry=False)
    second = tasks.send_action_reminders.apply_async(queue=queue, retry=False)
    assert first.id != second.id
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        if OutboxMessage.objects.filter(key=key, status="sent").exists():
            break
        time.sleep(0.25)
    else:
        pytest.fail("the worker sent no reminder in 45 s:\n" + log_path.read_text()[-3000:])
    time.sleep(1.0)  # give a (wrong) second send the time to show up
    assert OutboxMessage.objects.filter(key__startswith="network:action-reminder:").count() == 1
    assert Action.objects.get(pk=action_due.pk).reminder_sent_at is not None
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(mail_dir)},
        }
    }
    arrived = [m for m in outbox.messages() if "Felles liste" in m.subject]
    assert [m.to for m in arrived] == [action_due.owner.email]
