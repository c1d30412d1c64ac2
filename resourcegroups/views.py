"""Resource-group pages: thin — parse, authorise (kmv.access.policy / services), render.

Participant data is reached only through `policy.get_participant_for` or
`selectors.meetings_for(user)`; a meeting of a participant the user may not see is a 404.
"""

from __future__ import annotations

from datetime import date, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kmv.access import audit, policy
from kmv.forms import apply_service_errors
from kmv.notify.selectors import invitation_status
from participants.facts import FACTS
from participants.forms import EndMembershipForm, MembershipForm
from participants.models import ProfileFact

from . import planning, selectors, services
from .forms import (
    ActionFormSet,
    AddendumForm,
    AttendanceForm,
    BookingForm,
    ChecklistAnswerForm,
    ConcernForm,
    MinutesForm,
    NoteForm,
    StatusForm,
)
from .models import (
    ChecklistAnswer,
    Meeting,
    MeetingNote,
    Membership,
    Minutes,
    RoutineStage,
)
from .services.checklist import display_value, may_answer, progress
from .services.meetings import (
    ConflictError,
    check_status_change,
    may_manage,
    transitions_now,
)
from .services.minutes import (
    attending_agencies,
    may_read_all_of,
    next_step_parties,
    notes_visible,
)

# --- helpers -------------------------------------------------------------------------------


def _wants_json(request) -> bool:
    return request.headers.get(
        "X-Requested-With"
    ) == "XMLHttpRequest" or "application/json" in request.headers.get("Accept", "")


