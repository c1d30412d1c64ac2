"""Beat tasks for retention (rules in participants/retention.py). Thin and idempotent: a
second run, or two beats, change nothing more."""

from celery import shared_task


@shared_task(acks_late=True)
def anonymise_ended_participants() -> int:
    """Daily: anonymise participants whose path ended more than KMV_RETENTION_YEARS ago (the
    owner agency saw them on the retention report KMV_RETENTION_NOTICE_DAYS before)."""
    from . import retention

    return retention.anonymise_due()


@shared_task(acks_late=True)
def prune_personal_data() -> dict:
    """Daily: the audit log, the outbox, import files and tokens, each to its own period."""
    from . import retention

    return retention.prune_all()
