"""Calendar-feed pages: manage one's own subscription tokens; serve the feed by token."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kmv.access import audit

from . import feeds
from .models import CalendarFeedToken


@login_required
def feed_settings(request):
    """The user's own tokens (never anybody else's). A new token is shown once."""
    new_url = ""
    if request.method == "POST":
        token = feeds.feed_token_create(user=request.user, request=request)
        new_url = request.build_absolute_uri(reverse("feeds:feed", args=[token]))
    tokens = CalendarFeedToken.objects.filter(user=request.user, revoked_at__isnull=True)
    return render(request, "notify/feeds.html", {"tokens": tokens, "new_url": new_url})


@login_required
@require_POST
def feed_revoke(request, token_id: int):
    if not feeds.feed_token_revoke(user=request.user, token_id=token_id, request=request):
        raise Http404
    messages.success(request, _("The calendar link is revoked. Subscriptions using it stop."))
    return redirect("feeds:settings")


@require_GET
def feed(request, token: str):
    """No login (calendar clients cannot log in): the token is the credential."""
    row, user = feeds.token_user(token)
    if row is None:
        raise Http404
    body = feeds.feed_text(user)
    CalendarFeedToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    # the feed's events are participants' meetings: a read of each of those participants
    shown = dict(feeds.meetings_for_feed(user).values_list("pk", "participant_id"))
    if shown:
        audit.record_reads(
            request=request,
            user=user,
            object_type="meeting",
            object_ids=list(shown),
            participant_ids=shown,
            channel="export",
        )
    audit.record(
        action=audit.Action.DOWNLOAD,
        request=request,
        user=user,
        object_type="calendarfeedtoken",
        object_id=row.pk,
        channel="export",
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["Content-Disposition"] = 'inline; filename="kmv.ics"'
    return response
