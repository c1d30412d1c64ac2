"""Exactly once: sweeps run twice, a sweep dies mid-way, the broker is down on save."""

import time
from unittest import mock

import pytest
from celery import Celery
from django.core import mail
from django.core.mail import EmailMessage
from django.utils import timezone
from kombu.exceptions import OperationalError

from kmv.notify import services, sweep, tasks
from kmv.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db


def _sent_keys():
    return sorted(m.extra_headers["X-KMV-Key"] for m in mail.outbox)


def test_queue_message_is_idempotent_by_key():
    first = services.queue_message(key="k1", to="a@example.org", subject="S", body="B")
    assert first is not None
    assert services.queue_message(key="k1", to="a@example.org", subject="S", body="B") is None
    assert OutboxMessage.objects.count() == 1


def test_sweep_twice_sends_each_message_once(meeting, book):
    book(meeting)
    assert sweep.send_due() == 3
    assert sweep.send_due() == 0
    assert tasks.send_outbox.apply().get() == 0
    assert len(mail.outbox) == 3
    assert len(set(_sent_keys())) == 3
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    # receivers can deduplicate a resend after a crash: the Message-ID comes from the key
    row = OutboxMessage.objects.first()
    assert mail.outbox[0].extra_headers["Message-ID"] == row.message_id


class WorkerLost(BaseException):
    """What a killed worker looks like from inside: nothing after this line runs."""


def test_sweep_dying_mid_way_loses_and_duplicates_nothing(meeting, book):
    book(meeting)
    real_send = EmailMessage.send
    calls = {"n": 0}

    def dies_on_second(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise WorkerLost
        return real_send(self, *args, **kwargs)

    with mock.patch.object(EmailMessage, "send", dies_on_second), pytest.raises(WorkerLost):
        sweep.send_due()
    # the first message is committed as sent; the one in flight rolled back to pending
    assert OutboxMessage.objects.filter(status="sent").count() == 1
    assert OutboxMessage.objects.filter(status="pending").count() == 2
    assert tasks.send_outbox.apply().get() == 2  # redelivered task / next beat sweep
    assert len(mail.outbox) == 3 and len(set(_sent_keys())) == 3


def test_mail_server_errors_back_off_then_give_up():
    row = services.queue_message(key="k2", to="a@example.org", subject="S", body="B")
    with mock.patch.object(EmailMessage, "send", side_effect=ConnectionRefusedError("smtp")):
        assert sweep.send_due() == 0
        row.refresh_from_db()
        assert row.status == "pending" and row.attempts == 1
        assert "smtp" in row.last_error
        assert row.send_after > timezone.now() + services.retry_in(1) * 0.9
        for attempt in range(2, sweep.MAX_ATTEMPTS + 1):
            OutboxMessage.objects.filter(pk=row.pk).update(send_after=timezone.now())
            sweep.send_due()
            row.refresh_from_db()
            assert row.attempts == attempt
    assert row.status == "failed"
    assert sweep.send_due() == 0 and mail.outbox == []


def test_sent_after_commit_when_the_broker_is_up(meeting, book, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        book(meeting)
    assert len(callbacks) == 1  # one kick per change, not one per message
    assert len(mail.outbox) == 3  # eager worker in tests


def test_broker_down_on_save_then_the_sweep_sends(
    meeting, book, django_capture_on_commit_callbacks
):
    down = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with (
        mock.patch.object(tasks.send_outbox, "apply_async", side_effect=down) as publish,
        django_capture_on_commit_callbacks(execute=True),
    ):
        saved = book(meeting)  # the save succeeds although the broker is down
    assert publish.called
    assert saved.status == "booked"
    assert mail.outbox == []
    assert OutboxMessage.objects.filter(status="pending").count() == 3
    tasks.send_outbox.apply()  # the next beat sweep
    tasks.send_outbox.apply()
    assert len(mail.outbox) == 3 and len(set(_sent_keys())) == 3


def test_publishing_to_a_dead_redis_gives_up_quickly(settings):
    """With the project's Redis options a publish fails fast instead of hanging a request
    (kombu's default retries connecting for ever)."""
    probe = Celery("probe", broker="redis://127.0.0.1:1/0", set_as_current=False)
    probe.conf.broker_transport_options = settings.KMV_REDIS_TRANSPORT_OPTIONS
    probe.conf.broker_connection_timeout = settings.CELERY_BROKER_CONNECTION_TIMEOUT
    probe.conf.task_publish_retry = settings.CELERY_TASK_PUBLISH_RETRY
    started = time.monotonic()
    with pytest.raises(OperationalError):
        probe.send_task("kmv.notify.tasks.send_outbox", retry=False)
    assert time.monotonic() - started < 5


def test_enqueue_swallows_broker_errors():
    with mock.patch.object(tasks.send_outbox, "apply_async", side_effect=OperationalError("x")):
        services._enqueue_send()  # no exception


def test_celery_settings_keep_messages_safe(settings):
    from kmv.celery import app

    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    # Redis must not redeliver a task that is still running
    assert settings.KMV_REDIS_TRANSPORT_OPTIONS["visibility_timeout"] > (
        settings.CELERY_TASK_TIME_LIMIT
    )
    beat = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    # often enough that mail queued while Redis was down goes out within a minute of its return
    assert beat["kmv.notify.tasks.send_outbox"]["schedule"] <= 30.0
    assert "kmv.notify.tasks.plan_reminders" in beat
    assert "kmv.notify.tasks.send_outbox" in app.tasks


def test_admin_puts_failed_messages_back(client, personas):
    row = services.queue_message(key="k3", to="a@example.org", subject="S", body="B")
    OutboxMessage.objects.filter(pk=row.pk).update(status="failed", attempts=8)
    client.force_login(personas["sysadmin"])
    response = client.post(
        "/admin/notify/outboxmessage/",
        {"action": "retry", "_selected_action": [row.pk]},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 0)
    assert sweep.send_due() == 1
