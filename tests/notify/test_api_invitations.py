"""Invitation status: per meeting, each recipient's latest invitation from the outbox
(pending/sent/failed, attempts, sent_at, SEQUENCE), through the notify API, the rounds API
and the selector. Recipients are named by their part, never by address."""

import pytest
from django.urls import reverse

from kmv.notify import sweep
from kmv.notify.models import OutboxMessage
from kmv.notify.selectors import invitation_status

pytestmark = pytest.mark.django_db


def _strings(data):
    if isinstance(data, dict):
        for v in data.values():
            yield from _strings(v)
    elif isinstance(data, list):
        for v in data:
            yield from _strings(v)
    elif isinstance(data, str):
        yield data


def test_meeting_invitation_status_api(api_client, personas, meeting, book):
    book(meeting)
    api_client.force_authenticate(personas["nav_adviser"])
    url = reverse("notify-invitation-detail", args=[meeting.pk])
    data = api_client.get(url).json()
    assert data["meeting"] == meeting.pk
    rows = {r["recipient"]: r for r in data["recipients"]}
    bob = personas["teacher"].get_full_name()
    assert rows[bob]["role"] == "staff" and rows[bob]["status"] == "pending"
    assert rows[bob]["sequence"] == 0 and rows[bob]["attempts"] == 0
    assert rows[bob]["sent_at"] is None
    participant = [r for r in data["recipients"] if r["role"] == "participant"]
    assert participant and participant[0]["recipient"] == str(meeting.participant)
    assert not any("@" in s for s in _strings(data)), data  # no addresses
    from kmv.access.models import AuditEvent

    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW,
        actor=personas["nav_adviser"],
        participant_id=meeting.participant_id,
        channel="api",
    ).exists()

    sweep.send_due()
    # moved: SEQUENCE 1 replaces 0 as the latest per recipient
    book(meeting, days=12)
    sweep.send_due()
    data = api_client.get(url).json()
    rows = {r["recipient"]: r for r in data["recipients"]}
    assert rows[bob]["status"] == "sent" and rows[bob]["sequence"] == 1
    assert rows[bob]["sent_at"] and rows[bob]["attempts"] == 1
    assert len(data["recipients"]) == len({r["recipient"] for r in data["recipients"]})


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("nav_adviser", 200),
        ("teacher", 200),
        ("counsellor", 404),
        ("follow_up", 404),
        ("interpreter", 404),
        ("sysadmin", 404),
    ],
)
def test_meeting_invitation_status_access(api_client, personas, meeting, book, who, status):
    book(meeting)
    api_client.force_authenticate(personas[who])
    response = api_client.get(reverse("notify-invitation-detail", args=[meeting.pk]))
    assert response.status_code == status
    assert api_client.get("/api/notify/invitations/abc/").status_code == 404


def test_failed_send_is_shown_as_failed(personas, meeting, book, monkeypatch):
    book(meeting)
    OutboxMessage.objects.filter(to=personas["teacher"].email).update(
        status=OutboxMessage.Status.FAILED, attempts=5
    )
    rows = invitation_status([meeting], visible_participants={meeting.participant_id})
    bob = next(r for r in rows[meeting.pk] if r["role"] == "staff" and r["attempts"] == 5)
    assert bob["status"] == "failed"


def test_participant_named_only_when_visible(personas, meeting, book):
    book(meeting)
    rows = invitation_status([meeting], visible_participants=set())[meeting.pk]
    labels = [r["recipient"] for r in rows if r["role"] == "participant"]
    assert labels and meeting.participant.last_name not in labels[0]


def test_status_is_constant_in_queries(
    personas, participant, meeting, book, django_assert_max_num_queries
):
    from resourcegroups import services as group_services

    meetings = [book(meeting)]
    for n in range(4):
        extra = group_services.meeting_create_concern(
            user=personas["nav_adviser"], participant=participant, reason=f"r{n}"
        )
        meetings.append(book(extra, days=20 + n))
    from resourcegroups.models import Meeting

    meetings = list(
        Meeting.objects.filter(pk__in=[m.pk for m in meetings]).select_related("participant")
    )
    with django_assert_max_num_queries(3):
        rows = invitation_status(meetings, visible_participants={participant.pk})
    assert all(rows[m.pk] for m in meetings)


def test_round_invitations_api(
    api_client, personas, participant, agencies, django_capture_on_commit_callbacks
):
    from datetime import date, time

    from resourcegroups.models import Interpreter, Room, RoutineStage
    from resourcegroups.selectors import routine_in_force
    from resourcegroups.services import rounds as services

    alice = personas["nav_adviser"]
    room = Room.objects.create(agency=agencies["nav"], name="Rom 1")
    tolk = Interpreter.objects.create(name="Tolk", languages=["ti"])
    day = date(2027, 2, 2)
    rnd = services.round_create(
        user=alice,
        title="Runde",
        days=[(day, time(9), time(12))],
        stages=[RoutineStage.objects.get(routine=routine_in_force(day), number=1)],
        rooms=[room],
        interpreters=[tolk],
        time_limit_seconds=5,
    )
    services.entries_add(user=alice, rnd=rnd, meetings=[participant.meetings.get(stage__number=1)])
    with django_capture_on_commit_callbacks(execute=True):
        services.generate_start(user=alice, rnd=rnd)
    url = reverse("round-invitations", args=[rnd.pk])
    api_client.force_authenticate(alice)
    assert api_client.get(url).json() == [
        {"meeting": rnd.entries.get().meeting_id, "recipients": []}
    ]
    with django_capture_on_commit_callbacks(execute=False):
        services.round_publish(user=alice, rnd=rnd)
    data = api_client.get(url).json()
    assert len(data) == 1 and data[0]["recipients"]
    assert {r["status"] for r in data[0]["recipients"]} == {"pending"}
    assert not any("@" in s for s in _strings(data))
    api_client.force_authenticate(personas["teacher"])
    assert api_client.get(url).status_code == 404


def test_meeting_page_shows_invitation_status_to_the_responsible_adviser(
    client, personas, meeting, book
):
    book(meeting)
    sweep.send_due()
    url = reverse("resourcegroups:meeting", args=[meeting.pk])
    client.force_login(personas["nav_adviser"])
    page = client.get(url).content.decode()
    assert 'id="invitation-status"' in page
    assert personas["teacher"].get_full_name() in page.split('id="invitation-status"')[1]
    assert "@" not in page.split('id="invitation-status"')[1].split("</section>")[0]
    # a member who does not run the meeting does not get the delivery table
    client.force_login(personas["teacher"])
    assert 'id="invitation-status"' not in client.get(url).content.decode()
