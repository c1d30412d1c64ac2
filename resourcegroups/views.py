from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kmv.access import policy
from participants.forms import EndMembershipForm, MembershipForm

from . import services
from .models import Membership


@login_required
def membership_add(request, pk):
    participant = policy.get_participant_for(request, pk, policy.CHANGE)
    form = MembershipForm(request.POST or None, participant=participant)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_add(
                user=request.user,
                participant=participant,
                staff=form.cleaned_data["staff"],
                request=request,
            )
        except ValidationError as exc:
            for field, errors in getattr(exc, "error_dict", {None: exc.error_list}).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The member is added to the resource group."))
            return redirect("participants:detail", pk=participant.pk)
    return render(
        request, "resourcegroups/membership_form.html", {"form": form, "participant": participant}
    )


@login_required
@require_POST
def membership_end(request, pk, membership_pk):
    participant = policy.get_participant_for(request, pk, policy.CHANGE, log_read=False)
    membership = Membership.objects.filter(pk=membership_pk, group__participant=participant).first()
    if membership is None:
        raise Http404
    form = EndMembershipForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for ending the membership."))
        return redirect("participants:detail", pk=participant.pk)
    try:
        services.membership_end(
            user=request.user,
            membership=membership,
            reason=form.cleaned_data["end_reason"],
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The membership has ended. The history is kept."))
    return redirect("participants:detail", pk=participant.pk)
