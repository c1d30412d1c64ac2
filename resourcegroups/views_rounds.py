"""Round pages: create, choose participants, availability, generate, review, move/swap/lock,
publish. Thin: parse, authorise (one fetch helper, 404 for missing and not yours), call
resourcegroups.services.rounds, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kmv.access import policy
from kmv.access.models import User
from kmv.errors import ConflictError
from kmv.forms import apply_service_errors
from kmv.notify.selectors import invitation_status

from . import scheduler
from .audit_rounds import audit_info_day_read, audit_proposal_read, audit_round_read
from .forms_rounds import (
    InterpreterForm,
    InterpreterWindowForm,
    MoveForm,
    RoomForm,
    RoundForm,
    StaffBlockForm,
    SwapForm,
    UnavailabilityForm,
)
from .models import Interpreter, Meeting, Membership, Round, RoundEntry, RoutineStage
from .selectors import routine_in_force
from .services import rounds as services


def get_round_for(request, pk) -> Round:
    """The round, if the user plans rounds for its agency; otherwise 404."""
    rnd = services.rounds_for(request.user).filter(pk=pk).select_related("owner").first()
    if rnd is None:
        raise Http404
    return rnd


def _require_planner(request) -> None:
    if not services.may_plan(request.user):
        raise PermissionDenied


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@login_required
def round_list(request):
    _require_planner(request)
    rounds = services.rounds_for(request.user).prefetch_related("days").select_related("owner")
    return render(request, "resourcegroups/rounds/list.html", {"rounds": rounds})


@login_required
def round_create(request):
    _require_planner(request)
    routine = routine_in_force(timezone.localdate())
    stages = (
        RoutineStage.objects.filter(routine=routine) if routine else RoutineStage.objects.none()
    )
    form = RoundForm(request.POST or None, user=request.user, stages=stages)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            rnd = services.round_create(
                user=request.user,
                title=d["title"],
                days=form.days(),
                stages=list(d["stages"]),
                rooms=list(d["rooms"]),
                interpreters=list(d["interpreters"]),
                slot_minutes=d["slot_minutes"],
                buffer_minutes=d["buffer_minutes"],
                time_limit_seconds=d["time_limit_seconds"],
                confirm_weekend=d["confirm_weekend"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Round created. Now choose the participants."))
            return redirect("rounds:proposal", pk=rnd.pk)
    return render(request, "resourcegroups/rounds/form.html", {"form": form})


def _grid(rnd: Round, loaded: services.Loaded):
    """Rows per day and slot, a cell per room: the timetable."""
    by_cell = {}
    for e in loaded.entries.values():
        if e.day_id is not None:
            by_cell[(e.day_id, e.slot, e.room_id)] = e
    rooms = list(rnd.rooms.order_by("pk"))
    days = []
    for d in loaded.instance.days:
        rows = []
        for i, start in enumerate(loaded.instance.slots(d.key)):
            rows.append(
                {
                    "slot": i,
                    "time": f"{_hhmm(start)}–{_hhmm(start + rnd.slot_minutes)}",
                    "cells": [by_cell.get((d.key, i, r.pk)) for r in rooms],
                }
            )
        days.append({"day": loaded.days[d.key], "rows": rows})
    return rooms, days


def _slot_choices(rnd: Round, loaded: services.Loaded):
    longest = max((loaded.instance.slots(d.key) for d in loaded.instance.days), key=len, default=[])
    return [(i, f"{i + 1} ({_hhmm(start)})") for i, start in enumerate(longest)]


@login_required
def round_detail(request, pk):
    rnd = get_round_for(request, pk)
    loaded = services.load_instance(rnd)
    rooms, days = _grid(rnd, loaded)
    entries = sorted(loaded.entries.values(), key=lambda e: (e.day_id is not None, e.pk))
    interpreters = {i.pk: i for i in rnd.interpreters.all()}
    for e in entries:
        e.interpreter_obj = interpreters.get(e.interpreter_id)
    metrics = scheduler.evaluate(loaded.instance, services.current_placements(loaded))
    placed = [e for e in entries if e.day_id is not None]
    audit_round_read(request, rnd)
    invitations = []
    if rnd.status != Round.Status.DRAFT and placed:
        meetings = [e.meeting for e in placed]
        visible = set(
            policy.participants_for(request.user)
            .filter(pk__in=[m.participant_id for m in meetings])
            .values_list("pk", flat=True)
        )
        status = invitation_status(meetings, visible_participants=visible)
        invitations = [
            {
                "entry": e,
                "participant_visible": e.meeting.participant_id in visible,
                "rows": status[e.meeting_id],
            }
            for e in sorted(placed, key=lambda e: (e.day.date, e.slot, e.pk))
        ]
    return render(
        request,
        "resourcegroups/rounds/detail.html",
        {
            "invitations": invitations,
            "round": rnd,
            "rooms": rooms,
            "days": days,
            "unplaced": [e for e in entries if e.day_id is None],
            "placed": placed,
            "metrics": metrics,
            "move_form": MoveForm(rnd=rnd, slots=_slot_choices(rnd, loaded)),
            "swap_form": SwapForm(rnd=rnd),
        },
    )


@login_required
def round_progress(request, pk):
    """Polled by static/js/rounds.js while the scheduler runs."""
    rnd = get_round_for(request, pk)
    return JsonResponse(
        {
            "status": rnd.solver_status,
            "label": " – ".join(
                x for x in (str(rnd.get_solver_status_display()), rnd.solver_step_label) if x
            ),
            "step": rnd.solver_step,
            "progress": rnd.solver_progress,
            "objective": rnd.solver_objective,
            "busy": rnd.solver_busy,
            "message": rnd.solver_message,
        }
    )


@login_required
def round_proposal(request, pk):
    rnd = get_round_for(request, pk)
    rows = services.proposal(user=request.user, rnd=rnd)
    if request.method == "POST":
        chosen = {int(x) for x in request.POST.getlist("meeting") if x.isdigit()}
        try:
            added = services.entries_add(
                user=request.user,
                rnd=rnd,
                meetings=[r.meeting for r in rows if r.meeting.pk in chosen],
                request=request,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("%(n)s participants added.") % {"n": added})
            return redirect("rounds:detail", pk=rnd.pk)
    audit_proposal_read(request, rows)
    return render(request, "resourcegroups/rounds/proposal.html", {"round": rnd, "rows": rows})


def _people(rnd: Round):
    """Choices for the availability form: the members of the selected participants'
    groups, the round's interpreters."""
    meetings = Meeting.objects.filter(round_entries__round=rnd)
    staff_ids = (
        Membership.objects.active()
        .filter(group__participant__meetings__in=meetings)
        .values("staff_id")
    )
    staff = User.objects.filter(pk__in=staff_ids).order_by("last_name", "first_name")
    choices = [(f"staff:{u.pk}", f"{u} ({u.get_role_display()})") for u in staff]
    choices += [
        (f"interpreter:{i.pk}", f"{i} ({_('interpreter')})") for i in rnd.interpreters.all()
    ]
    return choices


