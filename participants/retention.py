"""Retention and erasure of personal data (GDPR art. 5(1)(e) storage limitation, art. 17).

- A participant whose path ended (status finished or moved away) is anonymised
  `KMV_RETENTION_YEARS` after the path's last activity (the last change of the record, the
  newest outcome report or the newest meeting, whichever is latest). The owner agency sees
  who is due `KMV_RETENTION_NOTICE_DAYS` ahead (`due_for_anonymisation`, the retention page
  and `manage.py retention_report`) before the beat task does it.
- Erasure on request (`erase_on_request`) removes what no law obliges the agencies to keep:
  contact details, the occupational goal, profile facts, the agencies' private meeting
  notes and the participant's unavailability notes.
- Neither touches the filed record: the minutes (text and archive PDF, which each agency
  files under the archive act), case references, consents (the proof of a lawful basis)
  and outcome reports (statistics). Both are audited, with field names only.
- `prune_*` keep the audit log, the outbox, import files and tokens to their own periods.

Every function here is idempotent: running it twice changes nothing the second time.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kmv.access import audit, policy

from .models import Participant, ProfileFact

ENDED = (Participant.Status.FINISHED, Participant.Status.MOVED_AWAY)
ANONYMISED_FIRST_NAME = "Anonymisert"

# what anonymisation clears on the participant row (names and birth date are replaced)
ANONYMISED_FIELDS = [
    "first_name",
    "last_name",
    "national_id",
    "date_of_birth",
    "phone",
    "email",
    "address",
    "goal",
]
# what erasure on request clears: no legal duty to keep it
ERASABLE_FIELDS = ["phone", "email", "address", "goal"]


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def retention_years() -> int:
    return _setting("KMV_RETENTION_YEARS", 5)


def notice_days() -> int:
    return _setting("KMV_RETENTION_NOTICE_DAYS", 30)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def is_anonymised(participant: Participant) -> bool:
    return participant.first_name == ANONYMISED_FIRST_NAME and participant.national_id is None


@dataclass(frozen=True)
class Due:
    participant: Participant
    ended_on: date
    anonymise_on: date


def due_for_anonymisation(*, today: date | None = None, within_days: int = 0, agency=None):
    """Ended participants whose anonymisation date is at most `within_days` away (0: due
    now), oldest first; only `agency`'s when given (the owner agency's report)."""
    today = today or timezone.localdate()
    qs = (
        Participant.objects.filter(status__in=ENDED)
        .exclude(Q(first_name=ANONYMISED_FIRST_NAME) & Q(national_id__isnull=True))
        .annotate(last_outcome=Max("outcomes__since"), last_meeting=Max("meetings__planned_start"))
        .select_related("owner_agency")
    )
    if agency is not None:
        qs = qs.filter(owner_agency=agency)
    horizon = today + timedelta(days=within_days)
    years = retention_years()
    result = []
    for p in qs.iterator(chunk_size=500):
        ended = _ended_on(p)
        anonymise_on = _add_years(ended, years)
        if anonymise_on <= horizon:
            result.append(Due(p, ended, anonymise_on))
    return sorted(result, key=lambda d: (d.anonymise_on, d.participant.pk))


def _ended_on(p: Participant) -> date:
    """The path's last activity: the latest of the record's last change, the newest outcome
    report and the newest meeting."""
    days = [timezone.localdate(p.updated_at)]
    if p.last_outcome:
        days.append(p.last_outcome)
    if p.last_meeting:
        days.append(timezone.localdate(p.last_meeting))
    return max(days)


def _clear_case_notes(participant: Participant) -> list[str]:
    """Delete the free-text working data outside the filed minutes: the agencies' private
    meeting notes, profile facts and the participant's unavailability notes."""
    cleared = []
    note = apps.get_model("resourcegroups", "MeetingNote")
    unavailability = apps.get_model("resourcegroups", "Unavailability")
    if ProfileFact.objects.filter(participant=participant).delete()[0]:
        cleared.append("facts")
    if note.objects.filter(meeting__participant=participant).delete()[0]:
        cleared.append("notes")
    if unavailability.objects.filter(participant=participant).delete()[0]:
        cleared.append("unavailability")
    return cleared


@transaction.atomic
def anonymise(participant: Participant, *, user=None, request=None) -> bool:
    """Replace the participant's identity by a pseudonym and clear the working data; False
    when already done. The minutes and each agency's archive copy stay as filed."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if is_anonymised(participant):
        return False
    Participant.objects.filter(pk=participant.pk).update(
        first_name=ANONYMISED_FIRST_NAME,
        last_name=audit.pseudonym(participant.pk),
        national_id=None,
        date_of_birth=date(participant.date_of_birth.year, 1, 1),
        phone="",
        email="",
        address="",
        goal="",
        updated_at=timezone.now(),
        version=F("version") + 1,
    )
    cleared = _clear_case_notes(participant)
    audit.record(
        action=audit.Action.DELETE,
        request=request,
        user=user,
        object_type="participant",
        object_id=participant.pk,
        participant_id=participant.pk,
        fields=ANONYMISED_FIELDS + cleared,
        channel="" if request is not None else "system",
    )
    return True


def anonymise_due(*, today: date | None = None) -> int:
    """The beat task's work: anonymise everyone due today. Idempotent."""
    done = 0
    for due in due_for_anonymisation(today=today):
        done += anonymise(due.participant)
    return done


