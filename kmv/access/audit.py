"""Audit log writing: identifiers only, never personal values.

Every read of participant data goes through `record_read` (one participant) or
`record_reads` (a list, an export: one row per participant, written in one `bulk_create`), so
the participant's access log (`selectors.participant_access_log`) finds each of them by
`participant_id`. Rows are never changed; only the retention task prunes old ones, inside
`pruning()`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.crypto import salted_hmac

from .models import AuditEvent

Action = AuditEvent.Action
security_log = logging.getLogger("kmv.security")

# object types whose rows name their participant in a `participant_id` column
_PARTICIPANT_TYPES = {"participant"}


def client_ip(request) -> str | None:
    """The address django-axes locks out by too (behind the trusted proxy: the client's)."""
    from .client_ip import client_ip as real_client_ip

    return real_client_ip(request)


def _actor(request, user):
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return user


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
    """One audit row. A list or export of several objects without a `participant_id` is
    written as one row per participant (`record_reads`), so each participant's access log
    shows it; the first of those rows is returned."""
    if object_ids and participant_id is None and action in (Action.LIST, Action.EXPORT):
        rows = record_reads(
            request=request,
            user=user,
            action=action,
            object_type=object_type,
            object_ids=object_ids,
            fields=fields,
            channel=channel,
        )
        if rows:
            return rows[0]
    user = _actor(request, user)
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or obj.pk
    event = AuditEvent.objects.create(
        **_common(request, user, username, action, fields, channel),
        object_type=object_type,
        object_id=str(object_id or "")[:64],
        participant_id=participant_id,
        object_ids=list(object_ids or []),
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


def record_read(
    *,
    request=None,
    user=None,
    participant,
    obj=None,
    fields=None,
    channel: str = "",
    action: str = Action.VIEW,
) -> AuditEvent:
    """Participant data was read: the one call for a page, API answer, PDF, ZIP or preview
    that shows one participant (`obj` is what was shown, the participant by default)."""
    participant_id = getattr(participant, "pk", participant)
    return record(
        action=action,
        request=request,
        user=user,
        obj=obj,
        object_type="" if obj is not None else "participant",
        object_id="" if obj is not None else participant_id,
        participant_id=participant_id,
        fields=fields,
        channel=channel,
    )


def record_reads(
    *,
    request=None,
    user=None,
    action: str = Action.LIST,
    object_type: str = "participant",
    object_ids: Iterable | None = None,
    participant_ids: dict | Iterable | None = None,
    fields=None,
    channel: str = "",
) -> list[AuditEvent]:
    """Participant data of many participants was read (a list, a schedule, an export): one
    row per participant carrying the ids of that participant's objects shown, in one
    `bulk_create` whatever the number (plus one query to map objects to participants when
    `participant_ids` is not given). Objects with no participant share one row."""
    user = _actor(request, user)
    object_ids = [i for i in (object_ids or []) if i is not None]
    if participant_ids is None:
        by_object = _participants_of(object_type, object_ids)
    elif isinstance(participant_ids, dict):
        by_object = participant_ids
    else:
        # participants only, no objects of theirs: one row each
        by_object = None
        groups = {pid: [] for pid in participant_ids}
    if by_object is not None:
        groups: dict[int | None, list] = {}
        for oid in object_ids:
            groups.setdefault(by_object.get(oid), []).append(oid)
    common = _common(request, user, "", action, fields, channel)
    rows = [
        AuditEvent(
            **common,
            object_type=object_type,
            object_id=str(ids[0])[:64] if len(ids) == 1 else "",
            participant_id=pid,
            object_ids=ids,
        )
        for pid, ids in groups.items()
    ]
    return AuditEvent.objects.bulk_create(rows)


def _participants_of(object_type: str, object_ids: list) -> dict:
    """object id -> participant id, for object types that belong to one participant."""
    if object_type in _PARTICIPANT_TYPES:
        return {oid: int(oid) for oid in object_ids}
    model = _model(object_type)
    if model is None or not object_ids:
        return {}
    if _has_field(model, "participant"):
        field = "participant_id"
    elif _has_field(model, "meeting"):  # minutes, notes, answers: the meeting's participant
        field = "meeting__participant_id"
    else:
        return {}
    return dict(model.objects.filter(pk__in=object_ids).values_list("pk", field))


def _model(object_type: str):
    for model in apps.get_models():
        if model._meta.model_name == object_type:
            return model
    return None


def _has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def _common(request, user, username, action, fields, channel) -> dict:
    return {
        "actor": user,
        "actor_label": (user.get_username() if user else username)[:150],
        "agency_id": getattr(user, "agency_id", None),
        "action": action,
        "fields": sorted(fields or []),
        "channel": channel or _channel(request),
        "path": (request.path[:300] if request is not None else ""),
        "ip": client_ip(request),
    }


def _channel(request) -> str:
    if request is None:
        return "system"
    path = request.path
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/admin/"):
        return "admin"
    return "ui"


# --- pseudonyms -------------------------------------------------------------------------------


def pseudonym(participant_id) -> str:
    """A stable short code for a participant the viewer may not see: the same participant
    always gets the same code (so events can be followed), but the id cannot be recovered
    without the secret key."""
    if participant_id in (None, ""):
        return ""
    digest = salted_hmac("kmv.audit.pseudonym", str(participant_id), algorithm="sha256")
    return "P-" + digest.hexdigest()[:10]


def masked_username(value: str) -> str:
    """What a failed login stores instead of the typed user name, which may be a national
    id or a password typed in the wrong box: a keyed hash, so repeated attempts on one name
    still line up."""
    value = (value or "").strip().lower()
    if not value:
        return ""
    if value.startswith("#") and len(value) == 17:
        return value  # already masked (axes hands its masked name to user_locked_out)
    return "#" + salted_hmac("kmv.audit.username", value, algorithm="sha256").hexdigest()[:16]


def axes_username(request, credentials=None) -> str | None:
    """AXES_USERNAME_CALLABLE: django-axes keeps (and locks out by) the masked name, so its
    attempt and failure tables hold no raw user name either."""
    if credentials:
        value = credentials.get("username")
    else:
        value = getattr(request, "POST", {}).get("username")
    return masked_username(str(value or "")) or None


# --- immutability -----------------------------------------------------------------------------

_pruning: ContextVar[bool] = ContextVar("kmv_audit_pruning", default=False)


@contextmanager
def pruning():
    """The only way to delete audit rows: the retention task's pruning of old ones."""
    token = _pruning.set(True)
    try:
        yield
    finally:
        _pruning.reset(token)


def is_pruning() -> bool:
    return _pruning.get()
