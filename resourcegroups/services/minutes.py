"""Notes per agency, shared minutes, approval by every attending agency, addenda."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kmv.access import audit, policy
from kmv.access.models import Agency, User
from kmv.dates import date_error
from participants.models import DataCategory
from resourcegroups.models import (
    Attendance,
    Meeting,
    MeetingNote,
    Membership,
    Minutes,
    MinutesAction,
    MinutesAddendum,
    MinutesApproval,
)

from .meetings import ConflictError, _may_manage, check_status_change, send_feedback_link

# One limit for every free-text part of a meeting's record (agency notes, each minutes
# section, addenda): about eight printed pages. A 2 MB section was accepted before and then
# never rendered to the archive PDF, so the minutes could never be approved.
TEXT_MAX_CHARS = 20_000


def _too_long(text: str) -> bool:
    return len(text or "") > TEXT_MAX_CHARS


def _too_long_message() -> str:
    return _("The text is too long (at most %(max)s characters).") % {
        "max": f"{TEXT_MAX_CHARS:,}".replace(",", "\u00a0")
    }


def _may_take_part(user: User, meeting: Meeting) -> bool:
    return bool(user.agency_id) and policy.may(user, meeting.participant)


@transaction.atomic
def note_save(
    *, user: User, meeting: Meeting, text: str, version: int | None, request=None
) -> MeetingNote:
    """Each agency writes its own row: two agencies never overwrite each other."""
    if not _may_take_part(user, meeting):
        raise PermissionDenied(_("You cannot write notes for this meeting."))
    if _too_long(text):
        raise ValidationError({"text": _too_long_message()})
    note = (
        MeetingNote.objects.select_for_update()
        .filter(meeting=meeting, agency_id=user.agency_id)
        .first()
    )
    if note is None:
        try:
            with transaction.atomic():
                note = MeetingNote.objects.create(
                    meeting=meeting, agency_id=user.agency_id, text=text, updated_by=user
                )
        except IntegrityError:
            raise ConflictError(
                _("A colleague started the notes at the same time. Reload and add yours."),
                code="conflict",
            ) from None
    else:
        if version is not None and str(version) != str(note.version):
            raise ConflictError(
                _(
                    "%(name)s from your agency changed the notes while you were typing. "
                    "Copy your text, reload, and merge."
                )
                % {"name": note.updated_by or "?"},
                code="conflict",
            )
        if note.text == text:
            return note
        note.text = text
        note.updated_by = user
        note.version += 1
        note.save(update_fields=["text", "updated_by", "version", "updated_at"])
    audit.record(
        action=audit.Action.UPDATE,
        request=request,
        user=user,
        obj=note,
        participant_id=meeting.participant_id,
        fields=["text"],
    )
    return note


def notes_visible(user: User, meeting: Meeting):
    """Only the user's own agency's notes — never another agency's."""
    return MeetingNote.objects.filter(meeting=meeting, agency_id=user.agency_id)


