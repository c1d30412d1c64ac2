"""The audit log protects what it records: append-only, participant ids only for viewers who
may see the participant (pseudonyms otherwise), lists and exports in each participant's
access log, no meeting ids in the outbox for those who may not see the meeting, and
national ids kept out of URLs and log lines."""

import logging

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse
from guardian.shortcuts import assign_perm

from kmv.access import audit
from kmv.access.admin import AuditEventAdmin
from kmv.access.models import AuditEvent, AuditLogIsAppendOnly
from kmv.logscrub import GunicornLogger, ScrubIdsFilter, scrub

pytestmark = pytest.mark.django_db

AUDIT_LOG_URL = "/konto/revisjonslogg/"
NATIONAL_ID = "14039112345"


# --- append-only ------------------------------------------------------------------------------


def test_an_audit_row_cannot_be_changed_or_deleted(participant):
    event = audit.record(action=audit.Action.VIEW, participant_id=participant.pk)
    event.actor_label = "someone else"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(actor_label="x")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).actor_label == ""


def test_only_retention_pruning_deletes_rows(participant):
    event = audit.record(action=audit.Action.VIEW, participant_id=participant.pk)
    with audit.pruning():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert not AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_admin_cannot_add_change_or_delete_and_shows_pseudonyms(personas, participant):
    root = personas["sysadmin"]
    event = audit.record(
        action=audit.Action.VIEW, obj=participant, participant_id=participant.pk, user=root
    )
    model_admin = AuditEventAdmin(AuditEvent, admin.site)
    request = RequestFactory().get("/admin/access/auditevent/")
    request.user = root
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
    assert not model_admin.get_actions(request)
    assert model_admin.participant_pseudonym(event) == audit.pseudonym(participant.pk)
    assert model_admin.object_pseudonym(event) == audit.pseudonym(participant.pk)
    assert "participant_id" not in model_admin.list_display
    assert "object_id" not in model_admin.fields and "path" not in model_admin.fields

    client = Client()
    client.force_login(root)
    body = client.get("/admin/access/auditevent/").content.decode()
    assert audit.pseudonym(participant.pk) in body
    assert f"/deltakere/{participant.pk}/" not in body


# --- pseudonyms on the audit-log page ----------------------------------------------------------


def _read_by_teacher(participant, personas):
    teacher = Client()
    teacher.force_login(personas["teacher"])
    assert teacher.get(reverse("participants:detail", args=[participant.pk])).status_code == 200


@pytest.mark.parametrize("persona", ["coordinator", "leader", "sysadmin"])
def test_audit_log_shows_pseudonyms_for_participants_the_viewer_may_not_see(
    client, personas, participant, persona
):
    _read_by_teacher(participant, personas)
    client.force_login(personas[persona])
    response = client.get(AUDIT_LOG_URL, {"username": "bob", "action": "view"})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert rows and {r.participant for r in rows} == {audit.pseudonym(participant.pk)}
    body = response.content.decode()
    assert audit.pseudonym(participant.pk) in body
    assert f"<td>{participant.pk}</td>" not in body


def test_audit_log_shows_the_id_to_a_viewer_who_may_see_the_participant(
    client, personas, participant
):
    coordinator = personas["coordinator"]
    assign_perm("participants.view_participant", coordinator, participant)
    _read_by_teacher(participant, personas)
    client.force_login(coordinator)
    response = client.get(AUDIT_LOG_URL, {"participant_id": participant.pk})
    assert not response.context["form"].errors
    rows = response.context["rows"]
    assert rows and {r.participant for r in rows} == {str(participant.pk)}


def test_the_pseudonym_is_stable_and_keyed(settings):
    assert audit.pseudonym(7) == audit.pseudonym(7) != audit.pseudonym(8)
    before = audit.pseudonym(7)
    settings.SECRET_KEY = "another-key-" + "x" * 40
    assert audit.pseudonym(7) != before  # not a plain hash of the id


# --- lists and exports in the participant's access log ------------------------------------------


def test_access_log_shows_being_listed_and_exported(client, personas, participant):
    teacher = Client()
    teacher.force_login(personas["teacher"])
    assert teacher.get(reverse("participants:list")).status_code == 200
    assert teacher.get(reverse("resourcegroups:my_meetings")).status_code == 200

    client.force_login(personas["nav_adviser"])
    response = client.get(reverse("participants:access_log", args=[participant.pk]))
    events = list(response.context["events"])
    listed = [e for e in events if e.action == "list" and e.actor_label == "bob"]
    assert {e.object_type for e in listed} == {"participant", "meeting"}


def test_a_list_is_one_row_per_participant_in_constant_queries(
    personas, participant, django_assert_num_queries
):
    from participants.models import Participant

    others = [
        Participant.objects.create(
            first_name="X",
            last_name=f"Y{i}",
            date_of_birth=participant.date_of_birth,
            municipality=participant.municipality,
            owner_agency=participant.owner_agency,
        )
        for i in range(30)
    ]
    ids = [participant.pk] + [p.pk for p in others]
    with django_assert_num_queries(1):
        audit.record_reads(user=personas["nav_adviser"], action=audit.Action.EXPORT, object_ids=ids)
    rows = AuditEvent.objects.filter(action="export")
    assert sorted(rows.values_list("participant_id", flat=True)) == sorted(ids)
    assert all(r.object_ids == [r.participant_id] for r in rows)


