"""Routine versions (rutinebeskrivelse): drafts, edits, activation.

Only network coordinators write. A version that has been active is never edited again:
meetings keep the version they were planned under, so a change is a new draft
(`routine_draft_copy`) that is activated from a date.

Why no periodic task retires the old version when a future-dated one takes over:
`selectors.routine_in_force(on)` picks the active version with the latest effective date on
or before `on`, so the switch happens by date with nothing to run. The old version just keeps
the label "active" until then; the next activation tidies such superseded versions
(`_retire_superseded`), and the pages show which version is in force by date.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kmv.access import audit
from kmv.access.models import Role, User
from participants.facts import FACTS
from resourcegroups.models import AnswerType, ChecklistItem, Routine, RoutineStage

OFFSET_LIMIT = 60  # months either side of the anchor milestone

ROUTINE_FIELDS = ("name", "window_before_days", "window_after_days", "change_summary")
STAGE_FIELDS = (
    "number",
    "kind",
    "name",
    "name_en",
    "anchor",
    "offset_months",
    "pathways",
    "invited_roles",
    "responsible_role",
    "book_interpreter",
    "book_room",
    "duration_minutes",
)
ITEM_FIELDS = (
    "text",
    "text_en",
    "owner_role",
    "answer_type",
    "choices",
    "profile_fact",
    "category",
)


# --- who may ---------------------------------------------------------------------------------


def may_write_routines(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.role == Role.NETWORK_COORDINATOR
    )


def may_read_routines(user) -> bool:
    """The routine is the agreed way of working, not personal data: all staff may read it."""
    return bool(getattr(user, "is_authenticated", False))


def _require_writer(user: User) -> None:
    if not may_write_routines(user):
        raise PermissionDenied(_("Only network coordinators can change the routine."))


def activation_allowed(routine: Routine) -> tuple[bool, str]:
    """Whether the parties have agreed to this version.

    Asked of the network (a service call, never its models): with no collaboration agreement
    in the app a coordinator activates directly; otherwise every party must have approved the
    change, and `routine_activate` refuses with the network's reason until then.
    """
    from network.services import routine_activation_status

    return routine_activation_status(routine_id=routine.pk)


# --- helpers ---------------------------------------------------------------------------------


def _check_fields(fields: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")


def _lock_draft(routine_id: int) -> Routine:
    routine = Routine.objects.select_for_update().get(pk=routine_id)
    if routine.status != Routine.Status.DRAFT:
        raise ValidationError(
            _(
                "Version %(version)s is %(status)s and cannot be changed. "
                "Start a new draft from it instead."
            )
            % {"version": routine.version, "status": routine.get_status_display().lower()},
            code="immutable",
        )
    return routine


def _record(action, *, user, request, obj, fields=()) -> None:
    audit.record(action=action, request=request, user=user, obj=obj, fields=list(fields))


def _validate_stage(stage: RoutineStage) -> None:
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if not (stage.name or "").strip():
        add("name", _("A stage needs a name."))
    if stage.kind == RoutineStage.Kind.MILESTONE and not stage.anchor:
        add("anchor", _("A milestone meeting needs the milestone it is planned from."))
    if not -OFFSET_LIMIT <= (stage.offset_months or 0) <= OFFSET_LIMIT:
        add(
            "offset_months",
            _("The offset must be between %(low)s and %(high)s months.")
            % {"low": -OFFSET_LIMIT, "high": OFFSET_LIMIT},
        )
    elif stage.kind == RoutineStage.Kind.HALF_YEARLY and (stage.offset_months or 0) < 1:
        add("offset_months", _("A repeated meeting needs a positive interval in months."))
    roles = stage.invited_roles
    if not isinstance(roles, list):
        add("invited_roles", _("Invited roles must be a list."))
    else:
        unknown = sorted(set(map(str, roles)) - set(Role.values))
        if unknown:
            add("invited_roles", _("Unknown roles: %(r)s") % {"r": ", ".join(unknown)})
    if stage.responsible_role not in Role.values:
        add("responsible_role", _("Choose the role responsible for calling the meeting."))
    clash = (
        RoutineStage.objects.filter(routine_id=stage.routine_id, number=stage.number)
        .exclude(pk=stage.pk)
        .exists()
    )
    if clash:
        add(
            "number",
            _("Another stage in this version already has number %(n)s.") % {"n": stage.number},
        )
    if errors:
        raise ValidationError(errors)
    # the model's own field checks (lengths, choices) on top
    stage.full_clean(exclude=["routine"], validate_constraints=False)


def _validate_item(item: ChecklistItem) -> None:
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if not (item.text or "").strip():
        add("text", _("A checklist item needs a text."))
    if item.owner_role not in Role.values:
        add("owner_role", _("Choose the role that fills in this item."))
    if item.answer_type not in AnswerType.values:
        add("answer_type", _("Choose an answer type."))
    if item.profile_fact and item.profile_fact not in FACTS:
        add("profile_fact", _("Unknown profile fact."))
    if item.answer_type == AnswerType.CHOICE:
        choices = item.choices or []
        if len(choices) < 2:
            add("choices", _("A choice question needs at least two choices."))
        else:
            values = [str(c.get("value", "")).strip() for c in choices]
            if any(not v for v in values) or any(not str(c.get("nb", "")).strip() for c in choices):
                add("choices", _("Every choice needs a value and a Norwegian text."))
            elif len(set(values)) != len(values):
                add("choices", _("Two choices have the same value."))
    else:
        item.choices = []
    if errors:
        raise ValidationError(errors)
    item.full_clean(exclude=["stage", "order"], validate_constraints=False)


def _renumber(stage: RoutineStage, ordered_ids: list[int]) -> None:
    """Give the items orders 1..n in the given order. Two passes: (stage, order) is unique."""
    items = {i.pk: i for i in stage.items.all()}
    top = max((i.order for i in items.values()), default=0)
    for n, pk in enumerate(ordered_ids, 1):
        ChecklistItem.objects.filter(pk=pk).update(order=top + n)
    for n, pk in enumerate(ordered_ids, 1):
        ChecklistItem.objects.filter(pk=pk).update(order=n)


def _position(ids: list[int], pk: int, order: int | None) -> list[int]:
    ids = [i for i in ids if i != pk]
    index = len(ids) if order is None else max(0, min(len(ids), int(order) - 1))
    ids.insert(index, pk)
    return ids


# --- routine ---------------------------------------------------------------------------------


@transaction.atomic
def routine_draft_copy(*, user: User, routine: Routine, request=None) -> Routine:
    """A new draft with every stage and checklist item of `routine`, numbered max + 1."""
    _require_writer(user)
    source = Routine.objects.get(pk=routine.pk)
    # lock the series so two coordinators do not both take the same version number
    list(Routine.objects.select_for_update().filter(name=source.name).values_list("pk"))
    top = Routine.objects.filter(name=source.name).aggregate(m=Max("version"))["m"] or 0
    draft = Routine.objects.create(
        name=source.name,
        version=top + 1,
        status=Routine.Status.DRAFT,
        window_before_days=source.window_before_days,
        window_after_days=source.window_after_days,
        based_on=source,
        change_summary="",
        created_by=user,
    )
    for stage in source.stages.prefetch_related("items"):
        items = list(stage.items.all())
        stage.pk = None
        stage._state.adding = True
        stage.routine = draft
        stage.invited_roles = list(stage.invited_roles or [])
        stage.save()
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                stage=stage,
                order=i.order,
                text=i.text,
                text_en=i.text_en,
                owner_role=i.owner_role,
                answer_type=i.answer_type,
                choices=[dict(c) for c in (i.choices or [])],
                profile_fact=i.profile_fact,
                category=i.category,
            )
            for i in items
        )
    _record(audit.Action.CREATE, user=user, request=request, obj=draft, fields=["based_on"])
    return draft


@transaction.atomic
def routine_update(*, user: User, routine: Routine, request=None, **fields) -> Routine:
    _require_writer(user)
    _check_fields(fields, ROUTINE_FIELDS)
    current = _lock_draft(routine.pk)
    changed = [n for n, v in fields.items() if getattr(current, n) != v]
    for name in changed:
        setattr(current, name, fields[name])
    if not (current.name or "").strip():
        raise ValidationError({"name": _("The routine needs a name.")})
    if "name" in changed and current.based_on_id and current.based_on.name != current.name:
        # versions of one routine share its name: a renamed draft would not retire its
        # predecessor when activated
        raise ValidationError(
            {"name": _("A new version keeps the routine's name. Start a new routine instead.")}
        )
    if (
        "name" in changed
        and Routine.objects.filter(name=current.name, version=current.version)
        .exclude(pk=current.pk)
        .exists()
    ):
        raise ValidationError(
            {
                "name": _("A routine with this name already has a version %(v)s.")
                % {"v": current.version}
            }
        )
    current.full_clean()
    if changed:
        current.save(update_fields=changed)
        _record(audit.Action.UPDATE, user=user, request=request, obj=current, fields=changed)
    return current


@transaction.atomic
def routine_activate(
    *,
    user: User,
    routine: Routine,
    effective_from: date | None,
    request=None,
    today: date | None = None,
) -> Routine:
    """Put a draft in force from `effective_from`.

    The earlier active version of the same routine is retired now if the new one is already
    in force (date ≤ today); if the date is in the future both stay active and
    `routine_in_force(on)` chooses by date.
    """
    _require_writer(user)
    today = today or timezone.localdate()
    current = _lock_draft(routine.pk)
    if effective_from is None:
        raise ValidationError({"effective_from": _("Choose the date the version applies from.")})
    if effective_from < today:
        raise ValidationError(
            {"effective_from": _("A new version cannot apply from a date in the past.")}
        )
    ok, reason = activation_allowed(current)
    if not ok:
        raise ValidationError(reason, code="not_agreed")
    stages = list(current.stages.prefetch_related("items"))
    if not stages:
        raise ValidationError(_("A routine needs at least one stage before it can be activated."))
    for stage in stages:
        for item in stage.items.all():
            if item.answer_type == AnswerType.CHOICE and len(item.choices or []) < 2:
                raise ValidationError(
                    _("Stage %(n)s has a choice question with fewer than two choices.")
                    % {"n": stage.number}
                )
    siblings = list(
        Routine.objects.select_for_update()
        .filter(name=current.name, status=Routine.Status.ACTIVE)
        .exclude(pk=current.pk)
    )
    later = [r for r in siblings if r.effective_from > effective_from]
    if later:
        raise ValidationError(
            {
                "effective_from": _(
                    "Version %(v)s is already scheduled from %(d)s. Choose that date or later."
                )
                % {"v": later[0].version, "d": later[0].effective_from.strftime("%d.%m.%Y")}
            }
        )
    current.status = Routine.Status.ACTIVE
    current.effective_from = effective_from
    current.activated_by = user
    current.activated_at = timezone.now()
    current.full_clean()
    current.save(update_fields=["status", "effective_from", "activated_by", "activated_at"])
    _record(
        audit.Action.UPDATE,
        user=user,
        request=request,
        obj=current,
        fields=["status", "effective_from"],
    )
    _retire_superseded(current.name, today=today, user=user, request=request)
    return current


def _retire_superseded(name: str, *, today: date, user: User, request=None) -> list[Routine]:
    """Retire active versions that can never be in force again: older than the one in force
    today, or sharing their effective date with a higher version."""
    active = list(
        Routine.objects.select_for_update()
        .filter(name=name, status=Routine.Status.ACTIVE)
        .order_by("-effective_from", "-version")
    )
    in_force = next((r for r in active if r.effective_from <= today), None)
    retired = []
    for r in active:
        if r is in_force:
            continue
        superseded = in_force is not None and (r.effective_from, r.version) < (
            in_force.effective_from,
            in_force.version,
        )
        shadowed = any(
            o.effective_from == r.effective_from and o.version > r.version for o in active
        )
        if superseded or shadowed:
            r.status = Routine.Status.RETIRED
            r.save(update_fields=["status"])
            _record(audit.Action.UPDATE, user=user, request=request, obj=r, fields=["status"])
            retired.append(r)
    return retired


# --- stages ----------------------------------------------------------------------------------


@transaction.atomic
def stage_add(*, user: User, routine: Routine, request=None, **fields) -> RoutineStage:
    _require_writer(user)
    _check_fields(fields, STAGE_FIELDS)
    current = _lock_draft(routine.pk)
    if fields.get("number") is None:
        top = current.stages.aggregate(m=Max("number"))["m"] or 0
        fields["number"] = top + 1
    stage = RoutineStage(routine=current, **fields)
    _validate_stage(stage)
    stage.save()
    _record(audit.Action.CREATE, user=user, request=request, obj=stage, fields=list(fields))
    return stage


@transaction.atomic
def stage_update(*, user: User, stage: RoutineStage, request=None, **fields) -> RoutineStage:
    _require_writer(user)
    _check_fields(fields, STAGE_FIELDS)
    _lock_draft(stage.routine_id)
    current = RoutineStage.objects.get(pk=stage.pk)
    changed = [n for n, v in fields.items() if getattr(current, n) != v]
    for name in changed:
        setattr(current, name, fields[name])
    _validate_stage(current)
    if changed:
        current.save(update_fields=changed)
        _record(audit.Action.UPDATE, user=user, request=request, obj=current, fields=changed)
    return current


@transaction.atomic
def stage_delete(*, user: User, stage: RoutineStage, request=None) -> None:
    _require_writer(user)
    _lock_draft(stage.routine_id)
    current = RoutineStage.objects.get(pk=stage.pk)
    _record(audit.Action.DELETE, user=user, request=request, obj=current)
    current.delete()  # a draft is never in force, so no meeting points at its stages


# --- checklist items -------------------------------------------------------------------------


@transaction.atomic
def item_add(
    *, user: User, stage: RoutineStage, order: int | None = None, request=None, **fields
) -> ChecklistItem:
    """Add a checklist item at position `order` (1 = first; default last)."""
    _require_writer(user)
    _check_fields(fields, ITEM_FIELDS)
    _lock_draft(stage.routine_id)
    current = RoutineStage.objects.get(pk=stage.pk)
    ids = list(current.items.values_list("pk", flat=True))
    fields.setdefault("choices", [])
    item = ChecklistItem(stage=current, order=len(ids) + 1000, **fields)
    _validate_item(item)
    item.save()
    _renumber(current, _position(ids, item.pk, order))
    item.refresh_from_db()
    _record(audit.Action.CREATE, user=user, request=request, obj=item, fields=list(fields))
    return item


@transaction.atomic
def item_update(
    *, user: User, item: ChecklistItem, order: int | None = None, request=None, **fields
) -> ChecklistItem:
    """Change an item; `order` moves it to that position and renumbers the rest."""
    _require_writer(user)
    _check_fields(fields, ITEM_FIELDS)
    _lock_draft(item.stage.routine_id)
    current = ChecklistItem.objects.select_related("stage").get(pk=item.pk)
    changed = [n for n, v in fields.items() if getattr(current, n) != v]
    for name in changed:
        setattr(current, name, fields[name])
    before_choices = list(current.choices)
    _validate_item(current)
    if current.choices != before_choices and "choices" not in changed:
        changed.append("choices")
    if changed:
        current.save(update_fields=changed)
    if order is not None and int(order) != current.order:
        ids = list(current.stage.items.values_list("pk", flat=True))
        _renumber(current.stage, _position(ids, current.pk, order))
        changed.append("order")
        current.refresh_from_db()
    if changed:
        _record(audit.Action.UPDATE, user=user, request=request, obj=current, fields=changed)
    return current


@transaction.atomic
def item_delete(*, user: User, item: ChecklistItem, request=None) -> None:
    _require_writer(user)
    _lock_draft(item.stage.routine_id)
    current = ChecklistItem.objects.select_related("stage").get(pk=item.pk)
    stage = current.stage
    _record(audit.Action.DELETE, user=user, request=request, obj=current)
    current.delete()
    _renumber(stage, list(stage.items.values_list("pk", flat=True)))


@transaction.atomic
def item_reorder(
    *, user: User, stage: RoutineStage, item_ids: list[int], request=None
) -> list[ChecklistItem]:
    """Put the stage's items in exactly this order (every item once)."""
    _require_writer(user)
    _lock_draft(stage.routine_id)
    current = RoutineStage.objects.get(pk=stage.pk)
    existing = list(current.items.values_list("pk", flat=True))
    ids = [int(i) for i in item_ids]
    if sorted(ids) != sorted(existing):
        raise ValidationError(_("The new order must list every item of the stage once."))
    if ids != existing:
        _renumber(current, ids)
        _record(audit.Action.UPDATE, user=user, request=request, obj=current, fields=["items"])
    return list(current.items.all())
