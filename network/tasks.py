"""Periodic network work. Tasks take ids and call services; every send is claimed with a
conditional UPDATE, so running a sweep twice (or on two workers) sends nothing twice."""

from celery import shared_task


@shared_task(acks_late=True)
def send_due_evaluations() -> int:
    """Part 2 of the evaluation, some weeks after each professional day."""
    from network import services

    return sum(services.send_part2(day_id=day.pk) for day in services.part2_due())


@shared_task(acks_late=True)
def send_action_reminders() -> int:
    """One reminder per solution-group action, a few days before it is due."""
    from network import services

    ids = list(services.actions_due_for_reminder().values_list("pk", flat=True))
    return sum(1 for pk in ids if services.action_remind(action_id=pk))
