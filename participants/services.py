"""State changes for participants and consents. UI, API, commands and tasks all call these."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kmv.access import audit, policy
from kmv.access.models import CASE_ROLES, Agency, User
from kmv.errors import ConflictError
from kmv.uploads import UploadRejected, check_upload

from .models import Consent, Participant

EDITABLE_FIELDS = [
    "first_name",
    "last_name",
    "date_of_birth",
    "national_id",
    "languages",
    "preferred_language",
    "interpreter_needed",
    "interpreter_language",
    "municipality",
    "settlement_date",
    "intro_programme_start",
    "adult_education_end",
    "upper_secondary_start",
    "upper_secondary_end",
    "pathway",
    "status",
    "phone",
    "email",
    "address",
    "goal",
]


# A change to any of these re-plans the participant's meetings (and only theirs).
PLANNING_FIELDS = {
    "intro_programme_start",
    "adult_education_end",
    "upper_secondary_start",
    "upper_secondary_end",
    "pathway",
    "status",
    "interpreter_needed",
    "interpreter_language",
}


def _require_case_worker(user: User) -> None:
    if user.role not in CASE_ROLES or not user.agency_id:
        raise PermissionDenied(_("Only staff working with participants can register them."))


def _refuse_registered_national_id(user: User, number, request, *, exclude_pk=None) -> None:
    """A taken number gets the one neutral answer of `selectors.national_id_registered`.
    Called before the transaction opens, so the audit row of the lookup is kept."""
    from .selectors import DUPLICATE_NATIONAL_ID, national_id_registered

    if national_id_registered(number, user=user, request=request, exclude_pk=exclude_pk):
        raise ValidationError({"national_id": [str(DUPLICATE_NATIONAL_ID)]})


def participant_create(*, user: User, request=None, **data) -> Participant:
    _require_case_worker(user)
    _refuse_registered_national_id(user, data.get("national_id") or None, request)
    return _participant_create(user=user, request=request, **data)


@transaction.atomic
def _participant_create(*, user: User, request=None, **data) -> Participant:
    participant = Participant(owner_agency_id=user.agency_id, created_by=user)
    for name in EDITABLE_FIELDS:
        if name in data:
            setattr(participant, name, data[name])
    participant.full_clean()
    participant.save()
    from resourcegroups.services import group_ensure

    group_ensure(participant=participant, contact_person=user)
    policy.sync_participant_access(participant)
    from resourcegroups.services import meetings_sync

    meetings_sync(participant=participant, by=user)
    audit.record(
        action=audit.Action.CREATE,
        request=request,
        user=user,
        obj=participant,
        participant_id=participant.pk,
        fields=[n for n in EDITABLE_FIELDS if n in data],
    )
    return participant


def participant_update(
    *, user: User, participant: Participant, version: int | None = None, request=None, **data
) -> Participant:
    """Optimistic locking: `version` is what the editor saw; a newer save wins no silent race."""
    if not policy.may(user, participant, policy.CHANGE):
        raise PermissionDenied(_("You may not change this participant."))
    number = data.get("national_id") or None
    if number and number != participant.national_id:
        _refuse_registered_national_id(user, number, request, exclude_pk=participant.pk)
    return _participant_update(
        user=user, participant=participant, version=version, request=request, **data
    )


@transaction.atomic
def _participant_update(
    *, user: User, participant: Participant, version: int | None = None, request=None, **data
) -> Participant:
    current = Participant.objects.select_for_update().get(pk=participant.pk)
    if version is not None and current.version != int(version):
        raise ConflictError(
            _(
                "Someone else saved this participant while you were editing. "
                "Your changes are kept in the form below: "
                "compare with the saved values and save again."
            ),
            code="conflict",
        )
    changed = []
    for name in EDITABLE_FIELDS:
        if name in data and getattr(current, name) != data[name]:
            if name == "municipality" and current.municipality_id == getattr(
                data[name], "pk", data[name]
            ):
                continue
            setattr(current, name, data[name])
            changed.append(name)
    if not changed:
        return current
    current.full_clean()
    current.version = F("version") + 1
    current.save(update_fields=[*changed, "version", "updated_at"])
    current.refresh_from_db()
    audit.record(
        action=audit.Action.UPDATE,
        request=request,
        user=user,
        obj=current,
        participant_id=current.pk,
        fields=changed,
    )
    if set(changed) & PLANNING_FIELDS:
        from resourcegroups.services import meetings_sync

        meetings_sync(participant=current, by=user)
    return current


@transaction.atomic
def consent_record(
    *,
    user: User,
    participant: Participant,
    agency: Agency,
    category: str,
    purpose: str,
    given_on: date | None = None,
    expires_on: date | None = None,
    basis: str = Consent.Basis.CONSENT,
    legal_basis: str = "",
    document=None,
    document_language: str = "",
    request=None,
) -> Consent:
    if not policy.may(user, participant, policy.CHANGE):
        raise PermissionDenied(_("Only the responsible agency records consent."))
    consent = Consent(
        participant=participant,
        agency=agency,
        category=category,
        purpose=purpose,
        given_on=given_on or timezone.localdate(),
        expires_on=expires_on,
        basis=basis,
        legal_basis=legal_basis,
        document_language=document_language,
        recorded_by=user,
    )
    if document:
        try:
            check_upload(document, "consent")
        except UploadRejected as exc:
            raise ValidationError({"document": exc.messages}) from None
        consent.document = document
    consent.full_clean()
    consent.save()
    policy.sync_participant_access(participant)
    audit.record(
        action=audit.Action.CREATE,
        request=request,
        user=user,
        obj=consent,
        participant_id=participant.pk,
        fields=["agency", "category", "basis", "given_on", "expires_on"],
    )
    return consent


@transaction.atomic
def consent_withdraw(
    *, user: User, consent: Consent, withdrawn_on: date | None = None, request=None
) -> Consent:
    """Access ends at once; copies the agency already archived remain its own."""
    participant = consent.participant
    if not policy.may(user, participant, policy.CHANGE):
        raise PermissionDenied(_("Only the responsible agency records consent."))
    if consent.withdrawn_on is not None:
        raise ValidationError(_("This consent is already withdrawn."), code="already_withdrawn")
    consent.withdrawn_on = withdrawn_on or timezone.localdate()
    consent.withdrawn_recorded_by = user
    consent.full_clean()
    consent.save(update_fields=["withdrawn_on", "withdrawn_recorded_by"])
    policy.sync_participant_access(participant)
    audit.record(
        action=audit.Action.UPDATE,
        request=request,
        user=user,
        obj=consent,
        participant_id=participant.pk,
        fields=["withdrawn_on"],
    )
    return consent