# --- the dev outbox ------------------------------------------------------------------------------


def test_outbox_hides_meeting_ids_from_users_who_may_not_see_the_meeting(
    client, personas, participant, settings, tmp_path
):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(tmp_path)},
        }
    }
    meeting = participant.meetings.get(stage__number=1)
    link = f"http://127.0.0.1:8000/ressursgrupper/mote/{meeting.pk}/"
    (tmp_path / "m.log").write_text(
        "Content-Type: text/plain; charset=utf-8\nSubject: Invitasjon\nFrom: kmv@x\n"
        f"To: bob@example.org\n\nDetaljer i KMV: {link}\n"
    )
    client.force_login(personas["sysadmin"])
    response = client.get(reverse("notify:outbox"))
    assert response.status_code == 200
    body = response.content.decode()
    assert link not in body
    assert "/ressursgrupper/mote/…/" in body


# --- national ids out of URLs and logs -----------------------------------------------------------


def test_search_by_national_id_keeps_it_out_of_the_url(client, personas, participant):
    participant.national_id = NATIONAL_ID
    participant.save()
    client.force_login(personas["nav_adviser"])
    response = client.post(reverse("participants:list"), {"q": NATIONAL_ID})
    assert response.status_code == 302
    assert NATIONAL_ID not in response["Location"]
    page = client.get(response["Location"])
    assert [p.pk for p in page.context["page"].object_list] == [participant.pk]
    assert NATIONAL_ID not in page.context["query"]
    assert 'method="post"' in page.content.decode()
    # another user's session does not hold the search
    other = Client()
    other.force_login(personas["nav_adviser"])
    assert other.get(response["Location"]).context["form"].data == {}


@pytest.mark.parametrize(
    "line",
    [
        f"GET /deltakere/?q={NATIONAL_ID} HTTP/1.1",
        "GET /api/participants/?q=140391%2012345 HTTP/1.1",
        "GET /deltakere/?q=140391+12345&page=2",
        "referer https://kmv/deltakere/?q=140391 12345",
    ],
)
def test_request_lines_are_scrubbed_of_national_ids(line):
    cleaned = scrub(line)
    assert "12345" not in cleaned and "[fnr]" in cleaned


def test_short_numbers_are_left_alone():
    assert scrub("GET /deltakere/12345/ 200 4217") == "GET /deltakere/12345/ 200 4217"
    assert scrub("id 123456789012") == "id 123456789012"  # 12 digits: not an id


def test_django_log_records_are_scrubbed(caplog):
    logger = logging.getLogger("django.server")
    record = logger.makeRecord(
        "django.server", logging.INFO, __file__, 1, '"%s" %s', (f"GET /?q={NATIONAL_ID}", 200), None
    )
    assert ScrubIdsFilter().filter(record)
    assert NATIONAL_ID not in record.getMessage()
    assert "[fnr]" in record.getMessage()


def test_logging_config_scrubs_the_console_and_runserver(settings):
    console = settings.LOGGING["handlers"]["console"]
    assert "scrub_ids" in console["filters"]
    assert settings.LOGGING["loggers"]["django.server"]["handlers"] == ["console"]


def test_gunicorn_access_log_is_scrubbed():
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    logger = GunicornLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/deltakere/?q={NATIONAL_ID}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": "/deltakere/",
        "QUERY_STRING": f"q={NATIONAL_ID}",
        "HTTP_REFERER": f"https://kmv/deltakere/?q={NATIONAL_ID}",
    }
    resp = SimpleNamespace(status="200 OK", sent=10, headers=[])
    atoms = logger.atoms(resp, SimpleNamespace(headers=[]), environ, timedelta(seconds=1))
    assert all(NATIONAL_ID not in str(v) for v in atoms.values())
    assert "[fnr]" in atoms["r"]


def test_the_image_runs_gunicorn_with_the_scrubbing_config():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    assert '"--config", "gunicorn.conf.py"' in (root / "Dockerfile").read_text()
    conf = (root / "gunicorn.conf.py").read_text()
    assert 'logger_class = "kmv.logscrub.GunicornLogger"' in conf


def test_deleting_a_staff_account_keeps_its_audit_rows(personas, participant):
    """The guard is on the log's own manager: Django's SET_NULL on a deleted user still
    works, and the row keeps the user name."""
    frank = personas["follow_up"]
    event = audit.record(action=audit.Action.VIEW, user=frank, participant_id=participant.pk)
    frank.delete()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor is None and event.actor_label == "frank"


def test_failed_logins_are_found_by_the_user_name_without_storing_it(client, personas):
    from django.core.cache import cache

    cache.clear()
    Client().post("/konto/logg-inn/", {"username": "alice", "password": "wrong password 123"})
    client.force_login(personas["sysadmin"])
    rows = client.get(AUDIT_LOG_URL, {"username": "alice", "action": "login_failed"}).context[
        "rows"
    ]
    assert len(rows) == 1
    assert rows[0].event.actor_label == audit.masked_username("alice") != "alice"
