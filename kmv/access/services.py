import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
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


def _within_limit(key: str, limit: int, window: int) -> bool:
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count <= limit


def password_reset_allowed(ip: str | None, email: str) -> bool:
    """At most KMV_PASSWORD_RESET_PER_IP requests an hour from one address and
    KMV_PASSWORD_RESET_PER_EMAIL for one e-mail address (counted whether or not it is an
    account's, so the limit reveals nothing)."""
    address = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    by_ip = _within_limit(f"pwreset:ip:{ip}", settings.KMV_PASSWORD_RESET_PER_IP, 3600)
    by_email = _within_limit(
        f"pwreset:email:{address}", settings.KMV_PASSWORD_RESET_PER_EMAIL, 3600
    )
    return by_ip and by_email
