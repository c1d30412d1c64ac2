"""Reads and changes of participant data are audited with identifiers only, and the logs
are shown to the right people."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from kmv.access import audit
from kmv.access.models import AuditEvent

pytestmark = pytest.mark.django_db

AUDIT_LOG_URL = "/konto/revisjonslogg/"


@pytest.fixture(autouse=True)
def _no_server_errors(monkeypatch):
    """Every request made in these tests must answer below 500."""
    original = Client.request

    def checked(self, **request):
        response = original(self, **request)
        assert response.status_code < 500, (request.get("PATH_INFO"), response.status_code)
        return response

    monkeypatch.setattr(Client, "request", checked)


def _clear_log() -> None:
    """Start a test from an empty log (the only deletion the log allows is pruning)."""
    with audit.pruning():
        AuditEvent.objects.all().delete()


def _all_event_text() -> str:
    return json.dumps(list(AuditEvent.objects.values()), default=str)


def test_detail_view_writes_view_event(client, personas, participant):
    alice = personas["nav_adviser"]
    client.force_login(alice)
    _clear_log()

    url = reverse("participants:detail", args=[participant.pk])
    response = client.get(url)
    assert response.status_code == 200

    event = AuditEvent.objects.get(action="view")
    assert event.participant_id == participant.pk
    assert event.object_type == "participant"
    assert event.object_id == str(participant.pk)
    assert event.channel == "ui"
    assert event.actor == alice
    assert event.actor_label == "alice"
    assert event.agency_id == alice.agency_id
    assert event.path == url
    assert "Amina" not in _all_event_text()
    assert "Haile" not in _all_event_text()


def test_api_detail_writes_view_event_with_api_channel(api_client, personas, participant):
    api_client.force_authenticate(personas["teacher"])
    _clear_log()
    assert api_client.get(f"/api/participants/{participant.pk}/").status_code == 200
    event = AuditEvent.objects.get(action="view")
    assert event.participant_id == participant.pk
    assert event.channel == "api"
    assert event.actor_label == "bob"


def test_edit_writes_update_with_field_names_and_no_values(client, personas, participant):
    alice = personas["nav_adviser"]
    client.force_login(alice)
    url = reverse("participants:edit", args=[participant.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["municipality"] = participant.municipality_id
    data["languages"] = []
    new_last_name = "Qwertyzxcvson"
    new_phone = "+47 99887766"
    data["last_name"] = new_last_name
    data["phone"] = new_phone
    _clear_log()

    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:1500]
    participant.refresh_from_db()
    assert participant.last_name == new_last_name

    event = AuditEvent.objects.get(action="update")
    assert event.participant_id == participant.pk
    assert event.channel == "ui"
    assert event.actor == alice
    assert sorted(event.fields) == ["last_name", "phone"]

    text = _all_event_text()
    for value in (new_last_name, new_phone, "99887766", "Haile"):
        assert value not in text, value


def test_unchanged_save_writes_no_update_event(client, personas, participant):
    client.force_login(personas["nav_adviser"])
    url = reverse("participants:edit", args=[participant.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["municipality"] = participant.municipality_id
    data["languages"] = []
    assert client.post(url, data).status_code == 302
    assert not AuditEvent.objects.filter(action="update", participant_id=participant.pk).exists()


def test_access_to_another_agencys_participant_is_denied_and_audited(client, personas, participant):
    charlie = personas["counsellor"]  # career centre: in the group, but no consent
    client.force_login(charlie)
    _clear_log()

    response = client.get(reverse("participants:detail", args=[participant.pk]))
    assert response.status_code == 404
    assert "Haile" not in response.content.decode()

    event = AuditEvent.objects.get()
    assert event.action == "denied"
    assert event.actor == charlie
    assert event.participant_id == participant.pk
    assert event.object_id == str(participant.pk)
    assert not AuditEvent.objects.filter(action="view").exists()


def test_edit_by_reader_agency_is_denied(client, personas, participant):
    client.force_login(personas["teacher"])  # may view, not change
    _clear_log()
    response = client.get(reverse("participants:edit", args=[participant.pk]))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        action="denied", actor=personas["teacher"], participant_id=participant.pk
    ).exists()


def test_missing_participant_is_same_404_without_participant_id(client, personas, participant):
    client.force_login(personas["nav_adviser"])
    _clear_log()
    response = client.get(reverse("participants:detail", args=[participant.pk + 1000]))
    assert response.status_code == 404
    event = AuditEvent.objects.get(action="denied")
    assert event.participant_id is None
    assert event.object_id == str(participant.pk + 1000)


def test_list_writes_list_event_with_ids(client, personas, participant):
    client.force_login(personas["nav_adviser"])
    _clear_log()
    response = client.get(reverse("participants:list"))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="list")
    assert event.object_ids == [participant.pk]
    assert event.object_type == "participant"
    assert event.channel == "ui"
    assert "Haile" not in _all_event_text()


def test_empty_list_for_outsider_writes_no_ids(client, personas, participant):
    client.force_login(personas["counsellor"])
    _clear_log()
    response = client.get(reverse("participants:list"))
    assert response.status_code == 200
    assert "Haile" not in response.content.decode()
    for event in AuditEvent.objects.filter(action="list"):
        assert participant.pk not in event.object_ids


def test_access_log_shows_teachers_read_to_owner_agency_only(client, personas, participant):
    teacher = Client()
    teacher.force_login(personas["teacher"])
    assert teacher.get(reverse("participants:detail", args=[participant.pk])).status_code == 200

    client.force_login(personas["nav_adviser"])
    url = reverse("participants:access_log", args=[participant.pk])
    response = client.get(url)
    assert response.status_code == 200
    events = list(response.context["events"])
    read = [e for e in events if e.action == "view" and e.actor_label == "bob"]
    assert len(read) == 1
    assert read[0].agency == personas["teacher"].agency
    body = response.content.decode()
    assert "bob" in body
    assert "Voksenopplæringen" in body

    denied = teacher.get(url)
    assert denied.status_code == 404
    assert "participants/access_log.html" not in [t.name for t in denied.templates]
    assert "Amina" not in denied.content.decode()


def test_access_log_hides_denied_attempts(client, personas, participant):
    outsider = Client()
    outsider.force_login(personas["counsellor"])
    assert outsider.get(reverse("participants:detail", args=[participant.pk])).status_code == 404
    client.force_login(personas["nav_adviser"])
    response = client.get(reverse("participants:access_log", args=[participant.pk]))
    assert response.status_code == 200
    assert all(e.action != "denied" for e in response.context["events"])


def test_coordinator_audit_log_filters(client, personas, participant):
    teacher = Client()
    teacher.force_login(personas["teacher"])
    teacher.get(reverse("participants:detail", args=[participant.pk]))

    client.force_login(personas["coordinator"])
    response = client.get(AUDIT_LOG_URL)
    assert response.status_code == 200
    assert len(response.context["page"].object_list) >= 2

    filtered = client.get(AUDIT_LOG_URL, {"username": "bob", "action": "view"})
    assert filtered.status_code == 200
    rows = filtered.context["rows"]
    assert len(rows) == 1
    assert rows[0].event.actor_label == "bob"
    # the coordinator may not see the participant: a pseudonym, not the id
    code = audit.pseudonym(participant.pk)
    assert rows[0].participant == code

    by_pseudonym = client.get(AUDIT_LOG_URL, {"participant_id": code})
    rows = by_pseudonym.context["rows"]
    assert rows
    assert {r.participant for r in rows} == {code}

    # filtering by the raw id of a participant the viewer may not see would tie id and
    # pseudonym together: refused, the same as for an id that does not exist
    by_id = client.get(AUDIT_LOG_URL, {"participant_id": participant.pk})
    missing = client.get(AUDIT_LOG_URL, {"participant_id": participant.pk + 1000})
    for answer in (by_id, missing):
        assert answer.status_code == 200
        assert "participant_id" in answer.context["form"].errors
    assert by_id.context["form"].errors == missing.context["form"].errors

    by_agency = client.get(AUDIT_LOG_URL, {"agency": personas["teacher"].agency_id})
    rows = list(by_agency.context["page"].object_list)
    assert rows
    assert {r.agency_id for r in rows} == {personas["teacher"].agency_id}

    nothing = client.get(AUDIT_LOG_URL, {"username": "nobody"})
    assert list(nothing.context["page"].object_list) == []

    bad = client.get(AUDIT_LOG_URL, {"participant_id": "abc"})
    assert bad.status_code == 200
    assert bad.context["form"].errors


@pytest.mark.parametrize("persona", ["teacher", "nav_adviser", "interpreter"])
def test_audit_log_is_forbidden_for_case_workers(client, personas, persona):
    client.force_login(personas[persona])
    assert client.get(AUDIT_LOG_URL).status_code == 403


def test_audit_log_requires_login(client, db):
    response = client.get(AUDIT_LOG_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/logg-inn/")
