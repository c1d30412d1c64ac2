"""Forms for editing routine drafts. They parse input; the services in
resourcegroups.services.routines decide what is valid."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kmv.access.models import Role
from kmv.forms import DateInput
from participants.facts import FACTS

from .models import ChecklistItem, Routine, RoutineStage


def _model_field(model, name, **kwargs):
    return model._meta.get_field(name).formfield(**kwargs)


class RoutineForm(forms.Form):
    name = _model_field(Routine, "name")
    window_before_days = _model_field(Routine, "window_before_days", max_value=365)
    window_after_days = _model_field(Routine, "window_after_days", max_value=365)
    change_summary = _model_field(
        Routine,
        "change_summary",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What is different from the version this draft is based on, and why."),
    )

    service_fields = ("name", "window_before_days", "window_after_days", "change_summary")

    @classmethod
    def for_routine(cls, routine: Routine, data=None):
        return cls(data, initial={n: getattr(routine, n) for n in cls.service_fields})


class ActivateForm(forms.Form):
    effective_from = forms.DateField(
        label=_("Applies from"),
        widget=DateInput(),
        help_text=_(
            "Meetings planned from this date follow the new version. "
            "Meetings already planned keep the version they were planned under."
        ),
    )


class StageForm(forms.Form):
    number = _model_field(
        RoutineStage,
        "number",
        help_text=_("Stages are shown in this order. Milestone meetings use 1–4."),
    )
    kind = _model_field(RoutineStage, "kind")
    name = _model_field(RoutineStage, "name")
    name_en = _model_field(RoutineStage, "name_en")
    anchor = _model_field(
        RoutineStage,
        "anchor",
        help_text=_("The participant's milestone a milestone meeting is planned from."),
    )
    offset_months = _model_field(
        RoutineStage,
        "offset_months",
        help_text=_(
            "Months after (positive) or before (negative) the milestone, between −60 and 60. "
            "For a half-yearly meeting: the interval in months."
        ),
    )
    pathways = _model_field(RoutineStage, "pathways")
    invited_roles = forms.MultipleChoiceField(
        label=_("Invited roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    responsible_role = _model_field(
        RoutineStage, "responsible_role", help_text=_("Invites, books the room and interpreter.")
    )
    book_interpreter = _model_field(RoutineStage, "book_interpreter")
    book_room = _model_field(RoutineStage, "book_room")
    duration_minutes = _model_field(RoutineStage, "duration_minutes", max_value=600)

    sections = [
        (_("Stage"), ["number", "kind", "name", "name_en"]),
        (_("When"), ["anchor", "offset_months", "pathways"]),
        (
            _("Who and what to book"),
            [
                "invited_roles",
                "responsible_role",
                "book_interpreter",
                "book_room",
                "duration_minutes",
            ],
        ),
    ]

    @classmethod
    def for_stage(cls, stage: RoutineStage, data=None):
        return cls(data, initial={n: getattr(stage, n) for n in cls.base_fields})

    def grouped_fields(self):
        return [(title, [self[name] for name in names]) for title, names in self.sections]

    def clean_anchor(self):
        return self.cleaned_data.get("anchor") or ""

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


def parse_choices(text: str) -> list[dict]:
    """One choice a line: `value|Norsk tekst|English text` (the English text may be left out)."""
    choices, errors = [], []
    for n, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
            errors.append(_("Line %(n)s: write value|Norwegian text|English text.") % {"n": n})
            continue
        choices.append(
            {"value": parts[0], "nb": parts[1], "en": parts[2] if len(parts) == 3 else ""}
        )
    if errors:
        raise ValidationError(errors)
    return choices


def format_choices(choices: list[dict]) -> str:
    return "\n".join(
        "|".join([c.get("value", ""), c.get("nb", ""), c.get("en", "")]).rstrip("|")
        for c in choices or []
    )


class ItemForm(forms.Form):
    order = forms.IntegerField(
        label=_("Position"),
        min_value=1,
        required=False,
        help_text=_("1 is first. Leave empty to put the item last."),
    )
    text = _model_field(ChecklistItem, "text", widget=forms.Textarea(attrs={"rows": 2}))
    text_en = _model_field(ChecklistItem, "text_en", widget=forms.Textarea(attrs={"rows": 2}))
    owner_role = _model_field(ChecklistItem, "owner_role")
    answer_type = _model_field(ChecklistItem, "answer_type")
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Only for the answer type “Choice”: at least two lines, each "
            "value|Norsk tekst|English text, e.g. as_planned|Som planlagt|As planned."
        ),
    )
    profile_fact = forms.ChoiceField(
        label=_("Updates profile fact"),
        required=False,
        choices=[("", _("None"))] + [(k, f.label) for k, f in FACTS.items()],
    )
    category = _model_field(
        ChecklistItem,
        "category",
        required=False,
        help_text=_(
            "Only agencies with consent for this category see the answer. An item that "
            "updates a profile fact takes the fact's category."
        ),
    )

    @classmethod
    def for_item(cls, item: ChecklistItem, data=None):
        initial = {n: getattr(item, n) for n in ("order", "text", "text_en", "owner_role")}
        initial |= {
            "answer_type": item.answer_type,
            "choices": format_choices(item.choices),
            "profile_fact": item.profile_fact,
            "category": item.category,
        }
        return cls(data, initial=initial)

    def clean_choices(self):
        return parse_choices(self.cleaned_data.get("choices", ""))

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["profile_fact"] = data.get("profile_fact") or ""
        if not data.get("category"):
            data.pop("category", None)  # keep the item's category
        return data
