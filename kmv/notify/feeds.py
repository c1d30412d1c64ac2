"""Private calendar feeds: a token-protected iCalendar subscription URL per staff member.

The token is shown once, when created; only its SHA-256 is stored. Revoking sets
`revoked_at`; a revoked or unknown token answers 404, like a missing page.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kmv.access import audit

from . import ical, services
from .models import CalendarFeedToken, MeetingCalendar

PAST = timedelta(days=92)
FUTURE = timedelta(days=366)


@transaction.atomic
def feed_token_create(*, user, request=None) -> str:
    """A new token for the user; returns the raw token (shown once, never stored)."""
    token = secrets.token_urlsafe(32)
    row = CalendarFeedToken.objects.create(
        user=user, token_hash=CalendarFeedToken.hash(token), hint=token[:6]
    )
    audit.record(action=audit.Action.CREATE, request=request, user=user, obj=row)
    return token


@transaction.atomic
def feed_token_revoke(*, user, token_id: int, request=None) -> bool:
    """Revoke one of the user's own tokens; False when it is not theirs or already revoked."""
    updated = CalendarFeedToken.objects.filter(
        pk=token_id, user=user, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if updated:
        audit.record(
            action=audit.Action.UPDATE,
            request=request,
            user=user,
            object_type="calendarfeedtoken",
            object_id=token_id,
            fields=["revoked_at"],
        )
    return bool(updated)


def token_user(token: str):
    """The active user owning this live token, or None."""
    row = (
        CalendarFeedToken.objects.select_related("user")
        .filter(token_hash=CalendarFeedToken.hash(token), revoked_at__isnull=True)
        .first()
    )
    if row is None or not row.user.is_active:
        return None, None
    return row, row.user


def meetings_for_feed(user, now=None):
    """Meetings with a time, from 3 months back to 12 months ahead, where the user is
    invited or holds the stage's responsible role in the participant's group."""
    from resourcegroups.models import Meeting, Membership

    now = now or timezone.now()
    responsible = Membership.objects.active(timezone.localdate(now)).filter(
        staff=user,
        role=OuterRef("stage__responsible_role"),
        group__participant=OuterRef("participant"),
    )
    return (
        Meeting.objects.filter(
            planned_start__isnull=False,
            planned_end__isnull=False,
            planned_start__gte=now - PAST,
            planned_start__lte=now + FUTURE,
        )
        .exclude(status=Meeting.Status.PLANNED)
        .filter(Q(Exists(_invited(user))) | Q(Exists(responsible)))
        .select_related("stage")
        .order_by("planned_start", "pk")
    )


def _invited(user):
    from resourcegroups.models import MeetingInvitee

    return MeetingInvitee.objects.filter(meeting=OuterRef("pk"), staff=user)


def feed_text(user, now=None) -> str:
    """The iCalendar text of the user's feed, under the user's language. Same privacy rules
    as the e-mails: stage name, place and a link — no names."""
    from resourcegroups.models import Meeting

    language = services.staff_language(user)
    meetings = list(meetings_for_feed(user, now))
    sequences = dict(
        MeetingCalendar.objects.filter(meeting__in=[m.pk for m in meetings]).values_list(
            "meeting_id", "sequence"
        )
    )
    events = []
    for meeting in meetings:
        title = services.meeting_title(meeting, language)
        url = services.meeting_url(meeting)
        events.append(
            ical.EventData(
                meeting_id=meeting.pk,
                start=meeting.planned_start,
                end=meeting.planned_end,
                summary=title,
                description=f"{title}\n{url}",
                location=meeting.place,
                url=url,
                sequence=sequences.get(meeting.pk, 0),
                cancelled=meeting.status in (Meeting.Status.CANCELLED, Meeting.Status.NO_SHOW),
            )
        )
    with translation.override(language):
        name = _("KMV meetings")
    return ical.feed_ics(events, name=name)