def next_step_parties(meeting: Meeting) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Who may own a next step (the group's active members) and which agencies may (members'
    and invitees' agencies): the one rule for the minutes form, the API and the service."""
    members = (
        Membership.objects.active()
        .filter(group__participant=meeting.participant)
        .select_related("staff", "agency")
        .order_by("agency__name", "staff__last_name")
    )
    owners, agencies = [], {}
    for m in members:
        owners.append((m.staff_id, f"{m.staff} ({m.agency})"))
        agencies.setdefault(m.agency_id, str(m.agency))
    for invitee in meeting.invitees.select_related("agency"):
        agencies.setdefault(invitee.agency_id, str(invitee.agency))
    return owners, sorted(agencies.items(), key=lambda a: a[1])


def _as_id(value) -> int | None:
    """An id from a body (int or digits), None when it is no usable id."""
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def attending_agencies(meeting: Meeting) -> list[Agency]:
    """Agencies whose invitees were present; before attendance is recorded, all invited."""
    invitees = list(meeting.invitees.select_related("agency"))
    present = [i for i in invitees if i.attendance == Attendance.PRESENT]
    chosen = present or [i for i in invitees if i.attendance in ("", Attendance.PRESENT)]
    seen, agencies = set(), []
    for invitee in chosen:
        if invitee.agency_id not in seen:
            seen.add(invitee.agency_id)
            agencies.append(invitee.agency)
    return agencies


def may_read_all_of(user: User, meeting: Meeting, minutes: Minutes | None) -> bool:
    """Composing rewrites every section and next step, so the composer must be able to read
    all of them (`policy.may_read_datum`): a form would otherwise show hidden data, and a save
    would drop the next steps it could not show."""
    categories = policy.visible_categories(user, meeting.participant)
    if not set(Minutes.SECTION_CATEGORIES.values()) <= categories:
        return False
    if minutes is None:
        return True
    _shown, hidden = policy.filter_by_category(
        minutes.actions.all(), categories, own_agency_id=user.agency_id
    )
    return hidden == 0


@transaction.atomic
def minutes_compose(
    *,
    user: User,
    meeting: Meeting,
    decisions: str,
    summary: str = "",
    next_meeting: str = "",
    plain_summary: str = "",
    actions: list[dict] | None = None,
    version: int | None = None,
    request=None,
) -> Minutes:
    """The responsible adviser composes the shared minutes from notes and checklist."""
    if not _may_manage(user, meeting):
        raise PermissionDenied(
            _("Only the adviser responsible for the meeting composes the minutes.")
        )
    if meeting.status not in (Meeting.Status.BOOKED, Meeting.Status.INVITED, Meeting.Status.HELD):
        raise ValidationError(_("Minutes can be written for a booked or held meeting only."))
    minutes, _created = Minutes.objects.select_for_update().get_or_create(meeting=meeting)
    if minutes.is_locked:
        raise ValidationError(_("The minutes are approved and locked. Add an addendum instead."))
    if not may_read_all_of(user, meeting, minutes):
        raise PermissionDenied(
            _("The minutes hold information your agency may not see, so you cannot rewrite them.")
        )
    if version is not None and not _created and str(version) != str(minutes.version):
        raise ConflictError(
            _("Someone else changed the minutes while you were editing. Check and save again."),
            code="conflict",
        )
    sections = {
        "decisions": decisions,
        "summary": summary,
        "next_meeting": next_meeting,
        "plain_summary": plain_summary,
    }
    too_long = {name: _too_long_message() for name, text in sections.items() if _too_long(text)}
    if too_long:
        raise ValidationError(too_long)
    errors = []
    cleaned_actions = []
    owners, agencies = next_step_parties(meeting) if actions else ([], [])
    owner_ids, agency_ids = {pk for pk, _n in owners}, {pk for pk, _n in agencies}
    for i, action in enumerate(actions or [], 1):
        text = (action.get("text") or "").strip()
        if not text:
            continue
        agency_id = action.get("agency")
        due = action.get("due_date")
        if not agency_id or not due:
            errors.append(_("Next step %(n)s needs an agency and a due date.") % {"n": i})
            continue
        if isinstance(due, str):
            try:
                due = date.fromisoformat(due)
            except ValueError:
                errors.append(_("Next step %(n)s has an invalid date.") % {"n": i})
                continue
        if date_error(due):
            errors.append(_("Next step %(n)s: %(problem)s") % {"n": i, "problem": date_error(due)})
            continue
        agency_id, owner_id = _as_id(agency_id), _as_id(action.get("owner") or None)
        if agency_id not in agency_ids:
            errors.append(
                _("Next step %(n)s: choose an agency that takes part in the resource group.")
                % {"n": i}
            )
            continue
        if action.get("owner") and owner_id not in owner_ids:
            errors.append(
                _("Next step %(n)s: choose an owner who is a member of the resource group.")
                % {"n": i}
            )
            continue
        category = action.get("category") or DataCategory.PLAN_MEETINGS
        if category not in DataCategory.values:
            errors.append(_("Next step %(n)s has an unknown data category.") % {"n": i})
            continue
        cleaned_actions.append(
            MinutesAction(
                minutes=minutes,
                order=i,
                text=text[:400],
                owner_id=owner_id,
                agency_id=agency_id,
                due_date=due,
                category=category,
            )
        )
    if errors:
        raise ValidationError({"actions": errors})
    minutes.decisions = decisions
    minutes.summary = summary
    minutes.next_meeting = next_meeting
    minutes.plain_summary = plain_summary
    minutes.composed_by = user
    if minutes.status == Minutes.Status.FOR_APPROVAL:
        # a change after circulation invalidates earlier approvals
        minutes.approvals.all().delete()
    if not _created:
        minutes.version += 1
    minutes.save()
    minutes.actions.all().delete()
    MinutesAction.objects.bulk_create(cleaned_actions)
    audit.record(
        action=audit.Action.UPDATE,
        request=request,
        user=user,
        obj=minutes,
        participant_id=meeting.participant_id,
        fields=["decisions", "summary", "next_meeting", "plain_summary", "actions"],
    )
    return minutes


@transaction.atomic
def minutes_submit(*, user: User, minutes: Minutes, request=None) -> Minutes:
    meeting = minutes.meeting
    if not _may_manage(user, meeting):
        raise PermissionDenied(_("Only the adviser responsible for the meeting sends the minutes."))
    if minutes.is_locked:
        raise ValidationError(_("The minutes are already approved."))
    if not minutes.decisions.strip():
        raise ValidationError({"decisions": _("Write the agreed decisions before sending.")})
    if meeting.status in (Meeting.Status.BOOKED, Meeting.Status.INVITED):
        # sending the minutes marks the meeting held: the same rule as the status buttons
        # (not before it has started), or a future meeting would be "held" with feedback sent
        check_status_change(meeting, Meeting.Status.HELD)
        meeting.status = Meeting.Status.HELD
        meeting.save(update_fields=["status", "updated_at"])
        send_feedback_link(meeting)
    minutes.status = Minutes.Status.FOR_APPROVAL
    minutes.save(update_fields=["status", "updated_at"])
    audit.record(
        action=audit.Action.UPDATE,
        request=request,
        user=user,
        obj=minutes,
        participant_id=meeting.participant_id,
        fields=["status"],
    )
    return minutes


@transaction.atomic
def minutes_approve(*, user: User, minutes: Minutes, request=None) -> Minutes:
    """One approval per attending agency; the last one locks the minutes."""
    minutes = Minutes.objects.select_for_update().select_related("meeting").get(pk=minutes.pk)
    meeting = minutes.meeting
    if not _may_take_part(user, meeting):
        raise PermissionDenied(_("You cannot approve these minutes."))
    if minutes.status != Minutes.Status.FOR_APPROVAL:
        raise ValidationError(_("The minutes are not out for approval."))
    agencies = {a.pk for a in attending_agencies(meeting)}
    if user.agency_id not in agencies:
        raise PermissionDenied(_("Only agencies that attended the meeting approve the minutes."))
    try:
        with transaction.atomic():
            MinutesApproval.objects.create(
                minutes=minutes, agency_id=user.agency_id, approved_by=user
            )
    except IntegrityError:
        raise ValidationError(_("Your agency has already approved these minutes.")) from None
    approved = set(minutes.approvals.values_list("agency_id", flat=True))
    if agencies <= approved:
        minutes.status = Minutes.Status.APPROVED
        minutes.locked_at = timezone.now()
        minutes.save(update_fields=["status", "locked_at", "updated_at"])
        meeting.status = Meeting.Status.MINUTES_APPROVED
        meeting.save(update_fields=["status", "updated_at"])
        from resourcegroups.archive import store_minutes_pdf

        store_minutes_pdf(minutes)
    audit.record(
        action=audit.Action.UPDATE,
        request=request,
        user=user,
        obj=minutes,
        participant_id=meeting.participant_id,
        fields=["approval"],
    )
    return minutes


@transaction.atomic
def minutes_addendum(*, user: User, minutes: Minutes, text: str, request=None) -> MinutesAddendum:
    if not minutes.is_locked:
        raise ValidationError(_("Edit the minutes directly until they are approved."))
    if not _may_take_part(user, minutes.meeting):
        raise PermissionDenied
    if user.agency_id not in {a.pk for a in attending_agencies(minutes.meeting)}:
        raise PermissionDenied(_("Only agencies that attended the meeting add addenda."))
    if not text.strip():
        raise ValidationError({"text": _("Write the correction.")})
    if _too_long(text):
        raise ValidationError({"text": _too_long_message()})
    addendum = MinutesAddendum.objects.create(
        minutes=minutes, text=text.strip(), agency_id=user.agency_id, written_by=user
    )
    audit.record(
        action=audit.Action.CREATE,
        request=request,
        user=user,
        obj=addendum,
        participant_id=minutes.meeting.participant_id,
        fields=["text"],
    )
    return addendum
