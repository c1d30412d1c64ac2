"""Audit log writing: identifiers only, never personal values."""

from __future__ import annotations

import logging

from .models import AuditEvent

Action = AuditEvent.Action
security_log = logging.getLogger("kmv.security")


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    *,
    action: str,
    request=None,
    user=None,
    obj=None,
    object_type: str = "",
    object_id="",
    participant_id: int | None = None,
    object_ids=None,
    fields=None,
    channel: str = "",
    username: str = "",
) -> AuditEvent:
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or obj.pk
    event = AuditEvent.objects.create(
        actor=user,
        actor_label=(user.get_username() if user else username)[:150],
        agency_id=getattr(user, "agency_id", None),
        action=action,
        object_type=object_type,
        object_id=str(object_id or "")[:64],
        participant_id=participant_id,
        object_ids=list(object_ids or []),
        fields=sorted(fields or []),
        channel=channel or _channel(request),
        path=(request.path[:300] if request is not None else ""),
        ip=client_ip(request),
    )
    if action in (Action.DENIED, Action.LOGIN_FAILED, Action.LOCKED_OUT):
        security_log.warning(
            "%s user=%s type=%s id=%s path=%s",
            action,
            event.actor_label,
            object_type,
            event.object_id,
            event.path,
        )
    return event


def _channel(request) -> str:
    if request is None:
        return "system"
    path = request.path
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/admin/"):
        return "admin"
    return "ui"
