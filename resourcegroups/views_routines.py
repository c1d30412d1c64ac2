"""Routine pages: every staff member reads the routine; network coordinators draft, edit and
activate versions. Thin: parse, authorise, call resourcegroups.services.routines, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kmv.access.models import Role
from kmv.forms import apply_service_errors

from .forms_routines import ActivateForm, ItemForm, RoutineForm, StageForm
from .models import ChecklistItem, Routine, RoutineStage
from .selectors import routine_in_force
from .services import routines as services

ROLE_LABELS = dict(Role.choices)


def routine_url(routine: Routine) -> str:
    return reverse("routines:detail", args=[routine.pk])


def _require_reader(request) -> None:
    if not services.may_read_routines(request.user):
        raise PermissionDenied


def _require_writer(request) -> None:
    if not services.may_write_routines(request.user):
        raise PermissionDenied


def _not_a_draft(request, routine: Routine):
    messages.error(
        request,
        _("Only a draft can be changed. Start a new draft from this version instead."),
    )
    return redirect("routines:detail", pk=routine.pk)


def routine_state(routine: Routine, in_force: Routine | None, today) -> tuple[str, str]:
    """(key, label) for where a version stands today, by date rather than by stored status."""
    if routine.status == Routine.Status.DRAFT:
        return "draft", _("Draft")
    if routine.status == Routine.Status.RETIRED:
        return "retired", _("Retired")
    if in_force is not None and routine.pk == in_force.pk:
        return "in_force", _("In force")
    if routine.effective_from and routine.effective_from > today:
        return "scheduled", _("Scheduled")
    return "superseded", _("Superseded")


@login_required
def routine_list(request):
    _require_reader(request)
    today = timezone.localdate()
    in_force = routine_in_force(today)
    # 1 query: the versions with their stage counts
    routines = list(
        Routine.objects.select_related("based_on")
        .annotate(stage_count=Count("stages"))
        .order_by("name", "-version")
    )
    for r in routines:
        r.state, r.state_label = routine_state(r, in_force, today)
    return render(
        request,
        "resourcegroups/routines/list.html",
        {
            "routines": routines,
            "in_force": in_force,
            "today": today,
            "may_write": services.may_write_routines(request.user),
        },
    )


@login_required
def routine_detail(request, pk):
    _require_reader(request)
    routine = get_object_or_404(Routine.objects.select_related("based_on", "activated_by"), pk=pk)
    today = timezone.localdate()
    stages = list(
        routine.stages.prefetch_related(
            Prefetch("items", queryset=ChecklistItem.objects.order_by("order"))
        )
    )
    for stage in stages:
        stage.invited_labels = [ROLE_LABELS.get(r, r) for r in stage.invited_roles]
        stage.offset_abs = abs(stage.offset_months)
    state, state_label = routine_state(routine, routine_in_force(today), today)
    may_write = services.may_write_routines(request.user)
    return render(
        request,
        "resourcegroups/routines/detail.html",
        {
            "routine": routine,
            "stages": stages,
            "state": state,
            "state_label": state_label,
            "may_write": may_write,
            "may_edit": may_write and routine.status == Routine.Status.DRAFT,
        },
    )


@login_required
def routine_draft_copy(request, pk):
    _require_writer(request)
    routine = get_object_or_404(Routine, pk=pk)
    if request.method == "POST":
        draft = services.routine_draft_copy(user=request.user, routine=routine, request=request)
        messages.success(
            request,
            _("Draft version %(v)s is created. Edit it and activate it when the parties agree.")
            % {"v": draft.version},
        )
        return redirect("routines:edit", pk=draft.pk)
    return render(request, "resourcegroups/routines/draft_confirm.html", {"routine": routine})


@login_required
def routine_edit(request, pk):
    _require_writer(request)
    routine = get_object_or_404(Routine, pk=pk)
    if routine.status != Routine.Status.DRAFT:
        return _not_a_draft(request, routine)
    form = RoutineForm.for_routine(routine, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.routine_update(
                user=request.user, routine=routine, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("routines:detail", pk=routine.pk)
    return render(
        request, "resourcegroups/routines/routine_form.html", {"form": form, "routine": routine}
    )


@login_required
def routine_activate(request, pk):
    _require_writer(request)
    routine = get_object_or_404(Routine, pk=pk)
    if routine.status != Routine.Status.DRAFT:
        return _not_a_draft(request, routine)
    allowed, reason = services.activation_allowed(routine)
    form = ActivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.routine_activate(
                user=request.user,
                routine=routine,
                effective_from=form.cleaned_data["effective_from"],
                request=request,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The version is activated."))
            return redirect("routines:detail", pk=routine.pk)
    return render(
        request,
        "resourcegroups/routines/activate.html",
        {
            "form": form,
            "routine": routine,
            "allowed": allowed,
            "reason": reason,
            "in_force": routine_in_force(timezone.localdate()),
        },
    )


# --- stages ----------------------------------------------------------------------------------


@login_required
def stage_add(request, pk):
    _require_writer(request)
    routine = get_object_or_404(Routine, pk=pk)
    if routine.status != Routine.Status.DRAFT:
        return _not_a_draft(request, routine)
    form = StageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            stage = services.stage_add(
                user=request.user, routine=routine, request=request, **form.service_data()
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The stage is added."))
            return redirect(f"{routine_url(routine)}#stage-{stage.pk}")
    return render(
        request, "resourcegroups/routines/stage_form.html", {"form": form, "routine": routine}
    )


@login_required
def stage_edit(request, pk):
    _require_writer(request)
    stage = get_object_or_404(RoutineStage.objects.select_related("routine"), pk=pk)
    if stage.routine.status != Routine.Status.DRAFT:
        return _not_a_draft(request, stage.routine)
    form = StageForm.for_stage(stage, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.stage_update(
                user=request.user, stage=stage, request=request, **form.service_data()
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The stage is saved."))
            return redirect(f"{routine_url(stage.routine)}#stage-{stage.pk}")
    return render(
        request,
        "resourcegroups/routines/stage_form.html",
        {"form": form, "routine": stage.routine, "stage": stage},
    )


@login_required
def stage_delete(request, pk):
    _require_writer(request)
    stage = get_object_or_404(RoutineStage.objects.select_related("routine"), pk=pk)
    routine = stage.routine
    if routine.status != Routine.Status.DRAFT:
        return _not_a_draft(request, routine)
    if request.method == "POST":
        services.stage_delete(user=request.user, stage=stage, request=request)
        messages.success(request, _("The stage is deleted."))
        return redirect("routines:detail", pk=routine.pk)
    return render(
        request,
        "resourcegroups/routines/confirm_delete.html",
        {"routine": routine, "what": stage, "kind": _("stage")},
    )


# --- checklist items -------------------------------------------------------------------------


@login_required
def item_add(request, pk):
    _require_writer(request)
    stage = get_object_or_404(RoutineStage.objects.select_related("routine"), pk=pk)
    if stage.routine.status != Routine.Status.DRAFT:
        return _not_a_draft(request, stage.routine)
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_add(
                user=request.user, stage=stage, request=request, **form.service_data()
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The checklist item is added."))
            return redirect(f"{routine_url(stage.routine)}#stage-{stage.pk}")
    return render(
        request,
        "resourcegroups/routines/item_form.html",
        {"form": form, "routine": stage.routine, "stage": stage},
    )


@login_required
def item_edit(request, pk):
    _require_writer(request)
    item = get_object_or_404(ChecklistItem.objects.select_related("stage__routine"), pk=pk)
    stage = item.stage
    if stage.routine.status != Routine.Status.DRAFT:
        return _not_a_draft(request, stage.routine)
    form = ItemForm.for_item(item, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(
                user=request.user, item=item, request=request, **form.service_data()
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The checklist item is saved."))
            return redirect(f"{routine_url(stage.routine)}#stage-{stage.pk}")
    return render(
        request,
        "resourcegroups/routines/item_form.html",
        {"form": form, "routine": stage.routine, "stage": stage, "item": item},
    )


@login_required
def item_delete(request, pk):
    _require_writer(request)
    item = get_object_or_404(ChecklistItem.objects.select_related("stage__routine"), pk=pk)
    routine = item.stage.routine
    if routine.status != Routine.Status.DRAFT:
        return _not_a_draft(request, routine)
    if request.method == "POST":
        services.item_delete(user=request.user, item=item, request=request)
        messages.success(request, _("The checklist item is deleted."))
        return redirect(f"{routine_url(routine)}#stage-{item.stage_id}")
    return render(
        request,
        "resourcegroups/routines/confirm_delete.html",
        {"routine": routine, "what": item, "kind": _("checklist item")},
    )


@login_required
@require_POST
def item_move(request, pk):
    """Move an item one place up or down (buttons on the detail page; no JavaScript)."""
    _require_writer(request)
    item = get_object_or_404(ChecklistItem.objects.select_related("stage__routine"), pk=pk)
    stage = item.stage
    if stage.routine.status != Routine.Status.DRAFT:
        return _not_a_draft(request, stage.routine)
    ids = list(stage.items.order_by("order").values_list("pk", flat=True))
    i = ids.index(item.pk)
    j = i - 1 if request.POST.get("direction") == "up" else i + 1
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
        services.item_reorder(user=request.user, stage=stage, item_ids=ids, request=request)
    return redirect(f"{routine_url(stage.routine)}#item-{item.pk}")
