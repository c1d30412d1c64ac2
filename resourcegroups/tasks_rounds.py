"""Celery task for the round scheduler. Takes ids, claims its run, safe to run twice."""

from celery import shared_task


@shared_task(acks_late=True, soft_time_limit=600, time_limit=660)
def round_generate(round_id: int, run: int) -> bool:
    """Solve the round and store the best schedule found within its time limit. Progress
    and the objective are written on the Round row while it runs; the page polls them."""
    from resourcegroups.services.rounds import generate_run

    return generate_run(round_id=round_id, run=run)
