"""Routine, resource-group and meeting API.

alice (NAV programme adviser) owns the participant and is responsible for the meetings; bob
(adult education, consent) is a member; charlie (career centre, no consent) sees nothing.
The permission table per persona × endpoint × method is in test_permissions.py.
"""

import hashlib
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kmv.access.models import AuditEvent
from participants import services as participant_services
from resourcegroups import services as group_services
from resourcegroups.models import MeetingNote, Minutes, Routine

pytestmark = pytest.mark.django_db

FAKE_PDF = b"%PDF-1.4 archive copy"


@pytest.fixture(autouse=True)
def _fake_archive(monkeypatch):
    """The archive renderer is tested on its own; here the bytes only need to be stored."""

    def store(minutes):
        minutes.pdf.save(f"referat-{minutes.pk}.pdf", ContentFile(FAKE_PDF), save=False)
        minutes.pdf_sha256 = hashlib.sha256(FAKE_PDF).hexdigest()
        minutes.save(update_fields=["pdf", "pdf_sha256"])

    monkeypatch.setattr("resourcegroups.archive.store_minutes_pdf", store)


@pytest.fixture
def alice(personas):
    return personas["nav_adviser"]


@pytest.fixture
def bob(personas):
    return personas["teacher"]


@pytest.fixture
def meeting(participant):
    return participant.meetings.get(stage__number=1)


@pytest.fixture
def held(participant, alice):
    """A concern meeting held yesterday; alice and bob are invited."""
    m = group_services.meeting_create_concern(user=alice, participant=participant, reason="x")
    start = timezone.now() - timedelta(days=1)
    return group_services.meeting_schedule(
        user=alice, meeting=m, start=start, end=start + timedelta(hours=1), place="Rom 1"
    )


def _teacher_item(meeting):
    return meeting.stage.items.filter(owner_role="teacher", answer_type="text").first()


# --- routines ------------------------------------------------------------------------------


