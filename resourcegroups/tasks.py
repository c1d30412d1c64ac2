from celery import shared_task
from django.utils import timezone

from participants.models import Participant


@shared_task(acks_late=True)
def plan_meetings() -> int:
    """Daily sweep: generate meetings whose milestones became known, under the routine in
    force. Idempotent (meetings_sync only fills gaps and follows milestones)."""
    from resourcegroups.services import meetings_sync

    today = timezone.localdate()
    count = 0
    for participant in Participant.objects.filter(status=Participant.Status.ACTIVE).iterator():
        created, *_rest = meetings_sync(participant=participant, today=today)
        count += created
    return count


# registered with the worker through autodiscovery of this module
from resourcegroups.tasks_rounds import round_generate  # noqa: E402, F401
