"""Collaboration agreements and the all-party approval of routine changes."""

from __future__ import annotations

from datetime import date, timedelta

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kmv.access import audit
from kmv.access.models import Agency, Role, User
from kmv.uploads import UploadRejected, check_upload

from .. import permissions
from ..models import Agreement, RoutineApproval, RoutineChange, Signatory
from .common import record, require


@transaction.atomic
def agreement_create(
    *,
    user: User,
    network,
    title: str,
    effective_from: date,
    parties: list[Agency],
    routine_id: int,
    routine_label: str,
    document=None,
) -> Agreement:
    require(permissions.is_coordinator(user, network))
    if len(parties) < 2:
        raise ValidationError({"parties": _("An agreement has at least two parties.")})
    agreement = Agreement(
        network=network,
        title=title,
        effective_from=effective_from,
        routine_id=routine_id,
        routine_label=routine_label,
    )
    if document is not None:
        _check_pdf(document)
        agreement.document = document
    agreement.full_clean()
    agreement.save()
    agreement.parties.set(parties)
    record(audit.Action.CREATE, user=user, obj=agreement)
    return agreement


def _check_pdf(document) -> None:
    """Only real PDFs within the document size limit (kmv.uploads decides both)."""
    try:
        check_upload(document, "document")
    except UploadRejected as exc:
        raise ValidationError({"document": exc.messages}) from None


@transaction.atomic
def signatory_add(
    *, user: User, agreement: Agreement, leader: User, signed_on: date | None = None
) -> Signatory:
    require(permissions.is_coordinator(user, agreement.network))
    if leader.role != Role.AGENCY_LEADER:
        raise ValidationError(_("Agreements are signed by the agencies' leaders."))
    if not agreement.parties.filter(pk=leader.agency_id).exists():
        raise ValidationError(_("The signatory must lead one of the parties."))
    signatory, _created = Signatory.objects.update_or_create(
        agreement=agreement,
        agency_id=leader.agency_id,
        defaults={"user": leader, "signed_on": signed_on},
    )
    return signatory


def current_agreements():
    """The latest agreement of every network: the ones whose parties must approve changes."""
    latest = {}
    for agreement in Agreement.objects.order_by("network_id", "-effective_from", "-pk"):
        latest.setdefault(agreement.network_id, agreement)
    return list(latest.values())


@transaction.atomic
def routine_change_propose(
    *,
    user: User,
    agreement: Agreement,
    routine_id: int,
    routine_label: str,
    summary: str,
    effective_from: date,
) -> RoutineChange:
    require(permissions.is_coordinator(user, agreement.network))
    change = RoutineChange(
        agreement=agreement,
        routine_id=routine_id,
        routine_label=routine_label,
        summary=summary,
        effective_from=effective_from,
        proposed_by=user,
    )
    change.full_clean()
    change.save()
    record(audit.Action.CREATE, user=user, obj=change)
    return change


def missing_approvals(change: RoutineChange) -> list[Agency]:
    approved = set(change.approvals.values_list("agency_id", flat=True))
    return [a for a in change.agreement.parties.order_by("name") if a.pk not in approved]


@transaction.atomic
def routine_change_approve(*, user: User, change: RoutineChange) -> RoutineApproval:
    """The leader of a party approves for their agency (once; who and when are kept). When
    the last party approves, the change is approved by all."""
    change = RoutineChange.objects.select_for_update().get(pk=change.pk)
    parties = list(change.agreement.parties.values_list("pk", flat=True))
    require(
        permissions.is_party_leader(user, parties),
        _("Only the leader of a party to the agreement can approve."),
    )
    approval, created = RoutineApproval.objects.get_or_create(
        change=change, agency_id=user.agency_id, defaults={"approved_by": user}
    )
    if created:
        record(audit.Action.CREATE, user=user, obj=approval)
    if change.approved_at is None and not missing_approvals(change):
        change.approved_at = timezone.now()
        change.save(update_fields=["approved_at"])
    return approval


def routine_activation_status(*, routine_id: int) -> tuple[bool, str]:
    """Whether the routine version may go into force: with no agreement in the app, yes;
    otherwise every party of every network's current agreement must have approved it."""
    agreements = current_agreements()
    if not agreements:
        return True, ""
    for agreement in agreements:
        change = agreement.changes.filter(routine_id=routine_id).first()
        if change is None:
            return False, _(
                "Propose this version to the parties of %(agreement)s first: it becomes "
                "active only when every party has approved it."
            ) % {"agreement": agreement.title}
        if change.approved_at is None:
            missing = ", ".join(a.name for a in missing_approvals(change))
            return False, _("Waiting for approval from: %(parties)s.") % {"parties": missing}
    return True, ""


def _routines(ids) -> dict:
    """Routine versions by id, read through the app registry (the network imports no
    resource-group models): when each was activated and from which date it applied."""
    model = apps.get_model("resourcegroups", "Routine")
    return {
        r["pk"]: r
        for r in model.objects.filter(pk__in=ids).values(
            "pk", "status", "effective_from", "activated_at"
        )
    }


def agreement_history(agreement: Agreement) -> list[dict]:
    """Each routine version under the agreement: the date it actually applied (the date it
    was activated from, not the date proposed) and the day before the next version took over.
    Versions proposed but not (yet) activated come last, with `applied_from` None."""
    changes = sorted(agreement.changes.all(), key=lambda c: (c.effective_from, c.pk))
    routines = _routines([agreement.routine_id, *(c.routine_id for c in changes)])

    def applied(routine_id: int) -> date | None:
        r = routines.get(routine_id)
        if r is None or r["activated_at"] is None or r["status"] == "draft":
            return None
        return r["effective_from"]

    first = applied(agreement.routine_id)
    rows = [
        {
            "routine_id": agreement.routine_id,
            "routine_label": agreement.routine_label,
            "proposed_from": agreement.effective_from,
            # the version attached when the agreement was made applies under it from the
            # agreement's own date at the earliest
            "applied_from": max(first, agreement.effective_from)
            if first
            else agreement.effective_from,
            "applied_until": None,
            "approved_at": None,
            "summary": _("Attached when the agreement was made"),
            "pending": False,
        }
    ]
    for change in changes:
        rows.append(
            {
                "routine_id": change.routine_id,
                "routine_label": change.routine_label,
                "proposed_from": change.effective_from,
                "applied_from": applied(change.routine_id),
                "applied_until": None,
                "approved_at": change.approved_at,
                "summary": change.summary,
                "pending": change.approved_at is None,
            }
        )
    in_force = sorted(
        (r for r in rows if r["applied_from"] is not None), key=lambda r: r["applied_from"]
    )
    for row, successor in zip(in_force, in_force[1:], strict=False):
        row["applied_until"] = successor["applied_from"] - timedelta(days=1)
    waiting = [r for r in rows if r["applied_from"] is None]
    return in_force + waiting
