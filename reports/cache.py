"""A short-lived cache of the dashboard's aggregates.

Every dashboard section costs GROUP BYs over all participants and meetings (0.1–0.5 s each at
25,000 participants) and the figures change a few times a day, so each group of sections is
kept for `ttl()` seconds (setting `KMV_REPORT_CACHE_SECONDS`, default 300; 0 turns caching
off, as in the test suite) in Django's cache (Redis when REDIS_URL is set).

Why nothing leaks between viewers: a section function's result depends only on the filters,
the day, the suppression limit (`reports.suppression.limit_for`: exact or `threshold()`) and
the language of its labels — never on the viewer otherwise. The key holds all four, so two
viewers share an entry only when they would have been given the very same table. The limit
itself is decided per request, live. Drill-down lists are never cached.

Saving or deleting anything the sections count (outcomes, settled figures, participants,
groups, meetings, invitations, feedback, network meetings) bumps a version that is part of
every key, so the next view recomputes. (Without REDIS_URL the cache is kept in files under
`.local/cache`, shared by the web, worker and beat processes of the machine, so a bump made
by any of them reaches the others at once.) Sections
carry `as_of`, the time they were computed, which the page and the API show.

The cache is an optimisation only: when it is unreachable (Redis down), a save still
succeeds and the dashboard computes its figures directly (the chaos tests stop Redis while
people save).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone, translation

VERSION_KEY = "reports:version"
log = logging.getLogger(__name__)


def ttl() -> int:
    default = 0 if getattr(settings, "TESTING", False) else 300
    return int(getattr(settings, "KMV_REPORT_CACHE_SECONDS", default))


def _version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY) or 1
    return int(version)


def bump() -> None:
    """Make every cached section stale (its key changes)."""
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # not set yet (or evicted): any new value leaves the old keys behind
            cache.add(VERSION_KEY, 1, timeout=None)
    except Exception:  # noqa: BLE001 — an unreachable cache must not fail a save; TTL bounds it
        log.warning("report cache unreachable: version not bumped", exc_info=True)


def key(group: str, filters, *, today: date, limit: int | None) -> str:
    query = "&".join(f"{k}={v}" for k, v in sorted(filters.as_query().items()))
    raw = f"{group}|{query}|{today.isoformat()}|{limit}|{translation.get_language()}"
    digest = hashlib.sha256(raw.encode()).hexdigest()[:32]
    return f"reports:v{_version()}:{group}:{digest}"


def sections(
    group: str, filters, *, today: date, limit: int | None, compute: Callable[[], list]
) -> list:
    """`compute()` (a list of Sections), from the cache when a fresh copy is there."""
    seconds = ttl()
    if seconds <= 0:
        return compute()
    try:
        cache_key = key(group, filters, today=today, limit=limit)
        hit = cache.get(cache_key)
    except Exception:  # noqa: BLE001 — no cache: compute, as with caching off
        log.warning("report cache unreachable: computing directly", exc_info=True)
        return compute()
    if hit is not None:
        return hit
    as_of = timezone.now()
    result = [replace(s, as_of=as_of) for s in compute()]
    try:
        cache.set(cache_key, result, seconds)
    except Exception:  # noqa: BLE001
        log.warning("report cache unreachable: result not stored", exc_info=True)
    return result


def changed() -> None:
    """Bump after this transaction commits. For bulk writes (`update()`, `bulk_create()`)
    to what the dashboard counts, which send no save signals."""
    if ttl() > 0:
        transaction.on_commit(bump)


def _changed(sender, **kwargs) -> None:
    changed()


def connect() -> None:
    """Bump the version whenever something the dashboard counts is saved or deleted (called
    from `ReportsConfig.ready`)."""
    from network.models import FeedbackResponse, NetworkMeeting
    from participants.models import OutcomeRecord, Participant, SettledFigure
    from resourcegroups.models import Meeting, MeetingInvitee, Membership, ResourceGroup

    for model in (
        OutcomeRecord,
        SettledFigure,
        Participant,
        ResourceGroup,
        Membership,
        Meeting,
        MeetingInvitee,
        FeedbackResponse,
        NetworkMeeting,
    ):
        uid = f"reports-cache-{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}-delete")
