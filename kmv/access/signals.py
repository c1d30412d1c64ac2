"""Log logins, logouts and failed logins to the audit log (logging only, no business rules)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit.record(action=audit.Action.LOGIN, request=request, user=user, channel="auth")


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(action=audit.Action.LOGOUT, request=request, user=user, channel="auth")


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    audit.record(
        action=audit.Action.LOGIN_FAILED,
        request=request,
        user=None,
        username=audit.masked_username(str(credentials.get("username", ""))),
        channel="auth",
    )


@receiver(user_locked_out)
def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    audit.record(
        action=audit.Action.LOCKED_OUT,
        request=request,
        user=None,
        username=audit.masked_username(str(username or "")),
        channel="auth",
    )
