"""django-axes with one limit per lockout parameter (settings: AXES_LOCKOUT_PARAMETERS)."""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def limit_for(parameter) -> int:
    """One account from one address: AXES_FAILURE_LIMIT; one account from anywhere and one
    address for any account have limits of their own."""
    names = (parameter,) if isinstance(parameter, str) else tuple(parameter)
    if names == ("username",):
        return settings.KMV_LOCKOUT_ACCOUNT_LIMIT
    if names == ("ip_address",):
        return settings.KMV_LOCKOUT_IP_LIMIT
    return settings.AXES_FAILURE_LIMIT


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        """Failures in units of AXES_FAILURE_LIMIT (which axes compares this with): it reaches
        that limit exactly when one parameter reaches its own limit."""
        unit = get_failure_limit(request, credentials)
        parameters = get_lockout_parameters(request, credentials)
        worst = 0
        for parameter, attempts in zip(
            parameters, self.get_user_attempts(request, credentials), strict=True
        ):
            count = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            worst = max(worst, count * unit // limit_for(parameter))
        return worst

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful login clears that account's failures from that address only: logging
        in to one's own account must not wipe the count of a spray from the same address,
        nor the failures others made against the account elsewhere."""
        username = get_client_username(request, credentials)
        deleted, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return deleted
