from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kmv.access import audit, policy
from kmv.access.models import User
from participants.models import Participant
from resourcegroups.models import Meeting, Membership, ResourceGroup


def group_ensure(*, participant: Participant, contact_person: User | None = None) -> ResourceGroup:
    group, created = ResourceGroup.objects.get_or_create(
        participant=participant, defaults={"contact_person": contact_person}
    )
    if created and contact_person is not None and contact_person.agency_id:
        Membership.objects.create(
            group=group,
            staff=contact_person,
            agency_id=contact_person.agency_id,
            role=contact_person.role,
            start_date=timezone.localdate(),
            added_by=contact_person,
        )
    return group


@transaction.atomic
def membership_add(
    *,
    user: User,
    participant: Participant,
    staff: User,
    start_date: date | None = None,
    request=None,
) -> Membership:
    """Adding a member from another agency requires that agency's consent."""
    if not policy.may(user, participant, policy.CHANGE):
        raise PermissionDenied(_("Only the responsible agency manages the resource group."))
    if not staff.agency_id or not staff.is_active:
        raise ValidationError(
            {"staff": _("Only active staff members of an agency can join a group.")}
        )
    if not policy.agency_has_consent(participant, staff.agency):
        raise ValidationError(
            {
                "staff": _(
                    "%(agency)s has no active consent from the participant. Record consent first."
                )
                % {"agency": staff.agency}
            }
        )
    group = group_ensure(participant=participant)
    if group.memberships.filter(staff=staff, end_date__isnull=True).exists():
        raise ValidationError({"staff": _("This person is already a member of the group.")})
    membership = Membership(
        group=group,
        staff=staff,
        agency_id=staff.agency_id,
        role=staff.role,
        start_date=start_date or timezone.localdate(),
        added_by=user,
    )
    membership.full_clean()
    membership.save()
    policy.sync_participant_access(participant)
    from .meetings import invite_members

    for meeting in participant.meetings.filter(status__in=Meeting.OPEN_STATUSES).select_related(
        "stage"
    ):
        invite_members(meeting)
    audit.record(
        action=audit.Action.CREATE,
        request=request,
        user=user,
        obj=membership,
        participant_id=participant.pk,
        fields=["staff", "agency", "role", "start_date"],
    )
    return membership


@transaction.atomic
def membership_end(
    *, user: User, membership: Membership, reason: str, end_date: date | None = None, request=None
) -> Membership:
    participant = membership.group.participant
    if not policy.may(user, participant, policy.CHANGE):
        raise PermissionDenied(_("Only the responsible agency manages the resource group."))
    if membership.end_date is not None:
        raise ValidationError(_("This membership has already ended."))
    if not reason.strip():
        raise ValidationError({"end_reason": _("Give a reason for ending the membership.")})
    membership.end_date = end_date or timezone.localdate()
    membership.end_reason = reason.strip()
    membership.full_clean()
    membership.save(update_fields=["end_date", "end_reason"])
    policy.sync_participant_access(participant)
    audit.record(
        action=audit.Action.UPDATE,
        request=request,
        user=user,
        obj=membership,
        participant_id=participant.pk,
        fields=["end_date", "end_reason"],
    )
    return membership
