"""A resource-group meeting marked held sends the participant's anonymous feedback link:
once, through the real outbox, in their language; without an e-mail nothing is sent and the
adviser is told to use the paper form."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kmv.notify.models import OutboxMessage
from network.models import FeedbackInvite, FeedbackResponse
from resourcegroups import services as group_services
from resourcegroups.services.meetings import send_feedback_link

pytestmark = pytest.mark.django_db


def _booked(participant, alice):
    meeting = group_services.meeting_create_concern(user=alice, participant=participant, reason="x")
    day = timezone.localdate() - timedelta(days=2)  # held only from its start (issue 14)
    start = timezone.make_aware(datetime(day.year, day.month, day.day, 10))
    return group_services.meeting_schedule(
        user=alice, meeting=meeting, start=start, end=start + timedelta(hours=1), place="Rom 1"
    )


def test_held_meeting_mails_the_feedback_link_once(
    participant, personas, django_capture_on_commit_callbacks, client
):
    alice = personas["nav_adviser"]
    participant.email = "amina@example.org"
    participant.preferred_language = "en"
    participant.save(update_fields=["email", "preferred_language"])
    meeting = _booked(participant, alice)
    with django_capture_on_commit_callbacks(execute=False):
        group_services.meeting_set_status(user=alice, meeting=meeting, status="held")
    message = OutboxMessage.objects.get(key=f"network:feedback:{meeting.pk}")
    assert message.to == "amina@example.org" and message.language == "en"
    assert "How was the meeting?" in message.subject  # English, the participant's language
    invite = FeedbackInvite.objects.get(meeting_id=meeting.pk)
    assert invite.stage_number == meeting.stage.number and invite.language == "en"
    # again (a second path to "held", a retry): no second link, no second message
    assert send_feedback_link(meeting) is False
    assert OutboxMessage.objects.filter(key__startswith="network:feedback:").count() == 1
    assert FeedbackInvite.objects.count() == 1
    # the link in the mail works once, without login, and stores no trace of who answered
    path = message.body.split()[-1].replace("http://127.0.0.1:8000", "")
    assert path.startswith(reverse("network:feedback", args=["x"])[:-2])
    client.post(path, {"heard": "5", "understood": "4", "useful": "4"})
    response = FeedbackResponse.objects.get()
    assert (response.stage_number, response.language) == (meeting.stage.number, "en")
    assert client.get(path).status_code == 410


def test_nothing_is_sent_when_the_status_change_rolls_back(participant, personas):
    from django.db import transaction

    alice = personas["nav_adviser"]
    participant.email = "amina@example.org"
    participant.save(update_fields=["email"])
    meeting = _booked(participant, alice)
    with pytest.raises(RuntimeError), transaction.atomic():
        group_services.meeting_set_status(user=alice, meeting=meeting, status="held")
        raise RuntimeError("the request failed after the change")
    assert not OutboxMessage.objects.filter(key__startswith="network:feedback:").exists()
    assert not FeedbackInvite.objects.exists()


def test_without_email_the_adviser_is_pointed_to_paper(client, participant, personas):
    alice = personas["nav_adviser"]
    assert participant.email == ""
    meeting = _booked(participant, alice)
    client.force_login(alice)
    response = client.post(
        reverse("resourcegroups:meeting_status", args=[meeting.pk]),
        {"status": "held", "confirmed": "1"},
        follow=True,
    )
    meeting.refresh_from_db()
    assert meeting.status == "held"
    assert not FeedbackInvite.objects.exists()
    assert not OutboxMessage.objects.filter(key__startswith="network:feedback:").exists()
    with translation.override("nb"):  # the UI language in the tests
        expected = _(
            "The participant has no e-mail address, so no feedback link was sent. "
            "Give them the paper feedback form; staff type in the answers afterwards."
        )
    assert expected in [str(m) for m in response.context["messages"]]


def test_sending_minutes_marks_the_meeting_held_and_mails_the_link_once(participant, personas):
    """The other road to "held": the adviser sends the minutes of a booked meeting."""
    alice = personas["nav_adviser"]
    participant.email = "amina@example.org"
    participant.save(update_fields=["email"])
    meeting = _booked(participant, alice)
    minutes = group_services.minutes_compose(user=alice, meeting=meeting, decisions="Plan")
    group_services.minutes_submit(user=alice, minutes=minutes)
    meeting.refresh_from_db()
    assert meeting.status == "held"
    assert OutboxMessage.objects.filter(key=f"network:feedback:{meeting.pk}").count() == 1
    # marking it held again afterwards sends nothing more
    assert send_feedback_link(meeting) is False
    assert FeedbackInvite.objects.filter(meeting_id=meeting.pk).count() == 1