def test_routine_texts_follow_the_request_language(client_for, bob):
    routine = Routine.objects.get(status=Routine.Status.ACTIVE)
    client = client_for(bob)
    nb = client.get(f"/api/routines/{routine.pk}/").json()
    en = client.get(f"/api/routines/{routine.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    item_nb, item_en = nb["stages"][0]["items"][0], en["stages"][0]["items"][0]
    assert item_nb["text"] == item_nb["text_nb"] != item_nb["text_en"]
    assert item_en["text"] == item_en["text_en"]
    assert item_en["text_nb"] == item_nb["text_nb"]
    assert en["stages"][0]["name"] == en["stages"][0]["name_en"]


def test_routine_drafts_are_written_by_network_coordinators_only(client_for, personas):
    active = Routine.objects.get(status=Routine.Status.ACTIVE)
    for name in ("nav_adviser", "leader", "sysadmin"):
        response = client_for(personas[name]).post(
            "/api/routines/", {"based_on": active.pk}, format="json"
        )
        assert response.status_code == 403, name
    client = client_for(personas["coordinator"])
    response = client.post("/api/routines/", {"based_on": active.pk}, format="json")
    assert response.status_code == 201, response.content
    draft = response.json()
    assert draft["status"] == "draft"
    assert draft["version"] == active.version + 1
    assert draft["based_on"] == active.pk
    assert len(draft["stages"]) == active.stages.count()

    response = client.patch(
        f"/api/routines/{draft['id']}/", {"change_summary": "Møte 2 flyttet"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["change_summary"] == "Møte 2 flyttet"
    stage = draft["stages"][0]
    response = client.patch(
        f"/api/routines/{draft['id']}/stages/{stage['id']}/",
        {"offset_months": 4},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["offset_months"] == 4
    response = client_for(personas["nav_adviser"]).patch(
        f"/api/routines/{draft['id']}/", {"change_summary": "x"}, format="json"
    )
    assert response.status_code == 403

    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(
        f"/api/routines/{draft['id']}/activate/", {"effective_from": tomorrow}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "active"
    # an active version is never changed again
    response = client.patch(f"/api/routines/{draft['id']}/", {"name": "Ny"}, format="json")
    assert response.status_code == 400


# --- resource groups -----------------------------------------------------------------------


def test_resource_group_shows_dated_memberships_including_ended(
    client_for, participant, alice, bob, personas
):
    membership = participant.resource_group.memberships.get(staff=bob)
    group_services.membership_end(user=alice, membership=membership, reason="Sluttet")
    response = client_for(alice).get(f"/api/resource-groups/?participant={participant.pk}")
    assert response.status_code == 200
    [group] = response.json()["results"]
    assert group["participant"] == participant.pk
    assert group["contact_person"] == alice.pk
    ended = next(m for m in group["memberships"] if m["staff"] == bob.pk)
    assert ended["end_date"] == timezone.localdate().isoformat()
    assert ended["end_reason"] == "Sluttet"
    assert ended["is_active"] is False
    assert AuditEvent.objects.filter(
        action="list", object_type="resourcegroup", object_ids=[group["id"]], channel="api"
    ).exists()
    # bob's agency lost access with the membership
    assert client_for(bob).get(f"/api/resource-groups/{group['id']}/").status_code == 404
    assert client_for(personas["counsellor"]).get("/api/resource-groups/").json()["count"] == 0


# --- meetings: lists and reads -------------------------------------------------------------


def test_meeting_list_is_scoped_filtered_and_audited(client_for, participant, alice, bob, held):
    client = client_for(alice)
    data = client.get("/api/meetings/").json()
    ids = [m["id"] for m in data["results"]]
    assert set(ids) == set(participant.meetings.values_list("pk", flat=True))
    event = AuditEvent.objects.filter(action="list", object_type="meeting").latest("id")
    assert event.object_ids == ids and event.channel == "api"

    assert [m["id"] for m in client.get("/api/meetings/?stage=11").json()["results"]] == [held.pk]
    assert [m["id"] for m in client.get("/api/meetings/?status=booked").json()["results"]] == [
        held.pk
    ]
    today = timezone.localdate().isoformat()
    assert held.pk in {
        m["id"] for m in client.get(f"/api/meetings/?due_after={today}").json()["results"]
    }
    assert held.pk not in {
        m["id"] for m in client.get("/api/meetings/?due_before=2025-12-31").json()["results"]
    }
    assert client.get(f"/api/meetings/?participant={participant.pk}").json()["count"] == len(ids)
    # bob is invited to both; the counsellor sees nothing at all
    assert client_for(bob).get("/api/meetings/?mine=true").json()["count"] == len(ids)


def test_meeting_list_queries_do_not_grow_with_rows(
    client_for, alice, municipality, django_assert_max_num_queries
):
    def add_participants(n):
        for i in range(n):
            participant_services.participant_create(
                user=alice,
                first_name="Q",
                last_name=f"Count{i}",
                date_of_birth=date(1990, 1, 1),
                municipality=municipality,
                intro_programme_start=date(2025, 1, 6),
            )

    client = client_for(alice)
    add_participants(3)
    with CaptureQueriesContext(connection) as three:
        assert client.get("/api/meetings/").json()["count"] == 3
    add_participants(17)
    # COUNT, the page (participant, stage, routine, item count), the page's answers, the
    # audit insert — plus savepoints: the same for 20 meetings as for 3.
    with django_assert_max_num_queries(len(three)):
        assert client.get("/api/meetings/").json()["count"] == 20
    with django_assert_max_num_queries(len(three)):
        client.get("/api/resource-groups/")


def test_meeting_detail_has_invitees_checklist_and_progress(client_for, meeting, alice, bob):
    item = _teacher_item(meeting)
    group_services.answer_save(
        user=bob, meeting=meeting, item=item, value={"text": "Modul 2"}, version=0
    )
    response = client_for(alice).get(f"/api/meetings/{meeting.pk}/")
    assert response.status_code == 200
    data = response.json()
    assert {i["staff"] for i in data["invitees"]} == {alice.pk, bob.pk}
    entry = next(e for e in data["checklist"] if e["item"]["id"] == item.pk)
    assert entry["value"]["text"] == "Modul 2" and entry["version"] == 1
    assert entry["may_answer"] is False  # alice is not a teacher
    unanswered = next(e for e in data["checklist"] if e["item"]["id"] != item.pk)
    assert unanswered["version"] == 0 and unanswered["value"] == {}
    assert data["progress"] == {"answered": 1, "total": meeting.stage.items.count()}
    assert AuditEvent.objects.filter(
        action="view",
        object_type="meeting",
        object_id=str(meeting.pk),
        participant_id=meeting.participant_id,
    ).exists()


def test_invisible_meeting_is_404_and_audited(client_for, meeting, personas):
    counsellor = personas["counsellor"]
    assert client_for(counsellor).get(f"/api/meetings/{meeting.pk}/").status_code == 404
    event = AuditEvent.objects.get(action="denied", actor=counsellor)
    assert event.object_type == "meeting" and event.participant_id == meeting.participant_id


# --- meetings: actions ---------------------------------------------------------------------


def test_schedule_with_a_stale_version_is_409(client_for, meeting, alice):
    client = client_for(alice)
    body = {
        "start": "2025-04-07T09:00:00+02:00",
        "end": "2025-04-07T10:00:00+02:00",
        "place": "Rom 1",
        "interpreter_booked": "Tolk T.",
        "version": meeting.version,
    }
    response = client.post(f"/api/meetings/{meeting.pk}/schedule/", body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "booked"
    assert response.json()["version"] == meeting.version + 1
    response = client.post(
        f"/api/meetings/{meeting.pk}/schedule/", {**body, "place": "Rom 2"}, format="json"
    )
    assert response.status_code == 409
    assert set(response.json()) == {"detail"}
    meeting.refresh_from_db()
    assert meeting.place == "Rom 1"


def test_status_and_attendance(client_for, meeting, alice, bob):
    client = client_for(alice)
    response = client.post(f"/api/meetings/{meeting.pk}/status/", {"status": "held"}, format="json")
    assert response.status_code == 400  # not booked yet: no time set
    invitee = meeting.invitees.get(staff=bob)
    response = client.post(
        f"/api/meetings/{meeting.pk}/attendance/", {str(invitee.pk): "excused"}, format="json"
    )
    assert response.status_code == 200, response.content
    invitee.refresh_from_db()
    assert invitee.attendance == "excused"
    response = client.post(
        f"/api/meetings/{meeting.pk}/attendance/", {str(invitee.pk): "asleep"}, format="json"
    )
    assert response.status_code == 400


def test_concern_meeting(client_for, participant, alice, bob, personas):
    response = client_for(bob).post(
        "/api/meetings/concern/",
        {"participant": participant.pk, "reason": "Høyt fravær siste måned"},
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["stage"]["kind"] == "concern"
    assert data["concern_reason"] == "Høyt fravær siste måned"
    assert data["due_date"] == timezone.localdate().isoformat()
    assert {i["staff"] for i in data["invitees"]} >= {alice.pk, bob.pk}
    response = client_for(personas["counsellor"]).post(
        "/api/meetings/concern/", {"participant": participant.pk, "reason": "x"}, format="json"
    )
    assert response.status_code == 404
    response = client_for(alice).post(
        "/api/meetings/concern/", {"participant": participant.pk, "reason": " "}, format="json"
    )
    assert response.status_code == 400


def test_answer_with_a_stale_version_is_409_with_the_saved_answer(client_for, meeting, bob):
    item = _teacher_item(meeting)
    url = f"/api/meetings/{meeting.pk}/answers/{item.pk}/"
    client = client_for(bob)
    response = client.put(url, {"value": {"text": "Modul 2"}, "version": 0}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "version": 1,
        "progress": {"answered": 1, "total": meeting.stage.items.count()},
    }
    response = client.put(url, {"value": {"text": "Modul 3"}, "version": 0}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["detail"]
    assert body["current"]["version"] == 1
    assert body["current"]["value"]["text"] == "Modul 2"
    response = client.put(url, {"value": {"text": "Modul 3"}, "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 2
    # an item of another stage is not part of this meeting
    other = Routine.objects.get(status="active").stages.get(number=11).items.first()
    response = client.put(
        f"/api/meetings/{meeting.pk}/answers/{other.pk}/",
        {"value": {"text": "x"}, "version": 0},
        format="json",
    )
    assert response.status_code == 404


def test_notes_never_leak_across_agencies(client_for, meeting, alice, bob, personas):
    nav, school = client_for(alice), client_for(bob)
    url = f"/api/meetings/{meeting.pk}/notes/"
    assert nav.get(url).json()["version"] == 0
    assert nav.put(url, {"text": "NAV-notat", "version": 0}, format="json").status_code == 200
    response = school.put(url, {"text": "Skolenotat", "version": 0}, format="json")
    assert response.status_code == 200, response.content
    assert MeetingNote.objects.filter(meeting=meeting).count() == 2

    nav_view = nav.get(url)
    assert nav_view.json()["text"] == "NAV-notat"
    assert b"Skolenotat" not in nav_view.content
    school_view = school.get(url)
    assert school_view.json()["text"] == "Skolenotat"
    assert b"NAV-notat" not in school_view.content
    # nor anywhere else in the meeting
    for client, foreign in ((nav, b"Skolenotat"), (school, b"NAV-notat")):
        assert foreign not in client.get(f"/api/meetings/{meeting.pk}/").content
        assert foreign not in client.get("/api/meetings/").content
    assert client_for(personas["counsellor"]).get(url).status_code == 404
    # a colleague at the same agency shares the agency's note and its version
    response = nav.put(url, {"text": "Endret", "version": 0}, format="json")
    assert response.status_code == 409


def test_minutes_stale_version_is_409(client_for, held, alice):
    client = client_for(alice)
    url = f"/api/meetings/{held.pk}/minutes/"
    assert client.get(url).status_code == 404  # nothing written yet
    response = client.put(url, {"decisions": "Søke vigo.no", "version": 0}, format="json")
    assert response.status_code == 200, response.content
    version = response.json()["version"]
    response = client.put(url, {"decisions": "Søke vigo", "version": version}, format="json")
    assert response.status_code == 200
    response = client.put(url, {"decisions": "Tapt", "version": version}, format="json")
    assert response.status_code == 409
    assert Minutes.objects.get(meeting=held).decisions == "Søke vigo"


def test_approval_by_every_attending_agency_locks_then_addenda_only(
    client_for, held, alice, bob, personas
):
    nav, school = client_for(alice), client_for(bob)
    url = f"/api/meetings/{held.pk}/minutes/"
    response = nav.put(
        url,
        {
            "decisions": "Søke vigo.no innen 1. mars",
            "actions": [
                {"text": "Sende søknad", "agency": bob.agency_id, "due_date": "2026-03-01"}
            ],
            "version": 0,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert nav.post(url + "submit/").status_code == 200

    response = nav.post(url + "approve/")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "for_approval"  # adult education attended too
    assert data["awaiting_agencies"] == [bob.agency_id]
    assert nav.post(url + "addenda/", {"text": "Rettelse"}, format="json").status_code == 400

    response = school.post(url + "approve/")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "approved" and data["locked_at"] and data["has_pdf"]
    assert data["awaiting_agencies"] == []

    response = nav.put(url, {"decisions": "Endret", "version": data["version"]}, format="json")
    assert response.status_code == 400
    response = school.post(url + "addenda/", {"text": "Datoen er 2. mars"}, format="json")
    assert response.status_code == 201, response.content
    assert nav.get(url).json()["addenda"][0]["text"] == "Datoen er 2. mars"

    # the archive copy: both attending agencies, as a PDF, audited as a download; adult
    # education may see only one data category, so it gets an excerpt, not the stored bytes
    response = school.get(url + "pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    excerpt = b"".join(response.streaming_content)
    assert excerpt.startswith(b"%PDF-") and excerpt != FAKE_PDF
    event = AuditEvent.objects.filter(action="download").latest("id")
    assert event.channel == "api" and event.participant_id == held.participant_id
    assert event.actor == bob
    response = nav.get(url + "pdf/", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == FAKE_PDF
    assert client_for(personas["counsellor"]).get(url + "pdf/").status_code == 404


def test_pdf_only_for_attending_or_owner_agency(client_for, held, alice, bob):
    invitee = held.invitees.get(staff=bob)
    group_services.attendance_record(user=alice, meeting=held, attendance={invitee.pk: "absent"})
    own = held.invitees.get(staff=alice)
    group_services.attendance_record(user=alice, meeting=held, attendance={own.pk: "present"})
    minutes = group_services.minutes_compose(user=alice, meeting=held, decisions="Plan")
    group_services.minutes_submit(user=alice, minutes=minutes)
    group_services.minutes_approve(user=alice, minutes=minutes)  # the only attending agency
    minutes.refresh_from_db()
    assert minutes.is_locked and minutes.pdf
    url = f"/api/meetings/{held.pk}/minutes/pdf/"
    assert client_for(alice).get(url).status_code == 200
    # bob's agency may see the participant but did not attend: no archive copy for it
    assert client_for(bob).get(f"/api/meetings/{held.pk}/minutes/").status_code == 200
    assert client_for(bob).get(url).status_code == 404


def test_minutes_of_a_meeting_not_yet_started_cannot_be_sent(client_for, participant, alice):
    """Sending the minutes marks the meeting held; a future meeting is refused (as the status
    buttons are), and neither the minutes nor the meeting change."""
    m = group_services.meeting_create_concern(user=alice, participant=participant, reason="x")
    start = timezone.now() + timedelta(days=2)
    m = group_services.meeting_schedule(
        user=alice, meeting=m, start=start, end=start + timedelta(hours=1), place="Rom 9"
    )
    group_services.minutes_compose(user=alice, meeting=m, decisions="Plan")
    response = client_for(alice).post(f"/api/meetings/{m.pk}/minutes/submit/")
    assert response.status_code == 400
    m.refresh_from_db()
    assert m.status != "held"
    assert Minutes.objects.get(meeting=m).status == Minutes.Status.DRAFT
