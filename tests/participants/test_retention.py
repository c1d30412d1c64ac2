"""Retention and erasure: an ended path is anonymised after the retention period (the owner
agency sees it coming first), erasure on request removes what no law obliges us to keep,
the filed minutes stay as filed, every act is audited, and old logs and leftovers are
pruned on their own schedules."""

import os
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from kmv.access import audit
from kmv.access.models import AuditEvent
from participants import retention, tasks
from participants.models import Participant, ProfileFact
from resourcegroups.models import MeetingNote, Minutes

pytestmark = pytest.mark.django_db

NATIONAL_ID = "14039112345"


def _end_path(participant, *, years_ago: float, status=Participant.Status.FINISHED):
    """Mark the path ended with its last activity `years_ago` years back."""
    then = timezone.now() - timedelta(days=round(365.25 * years_ago))
    Participant.objects.filter(pk=participant.pk).update(
        status=status, updated_at=then, national_id=NATIONAL_ID, phone="+47 99887766"
    )
    participant.meetings.update(planned_start=None)
    participant.refresh_from_db()
    return participant


@pytest.fixture
def ended(participant, personas):
    """Amina's path ended six years ago; she has a profile fact, private meeting notes and
    approved minutes with the archive PDF each agency files."""
    alice = personas["nav_adviser"]
    meeting = participant.meetings.get(stage__number=1)
    ProfileFact.objects.create(
        participant=participant,
        key="adaptation_need",
        value="Hørselshjelpemiddel",
        recorded_on=date(2025, 2, 1),
        agency=alice.agency,
    )
    MeetingNote.objects.create(meeting=meeting, agency=alice.agency, text="Privat notat")
    minutes = Minutes.objects.create(meeting=meeting, decisions="Avtalt plan")
    minutes.pdf.save("arkiv.pdf", ContentFile(b"%PDF-1.7 filed copy"))
    return _end_path(participant, years_ago=6)


def test_an_ended_path_is_anonymised_after_the_period_and_the_filed_minutes_stay(ended):
    minutes = Minutes.objects.get(meeting__participant=ended)
    filed_pdf = minutes.pdf.read()

    assert tasks.anonymise_ended_participants() == 1

    p = Participant.objects.get(pk=ended.pk)
    assert retention.is_anonymised(p)
    assert p.first_name == retention.ANONYMISED_FIRST_NAME
    assert p.last_name == audit.pseudonym(p.pk)
    assert "Haile" not in p.last_name and "Amina" not in p.first_name
    assert p.national_id is None and p.phone == ""
    assert p.date_of_birth == date(1991, 1, 1)  # the year stays for statistics
    assert not ProfileFact.objects.filter(participant=p).exists()
    assert not MeetingNote.objects.filter(meeting__participant=p).exists()
    # the filed record is untouched: minutes text and archive PDF
    minutes.refresh_from_db()
    assert minutes.decisions == "Avtalt plan"
    assert minutes.pdf.read() == filed_pdf

    event = AuditEvent.objects.get(action="delete", participant_id=p.pk)
    assert event.channel == "system"
    assert {"national_id", "first_name", "facts", "notes"} <= set(event.fields)
    assert NATIONAL_ID not in str(list(AuditEvent.objects.values()))


def test_anonymisation_is_idempotent(ended):
    assert tasks.anonymise_ended_participants() == 1
    assert tasks.anonymise_ended_participants() == 0
    assert AuditEvent.objects.filter(action="delete", participant_id=ended.pk).count() == 1


@pytest.mark.parametrize(
    "status, years_ago, due",
    [
        (Participant.Status.FINISHED, 6, True),
        (Participant.Status.MOVED_AWAY, 5.1, True),
        (Participant.Status.FINISHED, 4, False),  # inside the period
        (Participant.Status.ACTIVE, 10, False),  # the path has not ended
        (Participant.Status.PAUSED, 10, False),
    ],
)
def test_who_is_due(participant, status, years_ago, due):
    _end_path(participant, years_ago=years_ago, status=status)
    assert bool(retention.due_for_anonymisation()) is due
    tasks.anonymise_ended_participants()
    assert retention.is_anonymised(Participant.objects.get(pk=participant.pk)) is due


