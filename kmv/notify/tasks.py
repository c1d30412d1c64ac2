"""Celery tasks: thin wrappers around the sweeps, safe to run twice or side by side.

They take no arguments: what to send is decided from the database (the outbox), never
carried in the message, so a lost or duplicated task message loses or duplicates nothing.
acks_late + reject_on_worker_lost (settings) redeliver the task of a worker that died;
database errors are retried with backoff, capped.
"""

from celery import shared_task
from django.db import DatabaseError

from . import reminders, sweep


@shared_task(
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def send_outbox() -> int:
    return sweep.send_due()


@shared_task(
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def plan_reminders() -> int:
    """Insert the reminder/alert rows that are due (idempotent), then send them."""
    queued = reminders.plan()
    if queued:
        sweep.send_due()
    return queued
