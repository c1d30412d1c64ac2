"""Participant pages: thin — parse, authorise (kmv.access.policy), call a service, render."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kmv.access import audit, policy
from kmv.access.models import CASE_ROLES
from kmv.access.selectors import participant_access_log
from kmv.forms import apply_service_errors

from . import selectors, services
from .forms import (
    ConsentForm,
    OutcomeForm,
    ParticipantFilterForm,
    ParticipantForm,
    WithdrawConsentForm,
)
from .models import Consent, DataCategory

# Searches by name or national id are POSTed and kept in the session under an opaque token,
# so an identity number never appears in a URL (browser history, access logs, referers).
SEARCH_SESSION_KEY = "participant_searches"
SEARCHES_KEPT = 20


def _remember_search(request) -> str:
    # bounded: the form's longest field is 100 characters; longer input fails its check
    data = {name: request.POST.get(name, "")[:200] for name in ParticipantFilterForm.base_fields}
    searches = request.session.get(SEARCH_SESSION_KEY, {})
    token = secrets.token_urlsafe(9)
    searches[token] = data
    request.session[SEARCH_SESSION_KEY] = dict(list(searches.items())[-SEARCHES_KEPT:])
    return token


def _search_data(request):
    token = request.GET.get("s")
    if token is None:
        return request.GET
    return request.session.get(SEARCH_SESSION_KEY, {}).get(token, {})


@login_required
def participant_list(request):
    if request.method == "POST":
        return redirect(f"{reverse('participants:list')}?s={_remember_search(request)}")
    form = ParticipantFilterForm(_search_data(request) or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.participant_list(user=request.user, filters=filters)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    ids = [p.pk for p in page.object_list]
    if ids:
        audit.record(
            request=request, action=audit.Action.LIST, object_type="participant", object_ids=ids
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "participants/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "may_create": request.user.role in CASE_ROLES and request.user.agency_id,
            "today": timezone.localdate(),
        },
    )


@login_required
def participant_detail(request, pk):
    participant = policy.get_participant_for(request, pk)
    categories = policy.visible_categories(request.user, participant)
    group = getattr(participant, "resource_group", None)
    memberships = (
        group.memberships.select_related("staff", "agency").order_by("end_date", "start_date")
        if group
        else []
    )
    today = timezone.localdate()
    return render(
        request,
        "participants/detail.html",
        {
            "participant": participant,
            "may_change": policy.may(request.user, participant, policy.CHANGE),
            "show_goal": DataCategory.EDUCATION_MAPPING in categories,
            "categories": [c for c in DataCategory if c in categories],
            "consents": selectors.consents_visible(user=request.user, participant=participant),
            "memberships": memberships,
            "outcomes": selectors.outcomes_visible(
                request.user,
                participant,
                participant.outcomes.select_related("reported_by_agency")[:20],
            ),
            "may_record_outcome": request.user.role in CASE_ROLES,
            "timeline": selectors.participant_timeline(
                participant=participant, user=request.user, today=today
            ),
            "today": today,
        },
    )


@login_required
def participant_create(request):
    if request.user.role not in CASE_ROLES or not request.user.agency_id:
        raise PermissionDenied
    form = ParticipantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            participant = services.participant_create(
                user=request.user, request=request, **form.service_data()
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The participant is registered."))
            return redirect("participants:detail", pk=participant.pk)
    return render(request, "participants/form.html", {"form": form, "creating": True})


@login_required
def participant_edit(request, pk):
    participant = policy.get_participant_for(request, pk, policy.CHANGE)
    form = ParticipantForm(request.POST or None, instance=participant)
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_update(
                user=request.user,
                participant=participant,
                version=form.cleaned_data.get("version"),
                request=request,
                **form.service_data(),
            )
        except services.ConflictError as exc:
            form.add_error(None, exc.messages)
            participant.refresh_from_db()
            form.data = form.data.copy()
            form.data["version"] = participant.version
            return render(
                request,
                "participants/form.html",
                {"form": form, "participant": participant, "conflict": True},
                status=409,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("participants:detail", pk=participant.pk)
    return render(request, "participants/form.html", {"form": form, "participant": participant})


@login_required
def consent_create(request, pk):
    participant = policy.get_participant_for(request, pk, policy.CHANGE)
    form = ConsentForm(request.POST or None, request.FILES or None, participant=participant)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.consent_record(
                user=request.user,
                participant=participant,
                agency=data["agency"],
                category=data["category"],
                purpose=data["purpose"],
                basis=data["basis"],
                legal_basis=data.get("legal_basis", ""),
                given_on=data.get("given_on"),
                expires_on=data.get("expires_on"),
                document=data.get("document"),
                document_language=data.get("document_language", ""),
                request=request,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The consent is recorded."))
            return redirect("participants:detail", pk=participant.pk)
    return render(
        request, "participants/consent_form.html", {"form": form, "participant": participant}
    )


def _consent_for(request, participant, consent_pk) -> Consent:
    consent = (
        selectors.consents_visible(user=request.user, participant=participant)
        .filter(pk=consent_pk)
        .first()
    )
    if consent is None:
        raise Http404
    return consent


@login_required
@require_POST
def consent_withdraw(request, pk, consent_pk):
    participant = policy.get_participant_for(request, pk, policy.CHANGE, log_read=False)
    consent = _consent_for(request, participant, consent_pk)
    form = WithdrawConsentForm(request.POST)
    if form.is_valid():
        try:
            services.consent_withdraw(
                user=request.user,
                consent=consent,
                withdrawn_on=form.cleaned_data.get("withdrawn_on"),
                request=request,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The consent is withdrawn. Access ended at once."))
    else:
        messages.error(request, _("Enter a valid date."))
    return redirect("participants:detail", pk=participant.pk)


@login_required
def consent_document(request, pk, consent_pk):
    participant = policy.get_participant_for(request, pk, log_read=False)
    consent = _consent_for(request, participant, consent_pk)
    if not consent.document:
        raise Http404
    audit.record(
        request=request,
        action=audit.Action.DOWNLOAD,
        obj=consent,
        participant_id=participant.pk,
        fields=["document"],
    )
    return FileResponse(consent.document.open("rb"), as_attachment=True)


@login_required
def access_log(request, pk):
    """A participant's access log, printable for a right-of-access request."""
    participant = policy.get_participant_for(request, pk, policy.CHANGE)
    events = participant_access_log(participant.pk)
    return render(
        request,
        "participants/access_log.html",
        {"participant": participant, "events": events, "now": timezone.now()},
    )


@login_required
def outcome_create(request, pk):
    """An agency reports the participant's education/work status (history is kept)."""
    from . import outcomes

    participant = policy.get_participant_for(request, pk)
    if not outcomes.may_record_outcomes(request.user):
        raise PermissionDenied
    form = OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcomes.outcome_record(
                user=request.user, participant=participant, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The status is recorded."))
            return redirect("participants:detail", pk=participant.pk)
    return render(
        request, "participants/outcome_form.html", {"form": form, "participant": participant}
    )
