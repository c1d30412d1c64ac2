from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from . import policy


def resync_expired_consents(*, lookback_days: int = 30) -> int:
    """Re-sync access for participants whose consents expired, or whose dated memberships
    started or ended, within the look-back window. Safe to run any number of times."""
    from participants.models import Participant

    today = timezone.localdate()
    since = today - timedelta(days=lookback_days)
    participants = Participant.objects.filter(
        Q(consents__expires_on__gt=since, consents__expires_on__lte=today)
        | Q(consents__given_on__gt=since, consents__given_on__lte=today)
        | Q(
            resource_group__memberships__end_date__gt=since,
            resource_group__memberships__end_date__lte=today,
        )
        | Q(
            resource_group__memberships__start_date__gt=since,
            resource_group__memberships__start_date__lte=today,
        )
    ).distinct()
    count = 0
    for participant in participants.iterator():
        policy.sync_participant_access(participant)
        count += 1
    return count
