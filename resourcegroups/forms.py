"""Forms for the meeting pages. They parse input only; the services decide and validate."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kmv.forms import DateInput
from participants.models import DataCategory

from .models import AnswerType, Attendance, ChecklistItem, Meeting
from .services.minutes import TEXT_MAX_CHARS


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class ConcernForm(forms.Form):
    concern_reason = forms.CharField(
        label=_("What is the concern about the participant's progress?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class BookingForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DateInput())
    start = forms.TimeField(label=_("Start time"), widget=TimeInput())
    end = forms.TimeField(label=_("End time"), widget=TimeInput())
    place = forms.CharField(label=_("Place / room"), max_length=200)
    interpreter_booked = forms.CharField(
        label=_("Booked interpreter"),
        max_length=200,
        required=False,
        help_text=_("Name or booking reference of the authorised interpreter."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = meeting.version
            self.initial["place"] = meeting.place
            self.initial["interpreter_booked"] = meeting.interpreter_booked
            if meeting.planned_start:
                start = timezone.localtime(meeting.planned_start)
                self.initial["day"] = start.date()
                self.initial["start"] = start.time()
            elif meeting.due_date:
                self.initial["day"] = meeting.due_date
            if meeting.planned_end:
                self.initial["end"] = timezone.localtime(meeting.planned_end).time()
        if not meeting.interpreter_needed:
            del self.fields["interpreter_booked"]

    def clean(self):
        data = super().clean()
        day, start, end = data.get("day"), data.get("start"), data.get("end")
        if day and start and end:
            data["start_at"] = timezone.make_aware(datetime.combine(day, start))
            data["end_at"] = timezone.make_aware(datetime.combine(day, end))
            if data["end_at"] <= data["start_at"]:
                self.add_error("end", _("The meeting must end after it starts."))
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Meeting.Status.choices)


class AttendanceForm(forms.Form):
    """One select per invitee: name `attendance-<invitee id>`."""

    def __init__(self, *args, invitees, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitees = list(invitees)
        for invitee in self.invitees:
            self.fields[f"attendance-{invitee.pk}"] = forms.ChoiceField(
                label=_("Attendance for %(name)s") % {"name": invitee.staff},
                choices=Attendance.choices,
                required=False,
                initial=invitee.attendance,
            )

    def rows(self):
        return [(invitee, self[f"attendance-{invitee.pk}"]) for invitee in self.invitees]

    def attendance(self) -> dict[int, str]:
        return {i.pk: self.cleaned_data.get(f"attendance-{i.pk}") or "" for i in self.invitees}


YES_NO_CHOICES = [("yes", _("Yes")), ("no", _("No")), ("na", _("Not relevant"))]


class ChecklistAnswerForm(forms.Form):
    """The answer control for one checklist item, shaped by its answer type. Prefixed per item
    so every item's fields have their own ids on the meeting page."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, item: ChecklistItem, answer=None, **kwargs):
        kwargs.setdefault("prefix", f"item-{item.pk}")
        super().__init__(*args, **kwargs)
        self.item = item
        value = (answer.value if answer else {}) or {}
        label = str(item)
        comment = forms.CharField(
            label=_("Comment"),
            required=False,
            max_length=1000,
            widget=forms.Textarea(attrs={"rows": 2}),
        )
        if item.answer_type == AnswerType.YES_NO:
            self.fields["answer"] = forms.ChoiceField(
                label=label, choices=YES_NO_CHOICES, required=False, widget=forms.RadioSelect
            )
            self.fields["comment"] = comment
        elif item.answer_type == AnswerType.DATE:
            self.fields["date"] = forms.DateField(label=label, required=False, widget=DateInput())
            self.fields["comment"] = comment
        elif item.answer_type == AnswerType.CHOICE:
            lang = "en" if (get_language() or "nb").startswith("en") else "nb"
            self.fields["answer"] = forms.ChoiceField(
                label=label,
                required=False,
                choices=[("", _("– not answered –"))]
                + [(c["value"], c.get(lang) or c["nb"]) for c in item.choices],
            )
            self.fields["comment"] = comment
        else:
            self.fields["text"] = forms.CharField(
                label=label,
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        if not self.is_bound:
            self.initial.update({k: v for k, v in value.items() if k in self.fields})
            self.initial["version"] = answer.version if answer else 0

    @property
    def main_field(self):
        for name in ("answer", "date", "text"):
            if name in self.fields:
                return self[name]
        return None

    @property
    def is_radio(self) -> bool:
        return self.item.answer_type == AnswerType.YES_NO

    def value(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        if data.get("date"):
            data["date"] = data["date"].isoformat()
        return {k: ("" if v is None else v) for k, v in data.items()}


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Our notes"),
        required=False,
        max_length=20000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class MinutesForm(forms.Form):
    decisions = forms.CharField(
        label=_("Agreed decisions"),
        required=False,
        max_length=TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    next_meeting = forms.CharField(label=_("Next meeting"), required=False, max_length=300)
    plain_summary = forms.CharField(
        label=_("Plain-language summary for the participant"),
        required=False,
        max_length=TEXT_MAX_CHARS,
        help_text=_("Short sentences in simple words. The participant gets this summary."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ActionForm(forms.Form):
    text = forms.CharField(label=_("Next step"), max_length=400, required=False)
    owner = forms.TypedChoiceField(label=_("Who"), coerce=int, required=False, empty_value=None)
    agency = forms.TypedChoiceField(label=_("Agency"), coerce=int, required=False, empty_value=None)
    due_date = forms.DateField(label=_("By"), required=False, widget=DateInput())
    category = forms.ChoiceField(
        label=_("data category"),
        choices=DataCategory.choices,
        initial=DataCategory.PLAN_MEETINGS,
        required=False,
        help_text=_("Only agencies that may see this data category see the next step."),
    )

    def __init__(self, *args, owners=(), agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "–")] + list(owners)
        self.fields["agency"].choices = [("", "–")] + list(agencies)

    def clean(self):
        data = super().clean()
        if data.get("text") and (not data.get("agency") or not data.get("due_date")):
            raise forms.ValidationError(_("A next step needs an agency and a due date."))
        return data


class BaseActionFormSet(forms.BaseFormSet):
    def __init__(self, *args, owners=(), agencies=(), **kwargs):
        self.owners, self.agencies = list(owners), list(agencies)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"owners": self.owners, "agencies": self.agencies}

    @property
    def empty_form(self):
        return self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            owners=self.owners,
            agencies=self.agencies,
        )

    def actions(self) -> list[dict]:
        return [
            {
                "text": f.cleaned_data.get("text", ""),
                "owner": f.cleaned_data.get("owner"),
                "agency": f.cleaned_data.get("agency"),
                "due_date": f.cleaned_data.get("due_date"),
                "category": f.cleaned_data.get("category") or DataCategory.PLAN_MEETINGS,
            }
            for f in self.forms
            if f.cleaned_data.get("text")
        ]


ActionFormSet = forms.formset_factory(ActionForm, formset=BaseActionFormSet, extra=3, max_num=30)


class AddendumForm(forms.Form):
    text = forms.CharField(
        label=_("Addendum"),
        max_length=5000,
        help_text=_("Corrections after approval are added here; the approved text stays."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