def test_a_recent_meeting_or_outcome_keeps_the_path_alive(participant, personas):
    from participants import outcomes

    _end_path(participant, years_ago=6)
    outcomes.outcome_record(
        user=personas["nav_adviser"],
        participant=participant,
        status="dropped_out",
        since=timezone.localdate() - timedelta(days=365),
    )
    Participant.objects.filter(pk=participant.pk).update(
        updated_at=timezone.now() - timedelta(days=6 * 365)
    )
    assert retention.due_for_anonymisation() == []


def test_the_period_is_a_setting(participant, settings):
    _end_path(participant, years_ago=3)
    assert retention.due_for_anonymisation() == []
    settings.KMV_RETENTION_YEARS = 2
    assert [d.participant.pk for d in retention.due_for_anonymisation()] == [participant.pk]


def test_the_owner_agency_sees_who_is_due_before_it_happens(client, participant, personas):
    # due in 20 days: on the report (30 days' notice), not yet anonymised by the task
    then = timezone.now() - timedelta(days=5 * 365 + 1) + timedelta(days=20)
    _end_path(participant, years_ago=0)
    Participant.objects.filter(pk=participant.pk).update(updated_at=then)
    assert tasks.anonymise_ended_participants() == 0

    client.force_login(personas["nav_adviser"])
    response = client.get(reverse("participants:retention"))
    assert response.status_code == 200
    assert [r.participant.pk for r in response.context["rows"]] == [participant.pk]
    assert "Haile" in response.content.decode()
    # being on the report is a read of the participant, in their access log
    assert AuditEvent.objects.filter(action="list", participant_id=participant.pk).exists()

    # another agency's staff (bob may see Amina) do not get the owner's report
    client.force_login(personas["teacher"])
    response = client.get(reverse("participants:retention"))
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "Haile" not in response.content.decode()


def test_retention_report_command_is_a_dry_run(ended, capsys):
    call_command("retention_report")
    out = capsys.readouterr().out
    assert str(ended.pk) in out
    assert "Haile" not in out and NATIONAL_ID not in out  # ids and dates only
    assert not retention.is_anonymised(Participant.objects.get(pk=ended.pk))


# --- erasure on request -------------------------------------------------------------------


def test_erasure_on_request_by_the_owner_agency(client, participant, personas):
    participant.phone, participant.address, participant.goal = "+47 1", "Gate 1", "Sykepleier"
    participant.national_id = NATIONAL_ID
    participant.save()
    meeting = participant.meetings.get(stage__number=1)
    MeetingNote.objects.create(meeting=meeting, agency=personas["teacher"].agency, text="Notat")
    minutes = Minutes.objects.create(meeting=meeting, decisions="Avtalt plan")
    minutes.pdf.save("arkiv.pdf", ContentFile(b"%PDF-1.7 filed copy"))

    client.force_login(personas["nav_adviser"])
    url = reverse("participants:erase_request", args=[participant.pk])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302

    p = Participant.objects.get(pk=participant.pk)
    assert (p.phone, p.address, p.goal) == ("", "", "")
    assert p.last_name == "Haile" and p.national_id == NATIONAL_ID  # a duty to keep these
    assert not MeetingNote.objects.filter(meeting=meeting).exists()
    minutes.refresh_from_db()
    assert minutes.decisions == "Avtalt plan" and minutes.pdf.read() == b"%PDF-1.7 filed copy"
    event = AuditEvent.objects.get(action="delete", participant_id=p.pk)
    assert event.actor == personas["nav_adviser"]
    assert set(event.fields) == {"phone", "address", "goal", "notes"}

    # a second request finds nothing more to erase, and says so
    assert client.post(url).status_code == 302
    assert AuditEvent.objects.filter(action="delete", participant_id=p.pk).first().fields == []


