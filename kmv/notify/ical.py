"""iCalendar (RFC 5545 / iTIP RFC 5546) for meetings: invitations, updates, cancellations
and the subscription feed.

Privacy: these files end up in other agencies' calendars, which are often shared with
colleagues. SUMMARY, DESCRIPTION and LOCATION therefore carry only the stage name, the
room and a link into KMV — never the participant's name, health or case details. Times
are written in UTC (…Z), which every client converts; no VTIMEZONE needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

PRODID = "-//KMV//Resource-group meetings//NB"


def uid_for(meeting_id: int | str) -> str:
    """Stable per meeting, for its whole life: updates and cancellations refer to it."""
    host = urlsplit(settings.SITE_URL).hostname or "kmv.local"
    return f"meeting-{meeting_id}@{host}"


def organizer_address() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "kmv@localhost"


@dataclass(frozen=True)
class EventData:
    meeting_id: int | str  # the network passes "network-<id>"
    start: datetime
    end: datetime
    summary: str
    description: str
    location: str
    url: str
    sequence: int
    cancelled: bool = False


def _event(data: EventData, *, attendees=()) -> Event:
    event = Event()
    event.add("uid", uid_for(data.meeting_id))
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", data.start.astimezone(UTC))
    event.add("dtend", data.end.astimezone(UTC))
    event.add("sequence", data.sequence)
    event.add("summary", data.summary)
    if data.location:
        event.add("location", data.location)
    event.add("description", data.description)
    if data.url:
        event.add("url", data.url)
    organizer = vCalAddress(f"mailto:{organizer_address()}")
    organizer.params["cn"] = "KMV"
    event.add("organizer", organizer)
    for address in attendees:
        attendee = vCalAddress(f"mailto:{address}")
        attendee.params["role"] = "REQ-PARTICIPANT"
        attendee.params["partstat"] = "NEEDS-ACTION"
        attendee.params["rsvp"] = "FALSE"
        event.add("attendee", attendee, encode=0)
    event.add("status", "CANCELLED" if data.cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def _calendar(method: str | None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    return cal


def meeting_ics(data: EventData, *, attendee: str) -> tuple[str, str]:
    """(ics text, method) for one recipient: METHOD:REQUEST, or CANCEL when cancelled."""
    method = "CANCEL" if data.cancelled else "REQUEST"
    cal = _calendar(method)
    cal.add_component(_event(data, attendees=[attendee]))
    return cal.to_ical().decode(), method


def feed_ics(events: list[EventData], *, name: str) -> str:
    """A subscription feed: no METHOD (it is a published calendar, not a scheduling
    message), one VEVENT per meeting with the same UID/SEQUENCE as the e-mails."""
    cal = _calendar(None)
    cal.add("x-wr-calname", name)
    for data in events:
        cal.add_component(_event(data))
    return cal.to_ical().decode()
