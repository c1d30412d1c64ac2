"""Invitations: iCalendar that parses, stable UID, rising SEQUENCE, CANCEL, privacy."""

import email
import email.policy

import pytest
from django.core import mail
from icalendar import Calendar

from kmv.notify import services, sweep
from kmv.notify.models import OutboxMessage
from resourcegroups import services as group_services

pytestmark = pytest.mark.django_db


def _event(row):
    cal = Calendar.from_ical(row.ics)
    (event,) = cal.walk("VEVENT")
    return cal, event


def _rows(meeting, kind=OutboxMessage.Kind.INVITATION):
    return list(OutboxMessage.objects.filter(meeting_id=meeting.pk, kind=kind).order_by("pk"))


def test_booking_invites_every_member_and_the_participant(meeting, book):
    book(meeting)
    rows = _rows(meeting)
    assert sorted(r.to for r in rows) == [
        "alice@example.org",
        "amina@example.org",
        "bob@example.org",
    ]
    for row in rows:
        cal, event = _event(row)
        assert cal["METHOD"] == "REQUEST" and row.ics_method == "REQUEST"
        assert cal["VERSION"] == "2.0" and cal["PRODID"]
        assert str(event["UID"]) == f"meeting-{meeting.pk}@127.0.0.1"
        assert event["SEQUENCE"] == 0
        assert str(event["STATUS"]) == "CONFIRMED"
        assert str(event["LOCATION"]) == "Rom 1"
        assert str(event["ATTENDEE"]) == f"mailto:{row.to}"
        assert event.decoded("DTSTART").tzinfo is not None


def test_no_personal_data_in_calendar_entries_or_messages(meeting, book, participant):
    book(meeting)
    for row in _rows(meeting):
        _cal, event = _event(row)
        text = " ".join(str(event.get(k, "")) for k in ("SUMMARY", "DESCRIPTION", "LOCATION"))
        for value in (participant.first_name, participant.last_name, "Progress"):
            assert value not in text
            assert value not in row.subject
            assert value not in row.body


def test_uid_stable_and_sequence_rises_with_time_place_and_status(meeting, book, personas):
    book(meeting, days=10)
    assert services.queue_meeting_invitations(meeting=meeting) == 0  # nothing changed
    book(meeting, days=11)  # time
    book(meeting, days=11, place="Rom 2")  # place
    group_services.meeting_set_status(
        user=personas["nav_adviser"], meeting=meeting, status="invited"
    )  # booked -> invited: same calendar entry, no new sequence
    group_services.meeting_set_status(
        user=personas["nav_adviser"], meeting=meeting, status="cancelled"
    )
    alice = [r for r in OutboxMessage.objects.order_by("pk") if r.to == "alice@example.org"]
    uids = {str(_event(r)[1]["UID"]) for r in alice}
    sequences = [_event(r)[1]["SEQUENCE"] for r in alice]
    assert len(uids) == 1
    assert sequences == [0, 1, 2, 3]
    assert [r.kind for r in alice][-1] == OutboxMessage.Kind.CANCELLATION


def test_cancel_goes_to_every_attendee_with_method_cancel(meeting, book, personas, agencies):
    agencies["interpreters"].email = "tolk@example.org"
    agencies["interpreters"].save()
    book(meeting)
    announced = {r.to for r in OutboxMessage.objects.filter(meeting_id=meeting.pk)}
    assert "tolk@example.org" in announced
    group_services.meeting_set_status(
        user=personas["nav_adviser"], meeting=meeting, status="cancelled"
    )
    cancels = _rows(meeting, OutboxMessage.Kind.CANCELLATION)
    assert {r.to for r in cancels} == announced
    for row in cancels:
        cal, event = _event(row)
        assert cal["METHOD"] == "CANCEL"
        assert str(event["STATUS"]) == "CANCELLED"
        assert event["SEQUENCE"] == 1
    # the MIME part says so too (Outlook reads the method parameter)
    sweep.send_due()
    message = email.message_from_bytes(
        mail.outbox[-1].message().as_bytes(), policy=email.policy.default
    )
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") in ("CANCEL", "REQUEST")
    methods = set()
    for sent in mail.outbox:
        msg = email.message_from_bytes(sent.message().as_bytes(), policy=email.policy.default)
        for p in msg.iter_attachments():
            methods.add(p.get_param("method"))
            Calendar.from_ical(p.get_content())  # parses
    assert methods == {"REQUEST", "CANCEL"}


def test_cancelling_an_unannounced_meeting_sends_nothing(meeting, personas):
    group_services.meeting_set_status(
        user=personas["nav_adviser"], meeting=meeting, status="cancelled"
    )
    assert not OutboxMessage.objects.exists()


def test_languages(meeting, book, personas, participant):
    alice = personas["nav_adviser"]
    alice.language = "en"
    alice.save()
    book(meeting)
    by_to = {r.to: r for r in _rows(meeting)}
    assert by_to["alice@example.org"].language == "en"
    assert "Meeting on concern about progress" in by_to["alice@example.org"].subject
    assert by_to["bob@example.org"].language == "nb"
    assert "Møte ved bekymring" in by_to["bob@example.org"].subject
    # Tigrinya is not available: bokmål, with a line saying so; no link (no login)
    to_participant = by_to["amina@example.org"]
    assert to_participant.language == "nb"
    assert "/ressursgrupper/mote/" not in to_participant.body
    assert "/ressursgrupper/mote/" in by_to["bob@example.org"].body
    assert to_participant.body != by_to["bob@example.org"].body


def test_participant_in_english(meeting, book, participant):
    participant.preferred_language = "en"
    participant.save(update_fields=["preferred_language"])
    book(meeting)
    row = OutboxMessage.objects.get(to="amina@example.org")
    assert row.language == "en"
    assert "Meeting on concern about progress" in row.subject


def test_interpreter_request_has_language_time_and_place_only(meeting, book, agencies, participant):
    agencies["interpreters"].email = "tolk@example.org"
    agencies["interpreters"].save()
    book(meeting, place="Rom 7")
    row = OutboxMessage.objects.get(to="tolk@example.org")
    assert row.kind == OutboxMessage.Kind.INTERPRETER
    assert "Tigrinya" in row.body or "tigrinja" in row.body.lower()
    assert "Rom 7" in row.body
    assert "/ressursgrupper/" not in row.body
    _cal, event = _event(row)
    assert "/ressursgrupper/" not in str(event.get("DESCRIPTION"))
    for value in (participant.first_name, participant.last_name):
        assert value not in row.body and value not in row.ics
