"""Forms for rounds. Validation of the schedule itself lives in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kmv.access.models import Agency
from kmv.forms import DateInput
from participants.models import Language

from .models import Interpreter, Room, RoundDay, RoundEntry, RoutineStage


class RoundForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    day1 = forms.DateField(label=_("Day 1"), widget=forms.DateInput(attrs={"type": "date"}))
    day1_start = forms.TimeField(label=_("From"), initial="08:30")
    day1_end = forms.TimeField(label=_("To"), initial="15:30")
    day2 = forms.DateField(
        label=_("Day 2 (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    day2_start = forms.TimeField(label=_("From"), required=False, initial="08:30")
    day2_end = forms.TimeField(label=_("To"), required=False, initial="15:30")
    confirm_weekend = forms.BooleanField(
        label=_("Yes, the round is to be held on a Saturday or Sunday"), required=False
    )
    stages = forms.ModelMultipleChoiceField(
        label=_("Stages covered"),
        queryset=RoutineStage.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    rooms = forms.ModelMultipleChoiceField(
        label=_("Rooms"),
        queryset=Room.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interpreters = forms.ModelMultipleChoiceField(
        label=_("Interpreters"),
        queryset=Interpreter.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    slot_minutes = forms.IntegerField(label=_("Meeting length (minutes)"), initial=60, min_value=15)
    buffer_minutes = forms.IntegerField(
        label=_("Buffer between meetings (minutes)"), initial=15, min_value=0
    )
    time_limit_seconds = forms.IntegerField(
        label=_("Solver time limit (seconds)"), initial=30, min_value=1, max_value=300
    )

    def __init__(self, *args, user, stages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stages"].queryset = stages
        self.fields["rooms"].queryset = Room.objects.filter(agency_id=user.agency_id, active=True)

    def days(self):
        d = self.cleaned_data
        days = [(d["day1"], d["day1_start"], d["day1_end"])]
        if d.get("day2"):
            days.append(
                (
                    d["day2"],
                    d.get("day2_start") or d["day1_start"],
                    d.get("day2_end") or d["day1_end"],
                )
            )
        return days


class UnavailabilityForm(forms.Form):
    who = forms.ChoiceField(label=_("Who"))
    day = forms.ModelChoiceField(label=_("Day"), queryset=RoundDay.objects.none())
    start = forms.TimeField(label=_("From"))
    end = forms.TimeField(label=_("To"))
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, rnd, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].queryset = rnd.days.all()
        self.fields["who"].choices = people


class MoveForm(forms.Form):
    day = forms.ModelChoiceField(label=_("Day"), queryset=RoundDay.objects.none())
    slot = forms.TypedChoiceField(label=_("Time"), coerce=int)
    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects.none())

    def __init__(self, *args, rnd, slots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].queryset = rnd.days.all()
        self.fields["room"].queryset = rnd.rooms.all()
        self.fields["slot"].choices = slots


class SwapForm(forms.Form):
    a = forms.ModelChoiceField(label=_("Meeting"), queryset=RoundEntry.objects.none())
    b = forms.ModelChoiceField(label=_("swap with"), queryset=RoundEntry.objects.none())

    def __init__(self, *args, rnd, **kwargs):
        super().__init__(*args, **kwargs)
        placed = rnd.entries.filter(day__isnull=False).select_related("meeting__participant")
        self.fields["a"].queryset = placed
        self.fields["b"].queryset = placed


class InformationDayForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("From"), initial="09:00")
    end = forms.TimeField(label=_("To"), initial="14:00")
    place = forms.CharField(label=_("Place"), max_length=200)
    partners = forms.ModelMultipleChoiceField(
        label=_("Together with"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs):
        from kmv.access.models import Agency

        super().__init__(*args, **kwargs)
        self.fields["partners"].queryset = Agency.objects.filter(
            kind__in=["career_centre", "adult_education"]
        ).exclude(pk=user.agency_id)


class RoomForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    location = forms.CharField(label=_("Address / building"), max_length=200, required=False)
    capacity = forms.IntegerField(label=_("Capacity (people)"), min_value=1, max_value=500)
    accessible = forms.BooleanField(label=_("Step-free access"), required=False)
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, sysadmin: bool, editing: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if sysadmin and not editing:
            self.fields["agency"].queryset = Agency.objects.order_by("name")
        else:
            del self.fields["agency"]
        if not editing:
            del self.fields["active"]
            del self.fields["version"]


class InterpreterForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    agency = forms.ModelChoiceField(
        label=_("Interpreter service (empty: external interpreter)"),
        queryset=Agency.objects.filter(kind=Agency.Kind.INTERPRETER_SERVICE).order_by("name"),
        required=False,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=Language.choices, widget=forms.CheckboxSelectMultiple
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    authorised = forms.BooleanField(label=_("Authorised interpreter"), required=False)
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, editing: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["active"]
            del self.fields["version"]


class StaffBlockForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("To"), widget=forms.TimeInput(attrs={"type": "time"}))
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=200)


class InterpreterWindowForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("To"), widget=forms.TimeInput(attrs={"type": "time"}))
