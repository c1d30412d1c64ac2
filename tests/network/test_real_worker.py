"""Solution-group reminders through a real Celery worker on the real Redis: the sweep runs
twice (a retry, a second beat tick) and the owner gets exactly one reminder.

Runs where .ci/run runs the suite (PostgreSQL + Redis); skipped elsewhere. As in
tests/notify/test_real_worker.py the worker is a subprocess on the test database, so the
test commits (transaction=True, serialized_rollback=True). It consumes and publishes on a
queue of its own (KMV_CELERY_QUEUE), so the outbox kick it queues itself stays with it and
nothing else on the Redis server takes its tasks.
"""

import time
from datetime import date, timedelta

import pytest
from django.utils import timezone

from kmv.notify import outbox
from kmv.notify.models import OutboxMessage
from network import services, tasks
from network.models import Action

pytestmark = [pytest.mark.chaos, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


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
