from celery import shared_task

from . import services


@shared_task(acks_late=True)
def expire_consents() -> int:
    """Beat sweep: revoke access whose consent expired since the last sweep (idempotent)."""
    return services.resync_expired_consents()
