"""The second factor (TOTP): who needs it, whether this session has it, and enrolment."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

SETUP_SESSION_KEY = "kmv_totp_setup"


def required_for(user) -> bool:
    """Every account that can reach anything beyond its own profile (ASVS 6.3): any role,
    any agency, the administration, or a grant on a participant."""
    if not (user and user.is_authenticated):
        return False
    return bool(
        user.role
        or user.agency_id
        or user.is_staff
        or user.is_superuser
        or user.participantuserobjectpermission_set.exists()
    )


def session_needs_verification(request) -> bool:
    """The one rule for pages, the admin site and session use of the API: a logged-in user
    who needs the second factor and has not passed it in this session goes no further."""
    user = getattr(request, "user", None)
    if not (settings.KMV_REQUIRE_2FA and user is not None and user.is_authenticated):
        return False
    if getattr(user, "is_verified", lambda: False)():
        return False
    return required_for(user)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def check_code(device: TOTPDevice, code: str) -> str:
    """'ok', 'wrong' or 'throttled': django-otp slows down repeated wrong codes and never
    accepts a code (time step) twice."""
    allowed, _info = device.verify_is_allowed()
    if not allowed:
        return "throttled"
    return "ok" if device.verify_token(code) else "wrong"


def code_error(outcome: str) -> str:
    """The message for a code that was not accepted."""
    if outcome == "throttled":
        return _("Too many wrong codes in a row. Wait a few seconds and try the newest code.")
    if outcome == "no_device":
        return _("Set up two-factor login first.")
    return _("The code is wrong or has expired. Try the newest code.")


def fresh_check(user, code: str) -> str:
    """A code typed just now, asked before something a stolen session must not do alone
    (making an API token): 'ok', 'wrong', 'throttled' or 'no_device'."""
    device = confirmed_device(user)
    if device is None:
        return "no_device"
    return check_code(device, code)


# --- enrolment -------------------------------------------------------------------------------


def _setup_ttl() -> timedelta:
    return timedelta(seconds=settings.KMV_TOTP_SETUP_SECONDS)


def pending_device(request) -> TOTPDevice | None:
    """The unconfirmed device of this session's set-up attempt, if it has not expired."""
    pk = request.session.get(SETUP_SESSION_KEY)
    if pk is None:
        return None
    return TOTPDevice.objects.filter(
        pk=pk,
        user=request.user,
        confirmed=False,
        created_at__gt=timezone.now() - _setup_ttl(),
    ).first()


def start_setup(request) -> TOTPDevice:
    """This session's set-up attempt, or a new one with a new secret: a secret seen in
    another session or before the time-out is deleted and never becomes a factor."""
    device = pending_device(request)
    if device is not None:
        return device
    TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=request.user, name="default", confirmed=False)
    request.session[SETUP_SESSION_KEY] = device.pk
    return device


def confirm_setup(request, device: TOTPDevice, code: str) -> bool:
    """The first code confirms this attempt's device and verifies the session."""
    if not device.verify_token(code):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    request.session.pop(SETUP_SESSION_KEY, None)
    otp_login(request, device)
    return True


def prune_unconfirmed_devices() -> int:
    """Beat sweep: set-up attempts never confirmed within the time-out are deleted."""
    deleted, _ = TOTPDevice.objects.filter(
        confirmed=False, created_at__lte=timezone.now() - _setup_ttl()
    ).delete()
    return deleted
