"""Retention report and erasure on request (rules in participants/retention.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kmv.access import audit, policy
from kmv.access.models import CASE_ROLES

from . import retention


@login_required
def retention_report(request):
    """The owner agency's dry run: its participants the beat task will anonymise within the
    notice period, with the date it will happen."""
    user = request.user
    if user.role not in CASE_ROLES or not user.agency_id:
        raise PermissionDenied
    due = retention.due_for_anonymisation(within_days=retention.notice_days(), agency=user.agency)
    visible = set(
        policy.participants_for(user, policy.CHANGE)
        .filter(pk__in=[r.participant.pk for r in due])
        .values_list("pk", flat=True)
    )
    rows = [r for r in due if r.participant.pk in visible]
    if rows:
        audit.record_reads(request=request, participant_ids=[r.participant.pk for r in rows])
    return render(
        request,
        "participants/retention.html",
        {
            "rows": rows,
            "years": retention.retention_years(),
            "notice_days": retention.notice_days(),
        },
    )


@login_required
def erase_request(request, pk):
    """Erasure at the participant's request, by the owner agency: a confirmation page, then
    POST. Keeps what the law obliges the agencies to keep."""
    participant = policy.get_participant_for(request, pk, policy.CHANGE)
    if not retention.may_erase(request.user, participant):
        raise PermissionDenied
    if request.method == "POST":
        erased = retention.erase_on_request(
            user=request.user, participant=participant, request=request
        )
        if erased:
            messages.success(
                request,
                _("The data without a duty to keep it is erased. The filed minutes are unchanged."),
            )
        else:
            messages.info(request, _("There was nothing left to erase."))
        return redirect("participants:detail", pk=participant.pk)
    return render(request, "participants/erase_confirm.html", {"participant": participant})
