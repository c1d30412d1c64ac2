"""Agenda checklists: members fill the items their role owns; answers save as you type."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kmv.access import audit, policy
from kmv.access.models import User
from participants.models import ProfileFact
from resourcegroups.models import AnswerType, ChecklistAnswer, ChecklistItem, Meeting

from .meetings import ConflictError

YES_NO_VALUES = {"yes", "no", "na"}


def may_answer(user: User, meeting: Meeting, item: ChecklistItem) -> bool:
    """The item's role, in a meeting still open, and only in a data category the user's agency
    may see: an editor would otherwise show (and could overwrite) an answer it may not read."""
    return (
        item.owner_role == user.role
        and item.stage_id == meeting.stage_id
        and meeting.status not in (Meeting.Status.CANCELLED, Meeting.Status.MINUTES_APPROVED)
        and item.category in policy.visible_categories(user, meeting.participant)
    )


def clean_value(item: ChecklistItem, raw: dict) -> dict:
    """Validate an answer for the item's type; return the stored shape."""
    comment = str(raw.get("comment", "")).strip()[:1000]
    if item.answer_type == AnswerType.YES_NO:
        answer = str(raw.get("answer", "")).strip()
        if answer and answer not in YES_NO_VALUES:
            raise ValidationError({"answer": _("Answer yes, no or not relevant.")})
        return {"answer": answer, "comment": comment}
    if item.answer_type == AnswerType.DATE:
        value = raw.get("date") or ""
        if value:
            try:
                value = date.fromisoformat(str(value)).isoformat()
            except ValueError:
                raise ValidationError({"date": _("Enter a valid date.")}) from None
        return {"date": value, "comment": comment}
    if item.answer_type == AnswerType.CHOICE:
        answer = str(raw.get("answer", "")).strip()
        allowed = {c["value"] for c in item.choices}
        if answer and answer not in allowed:
            raise ValidationError({"answer": _("Choose one of the options.")})
        return {"answer": answer, "comment": comment}
    text = str(raw.get("text", "")).strip()
    if len(text) > 5000:
        raise ValidationError({"text": _("The text is too long (at most 5000 characters).")})
    return {"text": text, "comment": comment}


def display_value(item: ChecklistItem, value: dict) -> str:
    """Human-readable answer (for the profile, the minutes and the PDF)."""
    if not value:
        return ""
    if item.answer_type == AnswerType.YES_NO:
        labels = {"yes": _("Yes"), "no": _("No"), "na": _("Not relevant")}
        return str(labels.get(value.get("answer", ""), ""))
    if item.answer_type == AnswerType.DATE:
        if not value.get("date"):
            return ""
        return date.fromisoformat(value["date"]).strftime("%d.%m.%Y")
    if item.answer_type == AnswerType.CHOICE:
        from django.utils.translation import get_language

        lang = "en" if (get_language() or "nb").startswith("en") else "nb"
        for choice in item.choices:
            if choice["value"] == value.get("answer"):
                return choice.get(lang) or choice["nb"]
        return ""
    return value.get("text", "")


@transaction.atomic
def answer_save(
    *,
    user: User,
    meeting: Meeting,
    item: ChecklistItem,
    value: dict,
    version: int | None,
    request=None,
) -> ChecklistAnswer:
    """Save one answer. `version` is what the editor last saw (0 for a new answer); a
    mismatch means someone else saved in between: nothing is overwritten, the caller gets a
    ConflictError with the saved answer to merge by hand."""
    if not may_answer(user, meeting, item):
        raise PermissionDenied(_("This item is filled in by another role."))
    cleaned = clean_value(item, value)
    answer = ChecklistAnswer.objects.select_for_update().filter(meeting=meeting, item=item).first()
    if answer is None:
        if version not in (None, 0, "0", ""):
            raise ConflictError(_("This answer was removed by someone else."), code="conflict")
        try:
            with transaction.atomic():
                answer = ChecklistAnswer.objects.create(
                    meeting=meeting,
                    item=item,
                    value=cleaned,
                    answered_by=user,
                    agency_id=user.agency_id,
                )
        except IntegrityError:
            raise ConflictError(
                _("Someone else answered this item at the same time. Check their answer."),
                code="conflict",
            ) from None
    else:
        if version is not None and str(version) != str(answer.version):
            raise ConflictError(
                _("%(name)s changed this answer while you were typing. Their answer: “%(value)s”.")
                % {"name": answer.answered_by or "?", "value": display_value(item, answer.value)},
                code="conflict",
            )
        if answer.value == cleaned:
            return answer
        answer.value = cleaned
        answer.answered_by = user
        answer.agency_id = user.agency_id
        answer.version += 1
        answer.save(update_fields=["value", "answered_by", "agency", "version", "updated_at"])
    _update_profile(user, meeting, item, cleaned)
    audit.record(
        action=audit.Action.UPDATE,
        request=request,
        user=user,
        obj=answer,
        participant_id=meeting.participant_id,
        fields=["value"],
    )
    return answer


def _update_profile(user: User, meeting: Meeting, item: ChecklistItem, cleaned: dict) -> None:
    """Answers that are facts about the participant update the profile, dated and sourced."""
    if not item.profile_fact:
        return
    shown = display_value(item, cleaned)
    existing = ProfileFact.objects.filter(
        participant_id=meeting.participant_id, key=item.profile_fact, source_meeting_id=meeting.pk
    ).first()
    if not shown:
        if existing:
            existing.delete()
        return
    if existing:
        existing.value = shown[:400]
        existing.comment = cleaned.get("comment", "")[:400]
        existing.recorded_by = user
        existing.save(update_fields=["value", "comment", "recorded_by"])
        return
    ProfileFact.objects.create(
        participant_id=meeting.participant_id,
        key=item.profile_fact,
        value=shown[:400],
        comment=cleaned.get("comment", "")[:400],
        recorded_on=timezone.localdate(),
        source=str(meeting.stage),
        source_meeting_id=meeting.pk,
        agency_id=user.agency_id,
        recorded_by=user,
    )


def progress(meeting: Meeting) -> tuple[int, int]:
    """(answered, total) items for the meeting's checklist."""
    total = meeting.stage.items.count()
    answered = sum(1 for a in meeting.answers.all() if a.is_answered)
    return answered, total
