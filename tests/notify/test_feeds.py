"""Private calendar feeds: token shown once, stored hashed, revocable, no names."""

import re

import pytest
from django.urls import reverse
from icalendar import Calendar

from kmv.access.models import AuditEvent
from kmv.notify import feeds
from kmv.notify.models import CalendarFeedToken

pytestmark = pytest.mark.django_db


def _create_link(client, user):
    client.force_login(user)
    response = client.post(reverse("feeds:settings"))
    assert response.status_code == 200
    url = response.context["new_url"]
    assert url
    return url


def test_feed_lists_my_meetings_without_names(client, personas, meeting, book, participant):
    book(meeting)
    url = _create_link(client, personas["teacher"])  # bob is invited
    token = re.search(r"/feed/([^/]+)\.ics$", url).group(1)
    assert not CalendarFeedToken.objects.filter(token_hash=token).exists()  # only a hash
    client.logout()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "no-store" in response["Cache-Control"]
    cal = Calendar.from_ical(response.content)
    assert "METHOD" not in cal
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == f"meeting-{meeting.pk}@127.0.0.1"
    body = response.content.decode()
    for value in (participant.first_name, participant.last_name, "Progress"):
        assert value not in body
    audit = AuditEvent.objects.filter(action="download", object_type="calendarfeedtoken").get()
    assert audit.channel == "export" and audit.participant_id is None


def test_feed_shows_responsible_adviser_and_not_outsiders(client, personas, meeting, book):
    book(meeting)
    assert list(feeds.meetings_for_feed(personas["nav_adviser"])) == [meeting]
    assert list(feeds.meetings_for_feed(personas["counsellor"])) == []


def test_revoked_and_unknown_tokens_answer_404(client, personas, meeting, book):
    book(meeting)
    bob = personas["teacher"]
    url = _create_link(client, bob)
    row = CalendarFeedToken.objects.get(user=bob)
    # somebody else cannot revoke bob's token
    client.force_login(personas["counsellor"])
    assert client.post(reverse("feeds:revoke", args=[row.pk])).status_code == 404
    assert client.get(url).status_code == 200
    client.force_login(bob)
    assert client.post(reverse("feeds:revoke", args=[row.pk])).status_code == 302
    assert client.get(url).status_code == 404
    assert client.get(reverse("feeds:feed", args=["not-a-token"])).status_code == 404


def test_settings_page_needs_login(client):
    response = client.get(reverse("feeds:settings"))
    assert response.status_code == 302


def test_reading_the_feed_is_a_read_of_each_participant(client, personas, meeting, book):
    """The events are the participants' meetings: the participant's access log shows the
    calendar client's read (as the token's owner, channel export)."""
    book(meeting)
    url = _create_link(client, personas["teacher"])
    client.logout()
    assert client.get(url).status_code == 200
    read = AuditEvent.objects.get(action="list", participant_id=meeting.participant_id)
    assert read.actor == personas["teacher"]
    assert read.channel == "export"
    assert read.object_type == "meeting" and read.object_ids == [meeting.pk]
