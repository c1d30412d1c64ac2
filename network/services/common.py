"""Helpers shared by the network services: tokens, mail, authorisation errors."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from kmv.access import audit


def new_token() -> tuple[str, str]:
    """(raw token for the link, hash to store). Only the hash is kept."""
    raw = secrets.token_urlsafe(32)
    return raw, token_hash(raw)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def queue(**kwargs) -> None:
    """The one way the network sends mail: through the shared outbox (idempotent by key)."""
    from kmv.notify import services as notify

    notify.queue_message(**kwargs)


def require(condition: bool, message: str | None = None) -> None:
    if not condition:
        raise PermissionDenied(message or _("You may not do this in the network."))


def record(action, *, user, obj, request=None, fields=()) -> None:
    audit.record(action=action, user=user, request=request, obj=obj, fields=list(fields))