def may_erase(user, participant: Participant) -> bool:
    """Only the owner agency, which holds the record, acts on a request for erasure."""
    return (
        bool(user.agency_id)
        and user.agency_id == participant.owner_agency_id
        and policy.may(user, participant, policy.CHANGE)
    )


@transaction.atomic
def erase_on_request(*, user, participant: Participant, request=None) -> list[str]:
    """Erase, at the participant's request, the data no law obliges us to keep (see the
    module docstring); returns the names of what was erased (empty: nothing left)."""
    if not may_erase(user, participant):
        raise PermissionDenied(_("Only the responsible agency handles a request for erasure."))
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    erased = [name for name in ERASABLE_FIELDS if getattr(participant, name)]
    if erased:
        Participant.objects.filter(pk=participant.pk).update(
            **dict.fromkeys(erased, ""), updated_at=timezone.now(), version=F("version") + 1
        )
    erased += _clear_case_notes(participant)
    audit.record(
        action=audit.Action.DELETE,
        request=request,
        user=user,
        object_type="participant",
        object_id=participant.pk,
        participant_id=participant.pk,
        fields=erased,
    )
    return erased


# --- pruning ----------------------------------------------------------------------------------


def _before(days_setting: str, default: int, now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=_setting(days_setting, default))


def prune_audit_log(*, now: datetime | None = None) -> int:
    """Audit rows older than KMV_AUDIT_RETENTION_DAYS (default three years)."""
    from kmv.access.models import AuditEvent

    with audit.pruning():
        deleted, _rows = AuditEvent.objects.filter(
            at__lt=_before("KMV_AUDIT_RETENTION_DAYS", 3 * 365, now)
        ).delete()
    return deleted


def prune_outbox(*, now: datetime | None = None) -> int:
    """Sent or failed messages older than KMV_OUTBOX_RETENTION_DAYS (default 30) lose their
    body and calendar file, which hold raw feedback links; the row stays, so its key still
    says "already sent". Files of the development mail backend that old are deleted."""
    outbox = apps.get_model("notify", "OutboxMessage")
    cutoff = _before("KMV_OUTBOX_RETENTION_DAYS", 30, now)
    redacted = (
        outbox.objects.filter(created_at__lt=cutoff)
        .exclude(status=outbox.Status.PENDING)
        .exclude(body="", ics="")
        .update(body="", ics="")
    )
    options = settings.MAILERS.get("default", {}).get("OPTIONS", {})
    folder = options.get("file_path")
    if folder:
        from pathlib import Path

        for path in Path(folder).glob("*.log"):
            if datetime.fromtimestamp(path.stat().st_mtime, tz=cutoff.tzinfo) < cutoff:
                path.unlink(missing_ok=True)
                redacted += 1
    return redacted


def prune_imports(*, now: datetime | None = None) -> int:
    """Uploaded import files (checked, never committed, or left by a finished job) and
    finished import jobs older than KMV_IMPORT_RETENTION_DAYS (default 2)."""
    job = apps.get_model("reports", "ImportJob")
    cutoff = _before("KMV_IMPORT_RETENTION_DAYS", 2, now)
    removed = 0
    try:
        _dirs, files = default_storage.listdir("imports")
    except FileNotFoundError:
        files = []
    for name in files:
        path = f"imports/{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            removed += 1
    finished = job.objects.filter(
        updated_at__lt=cutoff, state__in=[job.State.DONE, job.State.REJECTED]
    )
    removed += finished.delete()[0]
    return removed


def prune_tokens(*, now: datetime | None = None) -> int:
    """Revoked calendar tokens older than KMV_TOKEN_RETENTION_DAYS (default 30) and expired
    sessions (which hold stored searches). Expired API tokens and stale TOTP set-ups are
    pruned by `kmv.access.tasks.prune_credentials`."""
    from importlib import import_module

    feed = apps.get_model("notify", "CalendarFeedToken")
    removed = feed.objects.filter(
        revoked_at__lt=_before("KMV_TOKEN_RETENTION_DAYS", 30, now)
    ).delete()[0]
    engine = import_module(settings.SESSION_ENGINE)
    with contextlib.suppress(NotImplementedError):  # cookie sessions keep nothing
        engine.SessionStore.clear_expired()
    return removed


def prune_all(*, now: datetime | None = None) -> dict[str, int]:
    return {
        "audit": prune_audit_log(now=now),
        "outbox": prune_outbox(now=now),
        "imports": prune_imports(now=now),
        "tokens": prune_tokens(now=now),
    }
