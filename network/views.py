"""Network pages. Thin: parse, authorise through network.permissions, call the service,
render. No participant data is shown anywhere here; participant feedback is anonymous."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kmv.access.models import Agency, Role
from kmv.forms import apply_service_errors
from kmv.ids import as_pk, object_or_404

from . import forms, pdf, permissions, selectors, services
from .models import (
    AgendaItem,
    Agreement,
    Body,
    BodyMembership,
    Challenge,
    FeedbackResponse,
    ProfessionalDay,
    ProgrammeSegment,
    RoutineChange,
    SolutionGroup,
)


def _network_object(user, model, pk, path="network"):
    """Fetch an object of a network the user sees, or 404 (same for missing and foreign)."""
    obj = get_object_or_404(model, pk=pk)
    network = obj
    for part in path.split("__"):
        network = getattr(network, part)
    permissions.get_network_for(user, network.pk)
    return obj, network


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# --- networks --------------------------------------------------------------------------------


@login_required
def home(request):
    networks = list(permissions.networks_for(request.user).prefetch_related("agencies"))
    may_create = request.user.role in (Role.NETWORK_COORDINATOR, Role.SYSTEM_ADMIN)
    return render(request, "network/home.html", {"networks": networks, "may_create": may_create})


@login_required
def network_detail(request, pk):
    network = permissions.get_network_for(request.user, pk)
    today = timezone.localdate()
    bodies = []
    for body in network.bodies.all():
        bodies.append(
            {
                "body": body,
                "members": permissions.active_memberships(body, today).select_related(
                    "user", "agency"
                ),
                "may_run": permissions.may_run_body(request.user, body),
                "proposed_host": services.propose_host(body=body),
            }
        )
    meetings = permissions.meetings_for(request.user, network).select_related("body", "host")[:20]
    return render(
        request,
        "network/detail.html",
        {
            "network": network,
            "bodies": bodies,
            "meetings": meetings,
            "days": network.days.all()[:20],
            "challenges": network.challenges.exclude(
                status__in=[Challenge.Status.SOLVED, Challenge.Status.CLOSED]
            )[:20],
            "agreements": network.agreements.all(),
            "is_coordinator": permissions.is_coordinator(request.user, network),
            "year": today.year,
            "day_form": forms.DayForm(),
        },
    )


@login_required
def year_summary(request, pk, year):
    network = permissions.get_network_for(request.user, pk)
    context = selectors.year_summary(network=network, year=int(year))
    return render(request, "network/year_summary.html", context)


@login_required
def year_summary_pdf(request, pk, year):
    network = permissions.get_network_for(request.user, pk)
    context = selectors.year_summary(network=network, year=int(year))
    data = pdf.render("network/pdf/year_summary.html", context, language=translation.get_language())
    return _pdf_response(data, f"nettverk-{network.pk}-{year}.pdf")


@login_required
def network_create(request):
    """Network coordinators (and system administrators) set up one network per region."""
    if request.user.role not in (Role.NETWORK_COORDINATOR, Role.SYSTEM_ADMIN):
        raise PermissionDenied
    form = forms.NetworkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            network = services.network_create(
                user=request.user,
                name=form.cleaned_data["name"],
                region=form.cleaned_data["region"],
                agencies=list(form.cleaned_data["agencies"]),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The network is created."))
            return redirect("network:detail", pk=network.pk)
    return render(request, "network/network_form.html", {"form": form})


@login_required
def body_detail(request, pk):
    """Members now, every term before (history), yearly turnover; coordinators add members
    and end terms."""
    body, network = _network_object(request.user, Body, as_pk(pk))
    coordinator = permissions.is_coordinator(request.user, network)
    form = forms.MemberForm(request.POST or None, body=body)
    if request.method == "POST":
        if not coordinator:
            raise PermissionDenied
        if form.is_valid():
            values = dict(form.cleaned_data)
            try:
                services.member_add(
                    user=request.user, body=body, person=values.pop("person"), **values
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The member is added."))
                return redirect("network:body", pk=body.pk)
    today = timezone.localdate()
    return render(
        request,
        "network/body_detail.html",
        {
            "body": body,
            "network": network,
            "members": permissions.active_memberships(body, today).select_related("user", "agency"),
            "terms": selectors.body_terms(body),
            "turnover": selectors.body_turnover(body, until=today.year),
            "is_coordinator": coordinator,
            "form": form,
            "end_form": forms.MemberEndForm(initial={"ends_on": today}),
            "today": today,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def membership_end(request, pk):
    membership, network = _network_object(request.user, BodyMembership, as_pk(pk), "body__network")
    if not permissions.is_coordinator(request.user, network):
        raise PermissionDenied
    form = forms.MemberEndForm(request.POST)
    if form.is_valid():
        try:
            services.member_end(
                user=request.user, membership=membership, ends_on=form.cleaned_data["ends_on"]
            )
            messages.success(request, _("The term is ended; it stays in the history."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Give the date the term ends."))
    return redirect("network:body", pk=membership.body_id)


# --- meetings --------------------------------------------------------------------------------


@login_required
def meeting_create(request, pk):
    body, network = _network_object(request.user, Body, pk)
    if not permissions.may_run_body(request.user, body):
        raise PermissionDenied
    initial = {"host": services.propose_host(body=body), "title": body.get_kind_display()}
    form = forms.MeetingForm(request.POST or None, network=network, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(user=request.user, body=body, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return redirect("network:meeting", pk=meeting.pk)
    return render(request, "network/meeting_form.html", {"form": form, "body": body})


@login_required
def meeting_detail(request, pk):
    meeting = permissions.get_meeting_for(request.user, pk)
    internal = permissions.may_see_internal(request.user, meeting)
    return render(
        request,
        "network/meeting_detail.html",
        {
            "meeting": meeting,
            "items": meeting.items.select_related("status_report"),
            "internal": internal,
            "may_run": permissions.may_run_body(request.user, meeting.body),
            "item_form": forms.AgendaItemForm(),
            "publish_form": forms.PublishForm(),
        },
    )


@login_required
@require_POST
def agenda_item_add(request, pk):
    meeting = permissions.get_meeting_for(request.user, pk)
    form = forms.AgendaItemForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.agenda_item_add(user=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Give the agenda item a title and a kind."))
    return redirect("network:meeting", pk=meeting.pk)


@login_required
@require_POST
def agenda_decision(request, pk):
    item = get_object_or_404(AgendaItem, pk=pk)
    meeting = permissions.get_meeting_for(request.user, item.meeting_id)
    form = forms.DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.agenda_decision_record(
                user=request.user, item=item, decision=form.cleaned_data["decision"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("network:meeting", pk=meeting.pk)


@login_required
@require_POST
def minutes_publish(request, pk):
    meeting = permissions.get_meeting_for(request.user, pk)
    form = forms.PublishForm(request.POST)
    form.is_valid()
    try:
        services.minutes_publish(
            user=request.user, meeting=meeting, summary=form.cleaned_data.get("summary", "")
        )
        messages.success(request, _("The minutes are published to the network."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("network:meeting", pk=meeting.pk)


@login_required
@require_POST
def meeting_invite(request, pk):
    meeting = permissions.get_meeting_for(request.user, pk)
    count = services.meeting_send_invitations(user=request.user, meeting=meeting)
    messages.success(request, _("%(n)s invitations queued.") % {"n": count})
    return redirect("network:meeting", pk=meeting.pk)


@login_required
def minutes_pdf(request, pk):
    meeting = permissions.get_meeting_for(request.user, pk)
    if not meeting.minutes_published:
        raise Http404
    data = pdf.render(
        "network/pdf/minutes.html",
        {"meeting": meeting, "items": meeting.items.all()},
        language=translation.get_language(),
    )
    return _pdf_response(data, f"referat-{meeting.pk}.pdf")


# --- professional days -----------------------------------------------------------------------


@login_required
@require_POST
def day_create(request, pk):
    network = permissions.get_network_for(request.user, pk)
    form = forms.DayForm(request.POST)
    if form.is_valid():
        try:
            day = services.day_create(user=request.user, network=network, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            return redirect("network:day", pk=day.pk)
    else:
        messages.error(request, _("Check the professional day's fields."))
    return redirect("network:detail", pk=network.pk)


@login_required
def day_detail(request, pk):
    day, network = _network_object(request.user, ProfessionalDay, pk)
    coordinator = permissions.is_coordinator(request.user, network)
    return render(
        request,
        "network/day_detail.html",
        {
            "day": day,
            "segments": day.segments.select_related("presenter"),
            # names of registrants only for the organisers; others see the count
            "registrations": day.registrations.select_related("agency") if coordinator else None,
            "registration_count": day.registrations.count(),
            "own_registration": day.registrations.filter(user=request.user).first(),
            "is_coordinator": coordinator,
            "agencies": network.agencies.order_by("name") if coordinator else (),
            "segment_kinds": ProgrammeSegment.Kind.choices,
        },
    )


@login_required
@require_POST
def day_invite(request, pk):
    """Coordinators invite an agency's staff, a guest (name + e-mail) or add a segment."""
    day, network = _network_object(request.user, ProfessionalDay, pk)
    if not permissions.is_coordinator(request.user, network):
        raise PermissionDenied
    try:
        if request.POST.get("agency"):
            agency = object_or_404(Agency, request.POST["agency"])
            n = services.invite_agency_staff(user=request.user, day=day, agency=agency)
            messages.success(request, _("%(n)s people invited.") % {"n": n})
        elif request.POST.get("email"):
            services.registration_invite(
                user=request.user,
                day=day,
                name=request.POST.get("name", "")[:200],
                email=request.POST["email"][:254],
            )
        elif request.POST.get("segment_title"):
            services.segment_add(
                user=request.user,
                day=day,
                kind=request.POST.get("segment_kind", "other"),
                title=request.POST["segment_title"][:200],
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("network:day", pk=day.pk)


@login_required
@require_POST
def day_register(request, pk):
    day, _network = _network_object(request.user, ProfessionalDay, pk)
    try:
        services.registration_self(user=request.user, day=day)
        messages.success(request, _("You are registered."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("network:day", pk=day.pk)


@login_required
@require_POST
def day_attendance(request, pk):
    day, _network = _network_object(request.user, ProfessionalDay, pk)
    services.attendance_record(
        user=request.user, day=day, present_ids=request.POST.getlist("present")
    )
    return redirect("network:day", pk=day.pk)


@login_required
@require_POST
def day_held(request, pk):
    day, _network = _network_object(request.user, ProfessionalDay, pk)
    try:
        count = services.day_mark_held(user=request.user, day=day)
        messages.success(request, _("Evaluation part 1 sent to %(n)s people.") % {"n": count})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("network:day", pk=day.pk)


@login_required
def evaluation_summary(request, pk):
    day, _network = _network_object(request.user, ProfessionalDay, pk)
    summary = services.evaluation_summary(day=day)
    return render(
        request,
        "network/evaluation_summary.html",
        {
            "day": day,
            "summary": summary,
            "may_raise": services.may_triage(request.user, day.network),
        },
    )


@login_required
def evaluation_summary_pdf(request, pk):
    day, _network = _network_object(request.user, ProfessionalDay, pk)
    data = pdf.render(
        "network/pdf/evaluation.html",
        {"day": day, "summary": services.evaluation_summary(day=day)},
        language=translation.get_language(),
    )
    return _pdf_response(data, f"evaluering-{day.pk}.pdf")


@login_required
@require_POST
def evaluation_to_challenges(request, pk):
    day, network = _network_object(request.user, ProfessionalDay, pk)
    if not services.may_triage(request.user, network):
        raise PermissionDenied
    made = services.challenges_from_evaluation(
        user=request.user, day=day, titles=request.POST.getlist("topic")
    )
    messages.success(request, _("%(n)s challenges registered.") % {"n": len(made)})
    return redirect("network:challenges", pk=network.pk)


def evaluate(request, token):
    """The anonymous evaluation form: no login, a single-use link."""
    invite = services.invite_for_token(token)
    if invite is None:
        return render(request, "network/link_used.html", status=410)
    form_class = forms.EvaluationPart1Form if invite.part == 1 else forms.EvaluationPart2Form
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_submit(token=token, **form.cleaned_data)
        except ValidationError:
            return render(request, "network/link_used.html", status=410)
        return render(request, "network/thanks.html")
    return render(
        request,
        "network/evaluate.html",
        {"form": form, "day": invite.registration.day, "part": invite.part},
    )


# --- challenges and solution groups ----------------------------------------------------------


@login_required
def challenges(request, pk):
    network = permissions.get_network_for(request.user, pk)
    form = forms.ChallengeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        challenge = services.challenge_raise(
            user=request.user, network=network, **form.cleaned_data
        )
        messages.success(request, _("Challenge registered."))
        return redirect("network:challenge", pk=challenge.pk)
    query = request.GET.get("q", "")
    return render(
        request,
        "network/challenges.html",
        {
            "network": network,
            "challenges": network.challenges.select_related("raised_by_agency")[:200],
            "solved": selectors.solved_history(network=network, query=query)[:50],
            "query": query,
            "form": form,
        },
    )


@login_required
def challenge_detail(request, pk):
    challenge, network = _network_object(request.user, Challenge, pk)
    form = forms.TriageForm(request.POST or None)
    if request.method == "POST":
        if not services.may_triage(request.user, network):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.challenge_triage(
                    user=request.user, challenge=challenge, **form.cleaned_data
                )
                return redirect("network:challenge", pk=challenge.pk)
            except ValidationError as exc:
                apply_service_errors(form, exc)
    return render(
        request,
        "network/challenge_detail.html",
        {
            "challenge": challenge,
            "form": form,
            "may_triage": services.may_triage(request.user, network)
            and challenge.status == Challenge.Status.NEW,
        },
    )


@login_required
def solution_group(request, pk):
    group, network = _network_object(request.user, SolutionGroup, pk, "challenge__network")
    user = request.user
    member = group.memberships.filter(user_id=user.pk).exists()
    may_write = member or permissions.is_coordinator(user, network)
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied
        what = request.POST.get("form")
        try:
            if what == "meeting":
                f = forms.SolutionMeetingForm(request.POST)
                if f.is_valid():
                    services.solution_meeting_record(user=user, group=group, **f.cleaned_data)
            elif what == "check":
                f = forms.PartyCheckForm(request.POST)
                if f.is_valid():
                    services.party_check_record(user=user, group=group, **f.cleaned_data)
            elif what == "action":
                f = forms.ActionForm(request.POST, group=group)
                if f.is_valid():
                    services.action_add(user=user, **f.cleaned_data)
            elif what == "status":
                f = forms.StatusReportForm(request.POST)
                if f.is_valid():
                    services.status_report_add(user=user, group=group, **f.cleaned_data)
            else:
                f = None
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            if f is not None and f.errors:
                # the page is re-read after the redirect: say what was wrong, save nothing
                problems = [
                    f"{f.fields[name].label if name in f.fields else ''}: {' '.join(errs)}".lstrip(
                        ": "
                    )
                    for name, errs in f.errors.items()
                ]
                messages.error(
                    request,
                    _("Nothing was saved. Check the fields: %(problems)s")
                    % {"problems": "; ".join(problems)},
                )
        return redirect("network:solution_group", pk=group.pk)
    return render(
        request,
        "network/solution_group.html",
        {
            "group": group,
            "members": group.memberships.select_related("user", "agency"),
            "meetings": group.meetings.prefetch_related("actions__owner", "actions__agency"),
            "checks": group.checks.select_related("agency", "checked_by"),
            "reports": group.status_reports.select_related("written_by"),
            "may_write": may_write,
            "meeting_form": forms.SolutionMeetingForm(),
            "check_form": forms.PartyCheckForm(),
            "status_form": forms.StatusReportForm(),
            "action_form": forms.ActionForm(group=group),
            "may_close": permissions.is_coordinator(user, network)
            and group.status in (SolutionGroup.Status.ACTIVE, SolutionGroup.Status.IMPLEMENTING),
            "close_form": forms.SolutionGroupCloseForm(),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def solution_group_close(request, pk):
    """Coordinators close a group with its outcome: solved (the network's memory) or not."""
    group, network = _network_object(request.user, SolutionGroup, as_pk(pk), "challenge__network")
    if not permissions.is_coordinator(request.user, network):
        raise PermissionDenied
    form = forms.SolutionGroupCloseForm(request.POST)
    if form.is_valid():
        try:
            services.solution_group_close(user=request.user, group=group, **form.cleaned_data)
            messages.success(request, _("The solution group is closed."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Say whether it was solved and describe the outcome."))
    return redirect("network:solution_group", pk=group.pk)


@login_required
@require_POST
def challenge_from_practice(request):
    """The form on the resource-group minutes page: a challenge with only the text the user
    wrote — no participant, meeting or minutes is stored or copied."""
    form = forms.PracticeChallengeForm(request.POST, prefix="challenge")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    if form.is_valid():
        try:
            challenge = services.challenge_raise_from_practice(
                user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("The challenge “%(title)s” is registered in %(network)s.")
                % {"title": challenge.title, "network": challenge.network},
            )
            return redirect(back) if back else redirect("network:challenge", pk=challenge.pk)
    else:
        messages.error(request, _("Say briefly what the challenge is."))
    return redirect(back or "network:home")


# --- agreements ------------------------------------------------------------------------------


@login_required
def agreement_create(request, pk):
    network = permissions.get_network_for(request.user, pk)
    if not permissions.is_coordinator(request.user, network):
        raise PermissionDenied
    form = forms.AgreementForm(request.POST or None, request.FILES or None, network=network)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        routine = values.pop("routine")
        try:
            agreement = services.agreement_create(
                user=request.user,
                network=network,
                title=values["title"],
                effective_from=values["effective_from"],
                parties=list(values["parties"]),
                routine_id=routine.pk,
                routine_label=str(routine),
                document=values["document"] or None,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The agreement is registered. Add its signatories."))
            return redirect("network:agreement", pk=agreement.pk)
    return render(
        request,
        "network/agreement_form.html",
        {"form": form, "network": network},
        status=400 if form.errors else 200,
    )


@login_required
def agreement_document(request, pk):
    """The signed PDF, for staff of the network's partners (uploads are never served from
    /media/)."""
    agreement, _network = _network_object(request.user, Agreement, as_pk(pk))
    if not agreement.document:
        raise Http404
    return FileResponse(
        agreement.document.open("rb"),
        content_type="application/pdf",
        filename=f"samarbeidsavtale-{agreement.pk}.pdf",
    )


@login_required
def agenda_document(request, pk):
    """An agenda item's document: for those who see the body's internal items."""
    item = get_object_or_404(AgendaItem, pk=as_pk(pk))
    meeting = permissions.get_meeting_for(request.user, item.meeting_id)
    if not item.document or not permissions.may_see_internal(request.user, meeting):
        raise Http404
    return FileResponse(item.document.open("rb"), as_attachment=True)


@login_required
@require_POST
def signatory_add(request, pk):
    agreement, network = _network_object(request.user, Agreement, as_pk(pk))
    if not permissions.is_coordinator(request.user, network):
        raise PermissionDenied
    form = forms.SignatoryForm(request.POST, agreement=agreement)
    if form.is_valid():
        try:
            services.signatory_add(
                user=request.user,
                agreement=agreement,
                leader=form.cleaned_data["leader"],
                signed_on=form.cleaned_data["signed_on"],
            )
            messages.success(request, _("The signatory is recorded."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Choose the leader who signs for the party."))
    return redirect("network:agreement", pk=agreement.pk)


@login_required
def agreement_detail(request, pk):
    agreement, _network = _network_object(request.user, Agreement, pk)
    changes = []
    for change in agreement.changes.prefetch_related("approvals__agency", "approvals__approved_by"):
        changes.append(
            {
                "change": change,
                "missing": services.missing_approvals(change),
                "may_approve": permissions.is_party_leader(
                    request.user, [a.pk for a in agreement.parties.all()]
                )
                and not change.approvals.filter(agency_id=request.user.agency_id).exists(),
            }
        )
    return render(
        request,
        "network/agreement_detail.html",
        {
            "agreement": agreement,
            "parties": agreement.parties.all(),
            "signatories": agreement.signatories.select_related("user", "agency"),
            "history": services.agreement_history(agreement),
            "changes": changes,
            "is_coordinator": permissions.is_coordinator(request.user, _network),
            "signatory_form": forms.SignatoryForm(agreement=agreement),
        },
    )


@login_required
@require_POST
def change_approve(request, pk):
    change, _network = _network_object(request.user, RoutineChange, pk, "agreement__network")
    services.routine_change_approve(user=request.user, change=change)
    messages.success(request, _("Approval recorded."))
    return redirect("network:agreement", pk=change.agreement_id)


# --- participant feedback --------------------------------------------------------------------


def feedback(request, token):
    """The participant's three questions: no login, single-use link, their language."""
    invite = services.feedback_invite_for_token(token)
    if invite is None:
        return render(request, "network/link_used.html", status=410)
    language = services.feedback_language(invite.language)
    with translation.override(language):
        form = forms.FeedbackForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.feedback_submit(token=token, **form.cleaned_data)
            except ValidationError:
                return render(request, "network/link_used.html", status=410)
            return render(request, "network/thanks.html")
        return render(request, "network/feedback.html", {"form": form})


@login_required
def feedback_overview(request):
    if not services.may_read_feedback(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    start = today.replace(year=today.year - 1, day=1)
    if request.method == "POST":
        response = object_or_404(FeedbackResponse, request.POST.get("response"))
        network = None
        if request.POST.get("network"):
            network = permissions.get_network_for(request.user, request.POST["network"])
        try:
            services.feedback_review(
                user=request.user,
                response=response,
                network=network,
                challenge_title=request.POST.get("title", ""),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("network:feedback_overview")
    return render(
        request,
        "network/feedback_overview.html",
        {
            "rows": services.feedback_summary(start=start, end=today),
            "to_review": FeedbackResponse.objects.filter(reviewed_at__isnull=True)
            .exclude(free_text="")
            .order_by("free_text")[:100],
            "networks": permissions.networks_for(request.user),
        },
    )


@login_required
def feedback_print(request):
    """A blank paper form in the participant's language, for those without e-mail; staff
    type the answers in afterwards (feedback_paper). Nothing about the participant is used."""
    if not services.may_enter_feedback(request.user):
        raise PermissionDenied
    language = services.feedback_language(request.GET.get("language", "nb"))
    with translation.override(language):
        return render(
            request,
            "network/feedback_print.html",
            {"form": forms.FeedbackForm(), "language": language, "smileys": forms.SMILEYS},
        )


@login_required
def feedback_paper(request):
    if not services.may_enter_feedback(request.user):
        raise PermissionDenied
    form = forms.PaperFeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.feedback_enter_paper(user=request.user, **form.cleaned_data)
        messages.success(request, _("The answers are saved, without any name."))
        return redirect("network:feedback_paper")
    return render(request, "network/feedback_paper.html", {"form": form})
