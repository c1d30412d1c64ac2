from celery import shared_task

from . import services


@shared_task(acks_late=True)
def expire_consents() -> int:
    """Beat sweep: revoke access whose consent expired since the last sweep (idempotent)."""
    return services.resync_expired_consents()


@shared_task(acks_late=True)
def send_password_reset(*, email: str, domain: str, use_https: bool) -> None:
    """The password-reset mail, if the address belongs to an active account (looked up here,
    off the request, so the answer's time says nothing about it)."""
    from django.contrib.auth.forms import PasswordResetForm

    form = PasswordResetForm(data={"email": email})
    if form.is_valid():
        form.save(domain_override=domain, use_https=use_https)


@shared_task(acks_late=True)
def prune_credentials() -> dict:
    """Beat sweep: TOTP set-ups never confirmed in time and expired API tokens go."""
    from . import api_tokens, second_factor

    return {
        "totp_setups": second_factor.prune_unconfirmed_devices(),
        "api_tokens": api_tokens.prune_expired(),
    }