@login_required
def round_availability(request, pk):
    rnd = get_round_for(request, pk)
    form = UnavailabilityForm(request.POST or None, rnd=rnd, people=_people(rnd))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        kind, key = d["who"].split(":")
        try:
            services.unavailability_add(
                user=request.user,
                rnd=rnd,
                day=d["day"],
                start=d["start"],
                end=d["end"],
                staff=User.objects.get(pk=key) if kind == "staff" else None,
                interpreter=Interpreter.objects.get(pk=key) if kind == "interpreter" else None,
                note=d["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Saved."))
            return redirect("rounds:availability", pk=rnd.pk)
    blocks = rnd.unavailability.select_related("day", "staff", "interpreter", "participant")
    audit_round_read(request, rnd, fields=["unavailability"])
    return render(
        request,
        "resourcegroups/rounds/availability.html",
        {"round": rnd, "form": form, "blocks": blocks},
    )


@login_required
@require_POST
def round_generate(request, pk):
    rnd = get_round_for(request, pk)
    try:
        services.generate_start(user=request.user, rnd=rnd, request=request)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.info(request, _("The scheduler is running. This page updates itself."))
    return redirect("rounds:detail", pk=rnd.pk)


@login_required
@require_POST
def round_publish(request, pk):
    rnd = get_round_for(request, pk)
    try:
        n = services.round_publish(user=request.user, rnd=rnd, request=request)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Published: %(n)s meetings booked and invited.") % {"n": n})
    return redirect("rounds:detail", pk=rnd.pk)


