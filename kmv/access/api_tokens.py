"""Personal API tokens (django-rest-knox): hashed, expiring, made only here and audited.

A token is made by its user after a fresh second-factor check (the token page, the token
API) or by an operator's command; either way `issue` records who made it for whom. Using a
token from an address it was not last used from, and revoking it, are audit events too.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from knox.settings import knox_settings

from . import audit
from .client_ip import client_ip
from .models import ApiToken

# how often a token in steady use from one address has its last-used time written
_STAMP_EVERY = timedelta(minutes=1)


def _ref(token: ApiToken) -> str:
    """The audit object id: whose token (user id) and which (the key's non-secret start)."""
    return f"{token.user_id}:{token.token_key}"


def issue(*, user, created_by, name: str = "", request=None, days: int | None = None):
    """Make a token for `user`; `created_by` is who asked (the user, an operator, or None
    for a service). Returns (row, raw key): the key is shown once and never stored."""
    days = days or settings.KMV_API_TOKEN_DAYS
    row, raw = ApiToken.objects.create(
        user=user,
        expiry=timedelta(days=min(days, settings.KMV_API_TOKEN_DAYS)),
        name=name[:100],
        created_by=created_by,
    )
    audit.record(
        action=audit.Action.TOKEN_CREATED,
        request=request,
        user=created_by,
        username="" if created_by else "system",
        object_type="apitoken",
        object_id=_ref(row),
        channel="" if request is not None else "system",
    )
    return row, raw


def revoke(*, token: ApiToken, by, request=None) -> None:
    """Delete the token (its user or an administrator): it stops working at once."""
    audit.record(
        action=audit.Action.TOKEN_REVOKED,
        request=request,
        user=by,
        object_type="apitoken",
        object_id=_ref(token),
    )
    token.delete()


def tokens_of(user):
    """A user's tokens that still work, newest first."""
    return ApiToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")


def prune_expired() -> int:
    """Beat sweep: expired tokens are deleted (knox also drops them when they are tried)."""
    deleted, _ = ApiToken.objects.filter(expiry__lte=timezone.now()).delete()
    return deleted


def note_use(token: ApiToken, request) -> None:
    """Stamp the last use; a use from an address other than the last one is audited."""
    ip = client_ip(request)
    now = timezone.now()
    new_address = ip != token.last_used_ip
    if new_address:
        audit.record(
            action=audit.Action.TOKEN_NEW_IP,
            request=request,
            user=token.user,
            object_type="apitoken",
            object_id=_ref(token),
            channel="api",
        )
    if new_address or token.last_used_at is None or now - token.last_used_at > _STAMP_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
        token.last_used_at, token.last_used_ip = now, ip


class ApiTokenAuthentication(TokenAuthentication):
    """Knox's hashed-token check, plus the last-used stamp and new-address audit. Listed
    first, so an unauthenticated API call gets 401 with `WWW-Authenticate: Token`."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            note_use(result[1], request._request)
        return result


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The schema's security scheme: `Authorization: Token <key>`."""

    target_class = "kmv.access.api_tokens.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=knox_settings.AUTH_HEADER_PREFIX
        )