def _messages(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def _meeting_for(request, meeting_pk, *, log_read: bool = True) -> Meeting:
    """A meeting of a participant the user may see, or 404 (the same for "missing")."""
    meeting = (
        selectors.meetings_for(request.user)
        .select_related(
            "participant",
            "participant__municipality",
            "participant__owner_agency",
            "stage",
            "routine",
        )
        .filter(pk=meeting_pk)
        .first()
    )
    if meeting is None:
        audit.record(
            request=request,
            action=audit.Action.DENIED,
            object_type="meeting",
            object_id=meeting_pk,
            participant_id=Meeting.objects.filter(pk=meeting_pk)
            .values_list("participant_id", flat=True)
            .first(),
        )
        raise Http404
    if log_read:
        audit.record(
            request=request,
            action=audit.Action.VIEW,
            obj=meeting,
            participant_id=meeting.participant_id,
        )
    return meeting


def _meeting_url(meeting: Meeting, anchor: str = "") -> str:
    url = reverse("resourcegroups:meeting", args=[meeting.pk])
    return f"{url}#{anchor}" if anchor else url


def _progress_json(meeting: Meeting) -> dict:
    answered, total = progress(meeting)
    return {
        "answered": answered,
        "total": total,
        "label": _("%(answered)s of %(total)s answered") % {"answered": answered, "total": total},
    }


def _due(meeting: Meeting, today):
    """The due state of a meeting: planning.stage_due for milestone stages; the meeting's own
    due date and the routine's window for repeated kinds."""
    if meeting.stage.kind == RoutineStage.Kind.MILESTONE:
        due = planning.stage_due(meeting.participant, meeting.stage, meeting.routine, today=today)
        if due.due_date is not None:
            return due
    if meeting.due_date is None:
        return None
    start, end = planning.window(meeting.routine, meeting.due_date)
    if today < start:
        state = planning.DueState.NOT_YET_DUE
    elif today <= end:
        state = planning.DueState.DUE
    else:
        state = planning.DueState.OVERDUE
    return planning.Due(meeting.stage.number, meeting.due_date, start, end, state)


EVENT_FIELD_LABELS = {
    "due_date": _("due date"),
    "start": _("start"),
    "place": _("place"),
    "status": _("status"),
    "concern": _("on concern"),
}


def _parse_when(value):
    """Event payloads store ISO strings; show them as dates/times in the reader's format."""
    if not isinstance(value, str) or not value:
        return value
    try:
        if "T" in value:
            return timezone.localtime(datetime.fromisoformat(value))
        return date.fromisoformat(value)
    except ValueError:
        return value


def _event_rows(meeting: Meeting) -> list[dict]:
    rows = []
    statuses = dict(Meeting.Status.choices)
    for event in meeting.events.select_related("by"):
        changes = []
        for key in sorted(set(event.before) | set(event.after)):
            before, after = event.before.get(key), event.after.get(key)
            if key == "status":
                before, after = statuses.get(before, before), statuses.get(after, after)
            elif key in ("start", "due_date"):
                before, after = _parse_when(before), _parse_when(after)
            if before == after:
                continue
            changes.append(
                {
                    "label": EVENT_FIELD_LABELS.get(key, key),
                    "before": before,
                    "after": after,
                }
            )
        rows.append({"event": event, "changes": changes})
    return rows


def _current_facts(user, participant) -> list[dict]:
    """The newest profile fact per key, only in categories the viewer's agency may see."""
    categories = policy.visible_categories(user, participant)
    keys = [key for key, fact in FACTS.items() if fact.category in categories]
    latest: dict[str, ProfileFact] = {}
    for fact in (
        ProfileFact.objects.filter(participant=participant, key__in=keys)
        .select_related("agency")
        .order_by("key", "-recorded_on", "-id")
    ):
        latest.setdefault(fact.key, fact)
    return [{"label": FACTS[key].label, "fact": fact} for key, fact in latest.items()]


def _checklist_rows(user, meeting: Meeting, override: dict | None = None) -> list[dict]:
    """The agenda as this viewer may read it (`selectors.checklist_for`): an item of a data
    category the viewer's agency may not see shows the neutral marker and no form."""
    override = override or {}
    categories = policy.visible_categories(user, meeting.participant)
    rows = []
    for entry in selectors.checklist_for(meeting, categories, own_agency_id=user.agency_id):
        item, answer = entry.item, entry.answer
        form = None
        if not entry.hidden and may_answer(user, meeting, item):
            form = override.get(item.pk) or ChecklistAnswerForm(item=item, answer=answer)
        fact = FACTS.get(item.profile_fact) if item.profile_fact else None
        rows.append(
            {
                "item": item,
                "answer": answer,
                "hidden": entry.hidden,
                "shown": selectors.HIDDEN
                if entry.hidden
                else (display_value(item, answer.value) if answer else ""),
                "comment": entry.comment,
                "form": form,
                "fact": fact,
            }
        )
    return rows


def _meeting_context(request, meeting: Meeting, **overrides) -> dict:
    user = request.user
    today = timezone.localdate()
    manage = may_manage(user, meeting)
    invitees = list(meeting.invitees.select_related("staff", "agency"))
    note = notes_visible(user, meeting).first()
    answered, total = progress(meeting)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    order = [s for s, _label in Meeting.Status.choices]
    transitions = sorted(transitions_now(meeting), key=order.index)
    context = {
        "meeting": meeting,
        "participant": meeting.participant,
        "may_manage": manage,
        "due": _due(meeting, today),
        "timing": selectors.meeting_timing(meeting),
        "invitees": invitees,
        "facts": _current_facts(user, meeting.participant),
        "checklist": _checklist_rows(user, meeting, overrides.pop("item_forms", None)),
        "answered": answered,
        "total": total,
        "note_form": overrides.pop("note_form", None)
        or NoteForm(
            initial={"text": note.text if note else "", "version": note.version if note else 0}
        ),
        "note": note,
        "may_take_part": bool(user.agency_id),
        "minutes": minutes,
        "events": _event_rows(meeting),
        "today": today,
    }
    if manage:
        context["transitions"] = [(s, Meeting.Status(s).label) for s in transitions]
        context["booking_form"] = overrides.pop("booking_form", None) or BookingForm(
            meeting=meeting
        )
        context["attendance_form"] = AttendanceForm(invitees=invitees)
        # the responsible adviser sees the participant, so the participant is named
        context["invitation_rows"] = invitation_status(
            [meeting], visible_participants={meeting.participant_id}
        )[meeting.pk]
    context.update(overrides)
    return context


def _render_meeting(request, meeting, status=200, **overrides):
    return render(
        request,
        "resourcegroups/meeting_detail.html",
        _meeting_context(request, meeting, **overrides),
        status=status,
    )


# --- membership (participant page) -----------------------------------------------------------


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
            apply_service_errors(form, exc)
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


# --- the participant's plan -------------------------------------------------------------------


def _plan_state(row, due) -> tuple[str, str]:
    """(css key, label) for a plan row."""
    meeting = row.meeting
    labels = {
        "not_plannable": _("Not yet plannable"),
        "not_applicable": _("Not applicable"),
        "not_yet_due": _("Not yet due"),
        "due": _("Due"),
        "overdue": _("Overdue"),
    }
    if meeting is not None:
        if meeting.status == Meeting.Status.MINUTES_APPROVED:
            return "approved", _("Minutes approved")
        if meeting.status == Meeting.Status.HELD:
            return "held", _("Held")
        if meeting.status in (Meeting.Status.BOOKED, Meeting.Status.INVITED):
            return "booked", _("Booked")
        if meeting.status == Meeting.Status.NO_SHOW:
            return "no_show", _("Participant did not come")
    if due is not None:
        return str(due.state), labels[str(due.state)]
    return "planned", _("Planned")


def _render_plan(request, participant, concern_form=None, status=200):
    today = timezone.localdate()
    rows = []
    for row in selectors.participant_plan(participant, today=today):
        # repeated kinds (half-yearly, concern) have no milestone: their own due date counts
        due = row.due if row.due is not None or row.meeting is None else _due(row.meeting, today)
        key, label = _plan_state(row, due)
        rows.append({"row": row, "due": due, "state": key, "state_label": label})
    return render(
        request,
        "resourcegroups/plan.html",
        {
            "participant": participant,
            "rows": rows,
            "concern_form": concern_form or ConcernForm(),
            "today": today,
        },
        status=status,
    )


@login_required
@require_GET
def participant_plan(request, pk):
    participant = policy.get_participant_for(request, pk)
    return _render_plan(request, participant)


@login_required
@require_POST
def concern_create(request, pk):
    participant = policy.get_participant_for(request, pk, log_read=False)
    form = ConcernForm(request.POST)
    if form.is_valid():
        try:
            meeting = services.meeting_create_concern(
                user=request.user,
                participant=participant,
                reason=form.cleaned_data["concern_reason"],
                request=request,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("A meeting on concern about progress is planned."))
            return redirect("resourcegroups:meeting", meeting_pk=meeting.pk)
    return _render_plan(request, participant, concern_form=form, status=400)


# --- the meeting page -------------------------------------------------------------------------


@login_required
@require_GET
def meeting_detail(request, meeting_pk):
    meeting = _meeting_for(request, meeting_pk)
    return _render_meeting(request, meeting)


@login_required
@require_POST
def meeting_book(request, meeting_pk):
    meeting = _meeting_for(request, meeting_pk, log_read=False)
    if not may_manage(request.user, meeting):
        raise PermissionDenied(_("Only the adviser responsible for this meeting can book it."))
    form = BookingForm(request.POST, meeting=meeting)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.meeting_schedule(
                user=request.user,
                meeting=meeting,
                start=data["start_at"],
                end=data["end_at"],
                place=data["place"],
                interpreter_booked=data.get("interpreter_booked", ""),
                version=data["version"],
                request=request,
            )
        except ConflictError as exc:
            meeting.refresh_from_db()
            form.data = form.data.copy()
            form.data["version"] = meeting.version
            form.add_error(None, exc.messages)
            return _render_meeting(request, meeting, status=409, booking_form=form)
        except ValidationError as exc:
            apply_service_errors(
                form,
                exc,
                {"planned_end": "end", "planned_start": "start", "interpreter_language": None},
            )
        else:
            messages.success(request, _("The meeting is booked."))
            return redirect(_meeting_url(meeting, "logistics"))
    return _render_meeting(request, meeting, status=400, booking_form=form)


@login_required
@require_POST
def meeting_status(request, meeting_pk):
    meeting = _meeting_for(request, meeting_pk, log_read=False)
    if not may_manage(request.user, meeting):
        raise PermissionDenied(_("Only the adviser responsible for this meeting can change it."))
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid status."))
        return redirect(_meeting_url(meeting))
    status = form.cleaned_data["status"]
    try:
        check_status_change(meeting, status)
    except ValidationError as exc:
        messages.error(request, _messages(exc))
        return redirect(_meeting_url(meeting))
    if request.POST.get("confirmed") != "1":
        # a status change is not undone lightly: the adviser confirms it on its own page
        return render(
            request,
            "resourcegroups/meeting_status_confirm.html",
            {
                "meeting": meeting,
                "participant": meeting.participant,
                "status": status,
                "label": Meeting.Status(status).label,
                "back": _meeting_url(meeting),
            },
        )
    try:
        services.meeting_set_status(
            user=request.user, meeting=meeting, status=status, request=request
        )
    except ValidationError as exc:
        messages.error(request, _messages(exc))
    else:
        messages.success(request, _("The status is changed."))
        if form.cleaned_data["status"] == Meeting.Status.HELD and not meeting.participant.email:
            # no link can be mailed: the anonymous paper form is the way to answer
            messages.info(
                request,
                _(
                    "The participant has no e-mail address, so no feedback link was sent. "
                    "Give them the paper feedback form; staff type in the answers afterwards."
                ),
            )
    return redirect(_meeting_url(meeting))


@login_required
@require_POST
def attendance(request, meeting_pk):
    meeting = _meeting_for(request, meeting_pk, log_read=False)
    if not may_manage(request.user, meeting):
        raise PermissionDenied(
            _("Only the adviser responsible for this meeting can record attendance.")
        )
    form = AttendanceForm(request.POST, invitees=meeting.invitees.select_related("staff"))
    if not form.is_valid():
        messages.error(request, _("Choose present, absent or excused for each member."))
        return redirect(_meeting_url(meeting, "invitees"))
    try:
        services.attendance_record(
            user=request.user, meeting=meeting, attendance=form.attendance(), request=request
        )
    except ValidationError as exc:
        messages.error(request, _messages(exc))
    else:
        messages.success(request, _("Attendance is saved."))
    return redirect(_meeting_url(meeting, "invitees"))


@login_required
@require_POST
def checklist_answer(request, meeting_pk, item_pk):
    """One endpoint for both: a form POST (redirect back to the item) and save-as-you-type
    (JSON: {ok, version, progress} or 409 {conflict, current, version})."""
    meeting = _meeting_for(request, meeting_pk, log_read=False)
    item = meeting.stage.items.filter(pk=item_pk).first()
    if item is None:
        raise Http404
    as_json = _wants_json(request)
    if not may_answer(request.user, meeting, item):
        message = _("This item is filled in by another role.")
        if as_json:
            return JsonResponse({"error": message}, status=403)
        raise PermissionDenied(message)
    form = ChecklistAnswerForm(request.POST, item=item)
    if form.is_valid():
        try:
            answer = services.answer_save(
                user=request.user,
                meeting=meeting,
                item=item,
                value=form.value(),
                version=form.cleaned_data.get("version"),
                request=request,
            )
        except ConflictError as exc:
            current = ChecklistAnswer.objects.filter(meeting=meeting, item=item).first()
            version = current.version if current else 0
            if as_json:
                return JsonResponse(
                    {
                        "conflict": _messages(exc),
                        "current": display_value(item, current.value) if current else "",
                        "version": version,
                    },
                    status=409,
                )
            form.data = form.data.copy()
            form.data[form.add_prefix("version")] = version
            form.add_error(None, exc.messages)
            return _render_meeting(request, meeting, status=409, item_forms={item.pk: form})
        except PermissionDenied as exc:
            if as_json:
                return JsonResponse({"error": str(exc) or _("Not allowed.")}, status=403)
            raise
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if as_json:
                return JsonResponse(
                    {"ok": True, "version": answer.version, "progress": _progress_json(meeting)}
                )
            messages.success(request, _("The answer is saved."))
            return redirect(_meeting_url(meeting, f"item-{item.pk}"))
    if as_json:
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    return _render_meeting(request, meeting, status=400, item_forms={item.pk: form})


@login_required
@require_POST
def note_save(request, meeting_pk):
    """My agency's notes: a form POST or save-as-you-type (JSON), like the checklist."""
    meeting = _meeting_for(request, meeting_pk, log_read=False)
    as_json = _wants_json(request)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            note = services.note_save(
                user=request.user,
                meeting=meeting,
                text=form.cleaned_data["text"],
                version=form.cleaned_data.get("version"),
                request=request,
            )
        except ConflictError as exc:
            current = MeetingNote.objects.filter(
                meeting=meeting, agency_id=request.user.agency_id
            ).first()
            version = current.version if current else 0
            if as_json:
                return JsonResponse(
                    {
                        "conflict": _messages(exc),
                        "current": current.text if current else "",
                        "version": version,
                    },
                    status=409,
                )
            form.data = form.data.copy()
            form.data["version"] = version
            form.add_error(None, exc.messages)
            return _render_meeting(request, meeting, status=409, note_form=form)
        except PermissionDenied as exc:
            if as_json:
                return JsonResponse({"error": str(exc) or _("Not allowed.")}, status=403)
            raise
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if as_json:
                return JsonResponse({"ok": True, "version": note.version})
            messages.success(request, _("Your agency's notes are saved."))
            return redirect(_meeting_url(meeting, "notes"))
    if as_json:
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    return _render_meeting(request, meeting, status=400, note_form=form)


# --- minutes ----------------------------------------------------------------------------------


def _action_choices(meeting: Meeting):
    return next_step_parties(meeting)


def _practice_challenge_form(user):
    """The form that raises a network challenge from the minutes page — text only, nothing
    of the meeting or participant is passed on. None when the user's agency is in no network."""
    from network import forms as network_forms
    from network import permissions as network_permissions

    if not network_permissions.networks_for(user).exists():
        return None
    return network_forms.PracticeChallengeForm(prefix="challenge")


def _minutes_context(request, meeting, minutes, form=None, formset=None) -> dict:
    user = request.user
    manage = may_manage(user, meeting)
    locked = bool(minutes and minutes.is_locked)
    shown = selectors.minutes_for(
        minutes,
        policy.visible_categories(user, meeting.participant),
        own_agency_id=user.agency_id,
    )
    context = {
        "meeting": meeting,
        "participant": meeting.participant,
        "minutes": shown,
        "locked": locked,
        "may_manage": manage,
        "checklist": _checklist_rows(user, meeting),
        "note": notes_visible(user, meeting).first(),
        "challenge_form": _practice_challenge_form(user),
    }
    if minutes is not None:
        approvals = {a.agency_id: a for a in minutes.approvals.select_related("approved_by")}
        attending = attending_agencies(meeting)
        context["approval_rows"] = [
            {"agency": agency, "approval": approvals.get(agency.pk)} for agency in attending
        ]
        attending_ids = {a.pk for a in attending}
        context["may_approve"] = (
            minutes.status == Minutes.Status.FOR_APPROVAL
            and user.agency_id in attending_ids
            and user.agency_id not in approvals
        )
        context["actions"] = shown.actions
        context["addenda"] = shown.addenda
        context["may_add_addendum"] = locked and user.agency_id in attending_ids
        context["addendum_form"] = AddendumForm()
    if (
        manage
        and not locked
        and may_read_all_of(user, meeting, minutes)
        and meeting.status
        in (
            Meeting.Status.BOOKED,
            Meeting.Status.INVITED,
            Meeting.Status.HELD,
        )
    ):
        owners, agencies = _action_choices(meeting)
        if form is None:
            initial = {"version": minutes.version if minutes else None}
            if minutes is not None:
                for name in ("decisions", "summary", "next_meeting", "plain_summary"):
                    initial[name] = getattr(minutes, name)
            form = MinutesForm(initial=initial)
            formset = ActionFormSet(
                prefix="actions",
                owners=owners,
                agencies=agencies,
                initial=[
                    {
                        "text": a.text,
                        "owner": a.owner_id,
                        "agency": a.agency_id,
                        "due_date": a.due_date,
                        "category": a.category,
                    }
                    for a in (minutes.actions.all() if minutes else [])
                ],
            )
        context["form"] = form
        context["formset"] = formset
    return context


@login_required
def minutes_view(request, meeting_pk):
    meeting = _meeting_for(request, meeting_pk, log_read=request.method != "POST")
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if request.method != "POST":
        return render(
            request, "resourcegroups/minutes.html", _minutes_context(request, meeting, minutes)
        )
    if not may_manage(request.user, meeting):
        raise PermissionDenied(
            _("Only the adviser responsible for the meeting composes the minutes.")
        )
    if minutes is not None and minutes.is_locked:
        context = _minutes_context(request, meeting, minutes)
        context["refused"] = _("The minutes are approved and locked. Add an addendum instead.")
        return render(request, "resourcegroups/minutes.html", context, status=409)
    owners, agencies = _action_choices(meeting)
    form = MinutesForm(request.POST)
    formset = ActionFormSet(request.POST, prefix="actions", owners=owners, agencies=agencies)
    status = 400
    if form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            minutes = services.minutes_compose(
                user=request.user,
                meeting=meeting,
                decisions=data["decisions"],
                summary=data["summary"],
                next_meeting=data["next_meeting"],
                plain_summary=data["plain_summary"],
                actions=formset.actions(),
                version=data.get("version"),
                request=request,
            )
        except ConflictError as exc:
            current = Minutes.objects.filter(meeting=meeting).first()
            form.data = form.data.copy()
            form.data["version"] = current.version if current else ""
            form.add_error(None, exc.messages)
            status = 409
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The minutes are saved."))
            return redirect("resourcegroups:minutes", meeting_pk=meeting.pk)
    if form.is_bound and not formset.is_valid():
        form.add_error(None, _("Check the next steps below."))
    context = _minutes_context(request, meeting, minutes, form=form, formset=formset)
    return render(request, "resourcegroups/minutes.html", context, status=status)


def _minutes_or_message(request, meeting):
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is None:
        messages.error(request, _("No minutes have been written for this meeting yet."))
    return minutes


@login_required
@require_POST
def minutes_submit(request, meeting_pk):
    meeting = _meeting_for(request, meeting_pk, log_read=False)
    if not may_manage(request.user, meeting):
        raise PermissionDenied(_("Only the adviser responsible for the meeting sends the minutes."))
    minutes = _minutes_or_message(request, meeting)
    if minutes is not None:
        try:
            services.minutes_submit(user=request.user, minutes=minutes, request=request)
        except ValidationError as exc:
            messages.error(request, _messages(exc))
        else:
            messages.success(request, _("The minutes are sent to the agencies for approval."))
    return redirect("resourcegroups:minutes", meeting_pk=meeting.pk)


@login_required
@require_POST
def minutes_approve(request, meeting_pk):
    meeting = _meeting_for(request, meeting_pk, log_read=False)
    minutes = _minutes_or_message(request, meeting)
    if minutes is not None:
        try:
            minutes = services.minutes_approve(user=request.user, minutes=minutes, request=request)
        except ValidationError as exc:
            messages.error(request, _messages(exc))
        else:
            if minutes.is_locked:
                messages.success(request, _("All agencies have approved. The minutes are locked."))
            else:
                messages.success(request, _("Your agency's approval is recorded."))
    return redirect("resourcegroups:minutes", meeting_pk=meeting.pk)


@login_required
@require_POST
def minutes_addendum(request, meeting_pk):
    meeting = _meeting_for(request, meeting_pk, log_read=False)
    minutes = _minutes_or_message(request, meeting)
    if minutes is not None:
        form = AddendumForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Write the correction (at most 5000 characters)."))
        else:
            try:
                services.minutes_addendum(
                    user=request.user,
                    minutes=minutes,
                    text=form.cleaned_data["text"],
                    request=request,
                )
            except ValidationError as exc:
                messages.error(request, _messages(exc))
            else:
                messages.success(request, _("The addendum is added."))
    return redirect(reverse("resourcegroups:minutes", args=[meeting.pk]) + "#addenda")


@login_required
@require_GET
def plain_summary(request, meeting_pk):
    """Printable summary for the participant: the shared minutes only, in simple words."""
    meeting = _meeting_for(request, meeting_pk)
    minutes = selectors.minutes_for(
        Minutes.objects.filter(meeting=meeting).first(),
        policy.visible_categories(request.user, meeting.participant),
        own_agency_id=request.user.agency_id,
    )
    return render(
        request,
        "resourcegroups/summary.html",
        {
            "meeting": meeting,
            "participant": meeting.participant,
            "minutes": minutes,
            "actions": minutes.actions if minutes else [],
        },
    )


# --- lists ------------------------------------------------------------------------------------


@login_required
@require_GET
def my_meetings(request):
    meetings = list(selectors.my_meetings(request.user))
    _audit_meeting_list(request, meetings)
    return render(request, "resourcegroups/my_meetings.html", {"meetings": meetings})


@login_required
@require_GET
def due_meetings(request):
    today = timezone.localdate()
    rows = []
    for meeting in selectors.due_meetings(request.user, today=today):
        due = _due(meeting, today)
        days = (due.due_date - today).days if due and due.due_date else None
        rows.append({"meeting": meeting, "due": due, "days": days, "days_abs": abs(days or 0)})
    _audit_meeting_list(request, [row["meeting"] for row in rows])
    return render(request, "resourcegroups/due_meetings.html", {"rows": rows, "today": today})


def _audit_meeting_list(request, meetings) -> None:
    """A list of meetings names their participants: one audit row per participant."""
    if meetings:
        audit.record_reads(
            request=request,
            object_type="meeting",
            object_ids=[m.pk for m in meetings],
            participant_ids={m.pk: m.participant_id for m in meetings},
        )