@pytest.mark.parametrize("persona", ["teacher", "counsellor", "leader", "sysadmin"])
def test_only_the_owner_agency_erases(client, participant, personas, persona):
    participant.phone = "+47 1"
    participant.save()
    client.force_login(personas[persona])
    url = reverse("participants:erase_request", args=[participant.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert Participant.objects.get(pk=participant.pk).phone == "+47 1"


# --- pruning -----------------------------------------------------------------------------------


def test_old_audit_rows_are_pruned_and_new_ones_kept(participant, settings):
    settings.KMV_AUDIT_RETENTION_DAYS = 10
    old = audit.record(action=audit.Action.VIEW, participant_id=participant.pk)
    with connection.cursor() as cursor:  # the log has no update API: age the row in SQL
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET at = %s WHERE id = %s",
            [timezone.now() - timedelta(days=11), old.pk],
        )
    new = audit.record(action=audit.Action.VIEW, participant_id=participant.pk)
    assert retention.prune_audit_log() == 1
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=new.pk).exists()


def test_sent_mail_loses_its_body_after_the_period(settings):
    from kmv.notify.models import OutboxMessage

    settings.KMV_OUTBOX_RETENTION_DAYS = 30
    old = OutboxMessage.objects.create(
        key="k1",
        to="a@example.org",
        subject="s",
        body="https://kmv/tilbakemelding/SECRET/",
        ics="BEGIN:VCALENDAR",
        status=OutboxMessage.Status.SENT,
    )
    pending = OutboxMessage.objects.create(key="k2", to="b@example.org", subject="s", body="x")
    fresh = OutboxMessage.objects.create(
        key="k3", to="c@example.org", subject="s", body="y", status=OutboxMessage.Status.SENT
    )
    OutboxMessage.objects.filter(pk__in=[old.pk, pending.pk]).update(
        created_at=timezone.now() - timedelta(days=31)
    )
    retention.prune_outbox()
    old.refresh_from_db()
    assert (old.body, old.ics) == ("", "")
    assert OutboxMessage.objects.filter(key="k1").exists()  # the key still says "sent"
    assert OutboxMessage.objects.get(pk=pending.pk).body == "x"  # not yet delivered
    assert OutboxMessage.objects.get(pk=fresh.pk).body == "y"


def test_outbox_files_of_the_dev_backend_are_pruned(settings, tmp_path):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(tmp_path)},
        }
    }
    old, new = tmp_path / "old.log", tmp_path / "new.log"
    old.write_text("feedback link")
    new.write_text("feedback link")
    then = (timezone.now() - timedelta(days=40)).timestamp()
    os.utime(old, (then, then))
    retention.prune_outbox()
    assert not old.exists() and new.exists()


def test_expired_import_files_are_pruned(settings):
    settings.KMV_IMPORT_RETENTION_DAYS = 2
    old = default_storage.save("imports/old", ContentFile(b"fnr;navn"))
    new = default_storage.save("imports/new", ContentFile(b"fnr;navn"))
    then = (timezone.now() - timedelta(days=3)).timestamp()
    os.utime(default_storage.path(old), (then, then))
    assert retention.prune_imports() == 1
    assert not default_storage.exists(old) and default_storage.exists(new)


def test_revoked_calendar_tokens_and_expired_sessions_are_pruned(personas, settings):
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    from kmv.notify.models import CalendarFeedToken

    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    alice = personas["nav_adviser"]
    revoked = CalendarFeedToken.objects.create(
        user=alice, token_hash="a" * 64, hint="a", revoked_at=timezone.now() - timedelta(days=31)
    )
    live = CalendarFeedToken.objects.create(user=alice, token_hash="b" * 64, hint="b")
    store = SessionStore()
    store["participant_searches"] = {"t": {"q": NATIONAL_ID}}
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    retention.prune_tokens()
    assert not CalendarFeedToken.objects.filter(pk=revoked.pk).exists()
    assert CalendarFeedToken.objects.filter(pk=live.pk).exists()
    assert not Session.objects.filter(session_key=store.session_key).exists()


def test_pruning_is_on_the_beat_schedule(settings):
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "participants.tasks.anonymise_ended_participants" in tasks_scheduled
    assert "participants.tasks.prune_personal_data" in tasks_scheduled
    assert set(tasks.prune_personal_data()) == {"audit", "outbox", "imports", "tokens"}
