"""Minutes download page and each agency's archive copy (PDF/A + Noark 5 arkivmelding)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from kmv.access import audit

from . import archive
from .services.minutes import attending_agencies


class CaseReferenceForm(forms.Form):
    reference = forms.CharField(
        label=gettext_lazy("Your agency's case number for the participant"),
        help_text=gettext_lazy(
            "Used in the archive metadata, e.g. 2025/1234. Leave empty to remove it."
        ),
        max_length=100,
        required=False,
    )


@login_required
@require_http_methods(["GET", "POST"])
def minutes_detail(request, pk):
    minutes = archive.get_minutes_for(request, pk, log_read=request.method == "GET")
    participant = minutes.meeting.participant
    current = archive.case_reference_for(participant, request.user.agency_id)
    form = CaseReferenceForm(request.POST or None, initial={"reference": current})
    if request.method == "POST" and form.is_valid():
        try:
            archive.case_reference_set(
                user=request.user,
                participant=participant,
                reference=form.cleaned_data["reference"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error("reference", exc.messages)
        else:
            messages.success(request, _("The case reference is saved."))
            return redirect("archive:detail", pk=minutes.pk)
    approvals = {a.agency_id: a for a in minutes.approvals.select_related("approved_by")}
    return render(
        request,
        "resourcegroups/archive/detail.html",
        {
            "minutes": minutes,
            "meeting": minutes.meeting,
            "participant": participant,
            "approvals": [(a, approvals.get(a.pk)) for a in attending_agencies(minutes.meeting)],
            "form": form,
            "case_reference": current,
            "copy_ready": minutes.is_locked,
            "complete_copy": archive.gets_complete_copy(minutes, request.user.agency),
        },
    )


@login_required
@require_GET
def archive_copy(request, pk):
    minutes = archive.get_minutes_for(request, pk, log_read=False)
    if not minutes.is_locked:
        raise Http404
    data = archive.archive_copy(minutes, user=request.user)
    audit.record(
        action=audit.Action.DOWNLOAD,
        request=request,
        obj=minutes,
        participant_id=minutes.meeting.participant_id,
        fields=["pdf", "arkivmelding"],
        channel="pdf",
    )
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="referat-{minutes.pk}-arkivkopi.zip"'
    return response
