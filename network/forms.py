from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from kmv.access.models import Agency, Role
from kmv.forms import DateInput

from .models import (
    AgendaItem,
    BodyMembership,
    Challenge,
    EvaluationAnswer,
    ProfessionalDay,
    SolutionMeeting,
)

SMILEYS = [(1, "😞 1"), (2, "🙁 2"), (3, "😐 3"), (4, "🙂 4"), (5, "😄 5")]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    start = forms.DateTimeField(label=_("Start"), widget=DateTimeInput)
    end = forms.DateTimeField(label=_("End"), widget=DateTimeInput)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    host = forms.ModelChoiceField(label=_("Host"), queryset=Agency.objects.none())

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = network.agencies.order_by("name")
        self.fields["host"].help_text = _("Proposed by rotation; change it if agreed otherwise.")


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=AgendaItem.Kind.choices)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    document = forms.FileField(label=_("Document"), required=False)


class DecisionForm(forms.Form):
    decision = forms.CharField(label=_("Decision / notes"), widget=forms.Textarea)


class PublishForm(forms.Form):
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea, required=False)


class DayForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProfessionalDay.Kind.choices)
    theme = forms.CharField(label=_("Theme"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DateInput)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online = forms.BooleanField(label=_("Online"), required=False)
    online_url = forms.URLField(label=_("Online link"), required=False)


class ChallengeForm(forms.Form):
    title = forms.CharField(label=_("What"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Challenge.Kind.choices)
    source = forms.ChoiceField(label=_("Source"), choices=Challenge.Source.choices)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)


class TriageForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Challenge.Status.DAY_TOPIC, _("Topic for a professional day")),
            (Challenge.Status.SOLUTION_GROUP, _("Set up a solution group")),
            (Challenge.Status.CLOSED, _("Close")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason for closing"), widget=forms.Textarea, required=False)


class EvaluationPart1Form(forms.Form):
    usefulness = forms.TypedChoiceField(
        label=_("How useful was the day for your work?"),
        choices=SMILEYS,
        coerce=int,
        widget=forms.RadioSelect,
    )
    most_useful = forms.CharField(
        label=_("What was most useful?"), widget=forms.Textarea, required=False
    )
    missing_competence = forms.CharField(
        label=_("What competence do you still miss?"), widget=forms.Textarea, required=False
    )
    wished_topics = forms.CharField(
        label=_("Topics you wish for next time"), widget=forms.Textarea, required=False
    )
    free_text = forms.CharField(label=_("Other comments"), widget=forms.Textarea, required=False)


class EvaluationPart2Form(forms.Form):
    competence_used = forms.ChoiceField(
        label=_("Have you used what you learnt at your workplace?"),
        choices=EvaluationAnswer.Use.choices,
        widget=forms.RadioSelect,
    )
    used_how = forms.CharField(label=_("How?"), widget=forms.Textarea, required=False)
    free_text = forms.CharField(label=_("Other comments"), widget=forms.Textarea, required=False)


class FeedbackForm(forms.Form):
    heard = forms.TypedChoiceField(
        label=_("I was listened to in the meeting"),
        choices=SMILEYS,
        coerce=int,
        widget=forms.RadioSelect,
    )
    understood = forms.TypedChoiceField(
        label=_("I understood the plan and what happens next"),
        choices=SMILEYS,
        coerce=int,
        widget=forms.RadioSelect,
    )
    useful = forms.TypedChoiceField(
        label=_("The meeting helped me"), choices=SMILEYS, coerce=int, widget=forms.RadioSelect
    )
    free_text = forms.CharField(
        label=_("Anything else you want to tell us?"),
        widget=forms.Textarea,
        required=False,
        max_length=2000,
    )


class PaperFeedbackForm(FeedbackForm):
    stage_number = forms.IntegerField(label=_("Stage"), min_value=0, max_value=99)
    period = forms.DateField(label=_("Meeting date"), widget=DateInput)
    language = forms.CharField(label=_("Language"), max_length=8, initial="nb")


class SolutionMeetingForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    options_discussed = forms.CharField(label=_("Options discussed"), widget=forms.Textarea)
    agreed_alternative = forms.CharField(
        label=_("Alternative agreed"), widget=forms.Textarea, required=False
    )


class StatusReportForm(forms.Form):
    text = forms.CharField(label=_("Status"), widget=forms.Textarea)


class PartyCheckForm(forms.Form):
    works = forms.TypedChoiceField(
        label=_("Does the alternative work at your agency?"),
        choices=[("1", _("Yes")), ("0", _("No"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    implementation_date = forms.DateField(
        label=_("Implementation date"), widget=DateInput, required=False
    )


class ActionForm(forms.Form):
    meeting = forms.ModelChoiceField(label=_("Meeting"), queryset=SolutionMeeting.objects.none())
    description = forms.CharField(label=_("Responsibility"), max_length=300)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None)
    due_on = forms.DateField(label=_("Due"), widget=DateInput)

    def __init__(self, *args, group, **kwargs):
        from django.contrib.auth import get_user_model

        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = group.meetings.all()
        self.fields["owner"].queryset = get_user_model().objects.filter(
            pk__in=group.memberships.values("user_id")
        )


class NetworkForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    region = forms.CharField(
        label=_("Region"), max_length=100, help_text=_("One network per region.")
    )
    agencies = forms.ModelMultipleChoiceField(
        label=_("Partner agencies"),
        queryset=Agency.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
    )


class AgreementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    effective_from = forms.DateField(label=_("Effective from"), widget=DateInput)
    parties = forms.ModelMultipleChoiceField(
        label=_("Parties"), queryset=Agency.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    routine = forms.ModelChoiceField(
        label=_("Routine version attached"),
        queryset=None,
        help_text=_("The version of the resource-group routine the parties agree to."),
    )
    document = forms.FileField(
        label=_("Signed agreement (PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parties"].queryset = network.agencies.order_by("name")
        # read through the registry: the network imports no resource-group models
        routine = apps.get_model("resourcegroups", "Routine")
        self.fields["routine"].queryset = routine.objects.exclude(status="draft").order_by(
            "name", "-version"
        )


class SignatoryForm(forms.Form):
    leader = forms.ModelChoiceField(label=_("Leader"), queryset=None)
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput, required=False)

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = (
            get_user_model()
            .objects.filter(
                role=Role.AGENCY_LEADER,
                is_active=True,
                agency__in=agreement.parties.all(),
            )
            .select_related("agency")
            .order_by("agency__name", "last_name")
        )
        self.fields["leader"].label_from_instance = lambda u: f"{u} ({u.agency})"


class MemberForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=None)
    role = forms.ChoiceField(label=_("Role"), choices=BodyMembership.Role.choices)
    starts_on = forms.DateField(
        label=_("Term starts"),
        widget=DateInput,
        help_text=_("A new chair, deputy chair or secretary ends the predecessor's term."),
    )

    def __init__(self, *args, body, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, agency__in=body.network.agencies.all())
            .select_related("agency")
            .order_by("agency__name", "last_name", "first_name")
        )
        self.fields["person"].label_from_instance = lambda u: f"{u} ({u.agency})"


class MemberEndForm(forms.Form):
    ends_on = forms.DateField(label=_("Term ends"), widget=DateInput)


class SolutionGroupCloseForm(forms.Form):
    solved = forms.TypedChoiceField(
        label=_("Was the challenge solved?"),
        choices=[("1", _("Yes, solved")), ("0", _("No, closed without a solution"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    outcome = forms.CharField(
        label=_("Outcome"),
        widget=forms.Textarea,
        help_text=_("What was decided and changed: the network's memory of this topic."),
    )
    on = forms.DateField(label=_("Date"), widget=DateInput, required=False)


class PracticeChallengeForm(forms.Form):
    """Raise a challenge from resource-group minutes: only what the user writes is kept."""

    title = forms.CharField(label=_("What is the challenge?"), max_length=200)
    description = forms.CharField(
        label=_("Describe it"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text=_(
            "Nothing from the minutes is copied. Describe the practice only: no names, "
            "dates of birth or other details that identify the participant."
        ),
    )
