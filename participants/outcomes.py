"""Outcomes and settled figures: the only writers of `OutcomeRecord` and `SettledFigure`.

UI, API, the bulk import (`reports.imports`) and management commands all call these.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from kmv.access import audit, policy
from kmv.access.models import CASE_ROLES, Municipality, Role, User

from .models import OutcomeRecord, Participant, SettledFigure

SETTLED_EDITORS = (Role.NETWORK_COORDINATOR, Role.AGENCY_LEADER, Role.SYSTEM_ADMIN)


def may_record_outcomes(user: User) -> bool:
    return bool(user.role in CASE_ROLES and user.agency_id)


@transaction.atomic
def outcome_record(
    *,
    user: User,
    participant: Participant,
    status: str,
    since: date,
    until: date | None = None,
    cohort_year: int | None = None,
    in_work: bool = False,
    in_work_since: date | None = None,
    note: str = "",
    request=None,
) -> OutcomeRecord:
    """Record what the user's agency reports about a participant it may see."""
    if not may_record_outcomes(user) or not policy.may(user, participant):
        raise PermissionDenied(_("You may not record outcomes for this participant."))
    record = OutcomeRecord(
        participant=participant,
        status=status,
        since=since,
        until=until,
        cohort_year=cohort_year,
        in_work=in_work,
        in_work_since=in_work_since,
        note=note,
        reported_by_agency_id=user.agency_id,
        recorded_by=user,
    )
    record.full_clean()
    record.save()
    audit.record(
        action=audit.Action.CREATE,
        request=request,
        user=user,
        obj=record,
        participant_id=participant.pk,
        fields=["status", "since", "until", "cohort_year", "in_work", "in_work_since"],
    )
    return record


@transaction.atomic
def settled_set(*, user: User, municipality: Municipality, year: int, count: int) -> SettledFigure:
    """People settled in a municipality and year (national statistics): insert or replace."""
    if user.role not in SETTLED_EDITORS:
        raise PermissionDenied(_("Only coordinators and leaders enter settled figures."))
    figure = SettledFigure.objects.filter(municipality=municipality, year=year).first()
    figure = figure or SettledFigure(municipality=municipality, year=year)
    figure.count = count
    figure.updated_by = user
    figure.full_clean(validate_unique=False)
    figure.save()
    return figure