def _entry(rnd: Round, entry_pk) -> RoundEntry:
    entry = rnd.entries.filter(pk=entry_pk).select_related("round").first()
    if entry is None:
        raise Http404
    return entry


@login_required
@require_POST
def entry_move(request, pk, entry):
    rnd = get_round_for(request, pk)
    e = _entry(rnd, entry)
    loaded = services.load_instance(rnd)
    form = MoveForm(request.POST, rnd=rnd, slots=_slot_choices(rnd, loaded))
    if not form.is_valid():
        messages.error(request, _("Choose a day, a time and a room."))
        return redirect("rounds:detail", pk=rnd.pk)
    d = form.cleaned_data
    try:
        services.entry_move(
            user=request.user,
            entry=e,
            day=d["day"],
            slot=d["slot"],
            room=d["room"],
            request=request,
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Moved."))
    return redirect("rounds:detail", pk=rnd.pk)


@login_required
@require_POST
def entries_swap(request, pk):
    rnd = get_round_for(request, pk)
    form = SwapForm(request.POST, rnd=rnd)
    if not form.is_valid():
        messages.error(request, _("Choose two placed meetings."))
        return redirect("rounds:detail", pk=rnd.pk)
    try:
        services.entries_swap(
            user=request.user, a=form.cleaned_data["a"], b=form.cleaned_data["b"], request=request
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Swapped."))
    return redirect("rounds:detail", pk=rnd.pk)


@login_required
@require_POST
def entry_lock(request, pk, entry):
    rnd = get_round_for(request, pk)
    e = _entry(rnd, entry)
    try:
        services.entry_lock(user=request.user, entry=e, locked=request.POST.get("locked") == "1")
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("rounds:detail", pk=rnd.pk)


@login_required
def round_timetable_pdf(request, pk, which):
    """The timetable per room (the sheet for the door) or per staff member, as PDF."""
    from .pdf import PdfRenderError
    from .pdf_rounds import timetable_pdf

    rnd = get_round_for(request, pk)
    if which not in ("rooms", "staff"):
        raise Http404
    try:
        data = timetable_pdf(rnd, which=which, language=request.LANGUAGE_CODE or "nb")
    except PdfRenderError:
        messages.error(request, _("The timetable could not be printed. Try again later."))
        return redirect("rounds:detail", pk=rnd.pk)
    audit_round_read(request, rnd, channel="pdf")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="round-{rnd.pk}-{which}.pdf"'
    return response


# --- joint information day ------------------------------------------------------------------


def _require_organiser(request) -> None:
    if not services.may_organise_info_days(request.user):
        raise PermissionDenied


@login_required
def info_day_list(request):
    from .forms_rounds import InformationDayForm

    _require_organiser(request)
    form = InformationDayForm(request.POST or None, user=request.user)
    routine = routine_in_force(timezone.localdate())
    stage = routine.stages.filter(number=3).first() if routine else None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if stage is None:
            form.add_error(None, _("The routine in force has no meeting 3."))
        else:
            try:
                day = services.info_day_create(
                    user=request.user,
                    title=d["title"],
                    on=d["date"],
                    start=d["start"],
                    end=d["end"],
                    place=d["place"],
                    stage=stage,
                    partners=list(d["partners"]),
                    request=request,
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                return redirect("rounds:info_day", pk=day.pk)
    days = services.info_days_for(request.user).prefetch_related("organisers")
    return render(request, "resourcegroups/rounds/info_days.html", {"form": form, "days": days})


@login_required
def info_day_detail(request, pk):
    _require_organiser(request)
    day = services.info_days_for(request.user).filter(pk=pk).first()
    if day is None:
        raise Http404
    if request.method == "POST":
        try:
            if request.POST.get("action") == "invite":
                chosen = {int(x) for x in request.POST.getlist("meeting") if x.isdigit()}
                cohort = services.info_day_cohort(user=request.user, day=day)
                n = services.info_day_invite(
                    user=request.user,
                    day=day,
                    meetings=[m for m in cohort if m.pk in chosen],
                    request=request,
                )
                messages.success(request, _("%(n)s participants invited.") % {"n": n})
            else:
                attendance = {
                    int(k.removeprefix("a")): v
                    for k, v in request.POST.items()
                    if k.startswith("a") and k[1:].isdigit()
                }
                services.info_day_attendance(user=request.user, day=day, attendance=attendance)
                messages.success(request, _("Attendance saved."))
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("rounds:info_day", pk=day.pk)
    visible = services.policy.participants_for(request.user).values("pk")
    invitations = list(
        day.invitations.filter(participant__in=visible).select_related("participant", "meeting")
    )
    cohort = list(services.info_day_cohort(user=request.user, day=day))
    audit_info_day_read(request, invitations, cohort)
    return render(
        request,
        "resourcegroups/rounds/info_day.html",
        {
            "day": day,
            "invitations": invitations,
            "cohort": cohort,
            "attendance_choices": day.invitations.model.Attendance.choices,
        },
    )


# --- rooms and interpreters -----------------------------------------------------------------


def _require_resources(request) -> None:
    if not services.may_manage_resources(request.user):
        raise PermissionDenied


def _is_sysadmin(user) -> bool:
    return user.role == "system_admin" or user.is_superuser


@login_required
def room_list(request):
    """The rooms the user manages, and a form to add one."""
    _require_resources(request)
    form = RoomForm(
        request.POST or None,
        sysadmin=_is_sysadmin(request.user),
        editing=False,
        initial={"capacity": 8, "accessible": True},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.room_create(
                user=request.user,
                name=d["name"],
                location=d["location"],
                capacity=d["capacity"],
                accessible=d["accessible"],
                agency=d.get("agency"),
                request=request,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Room added."))
            return redirect("rounds:rooms")
    rooms = services.rooms_for(request.user).select_related("agency").order_by("agency", "name")
    return render(request, "resourcegroups/rounds/rooms.html", {"form": form, "rooms": rooms})


def _edit_resource(request, obj, form, update, template_context, back):
    """Shared by room and interpreter editing: optimistic locking (409 keeps the input)."""
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        version = d.pop("version", None)
        try:
            update(version=version, **d)
        except ConflictError as exc:
            form.add_error(None, exc.messages)
            obj.refresh_from_db()
            form.data = form.data.copy()
            form.data["version"] = obj.version
            return render(
                request, "resourcegroups/rounds/resource_form.html", template_context, status=409
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(back)
    return render(request, "resourcegroups/rounds/resource_form.html", template_context)


@login_required
def room_edit(request, room):
    _require_resources(request)
    obj = services.rooms_for(request.user).filter(pk=room).first()
    if obj is None:
        raise Http404
    initial = {f: getattr(obj, f) for f in (*services.ROOM_FIELDS, "version")}
    form = RoomForm(request.POST or None, initial=initial, sysadmin=False, editing=True)

    def update(**d):
        services.room_update(user=request.user, room=obj, request=request, **d)

    context = {"form": form, "object": obj, "heading": _("Edit room"), "back": "rounds:rooms"}
    return _edit_resource(request, obj, form, update, context, "rounds:rooms")


@login_required
def interpreter_list(request):
    _require_resources(request)
    form = InterpreterForm(request.POST or None, editing=False, initial={"authorised": True})
    if request.method == "POST" and form.is_valid():
        try:
            services.interpreter_create(user=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Interpreter added."))
            return redirect("rounds:interpreters")
    interpreters = services.interpreters_for(request.user).select_related("agency")
    labels = dict(services.Language.choices)
    for i in interpreters:
        i.language_labels = [str(labels.get(x, x)) for x in i.languages or []]
    return render(
        request,
        "resourcegroups/rounds/interpreters.html",
        {"form": form, "interpreters": interpreters},
    )


@login_required
def interpreter_edit(request, interpreter):
    _require_resources(request)
    obj = services.interpreters_for(request.user).filter(pk=interpreter).first()
    if obj is None:
        raise Http404
    initial = {f: getattr(obj, f) for f in (*services.INTERPRETER_FIELDS, "version")}
    form = InterpreterForm(request.POST or None, initial=initial, editing=True)

    def update(**d):
        services.interpreter_update(user=request.user, interpreter=obj, request=request, **d)

    context = {
        "form": form,
        "object": obj,
        "heading": _("Edit interpreter"),
        "back": "rounds:interpreters",
    }
    return _edit_resource(request, obj, form, update, context, "rounds:interpreters")


@login_required
def interpreter_windows(request, interpreter):
    """When an interpreter IS available: entered by the interpreter, their service or a
    planner."""
    obj = services.interpreters_with_windows_for(request.user).filter(pk=interpreter).first()
    if obj is None:
        raise Http404
    form = InterpreterWindowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.interpreter_window_add(
                user=request.user,
                interpreter=obj,
                on=d["date"],
                start=d["start"],
                end=d["end"],
                request=request,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc, {"date": "date"})
        else:
            messages.success(request, _("Saved."))
            return redirect("rounds:interpreter_windows", interpreter=obj.pk)
    windows = services.interpreter_windows_for(request.user, obj).order_by("date", "start")
    return render(
        request,
        "resourcegroups/rounds/interpreter_windows.html",
        {"interpreter": obj, "form": form, "windows": windows},
    )


@login_required
@require_POST
def interpreter_window_delete(request, window):
    from .models.rounds import InterpreterWindow

    row = InterpreterWindow.objects.filter(
        pk=window,
        interpreter__in=services.interpreters_with_windows_for(request.user).values("pk"),
    ).first()
    if row is None or not services.interpreter_window_delete(user=request.user, window_id=row.pk):
        raise Http404
    messages.success(request, _("Deleted."))
    return redirect("rounds:interpreter_windows", interpreter=row.interpreter_id)


# --- my availability; an interpreter's own bookings -------------------------------------------


@login_required
def my_availability(request):
    """Each staff member's own unavailable times; every round on the date respects them."""
    form = StaffBlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.staff_block_add(
                user=request.user,
                on=d["date"],
                start=d["start"],
                end=d["end"],
                note=d["note"],
                request=request,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("rounds:my_availability")
    blocks = services.staff_blocks_for(request.user).order_by("date", "start")
    return render(
        request, "resourcegroups/rounds/my_availability.html", {"form": form, "blocks": blocks}
    )


@login_required
@require_POST
def my_availability_delete(request, block):
    if not services.staff_block_delete(user=request.user, block_id=block):
        raise Http404
    messages.success(request, _("Deleted."))
    return redirect("rounds:my_availability")


@login_required
def interpreter_bookings(request):
    """An interpreter's own bookings: date, time, place, language. Nothing about whom."""
    if request.user.role != "interpreter":
        raise PermissionDenied
    profiles = services.interpreters_with_windows_for(request.user).filter(user=request.user)
    return render(
        request,
        "resourcegroups/rounds/interpreter_bookings.html",
        {
            "bookings": services.interpreter_bookings(request.user),
            "profiles": list(profiles),
        },
    )
