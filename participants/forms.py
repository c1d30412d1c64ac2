from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from kmv.access.models import Agency, Municipality, User
from kmv.forms import DateInput
from kmv.uploads import check_upload

from .models import Consent, Language, OutcomeRecord, Participant
from .serializers import GOAL_MAX_LENGTH
from .services import EDITABLE_FIELDS

DATE_FIELDS = [
    "date_of_birth",
    "settlement_date",
    "intro_programme_start",
    "adult_education_end",
    "upper_secondary_start",
    "upper_secondary_end",
]


class ParticipantForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    sections = [
        (
            _("Person"),
            ["first_name", "last_name", "date_of_birth", "national_id", "municipality", "status"],
        ),
        (
            _("Language and interpreter"),
            ["languages", "preferred_language", "interpreter_needed", "interpreter_language"],
        ),
        (
            _("Milestones"),
            [
                "settlement_date",
                "intro_programme_start",
                "adult_education_end",
                "pathway",
                "upper_secondary_start",
                "upper_secondary_end",
            ],
        ),
        (_("Contact details"), ["phone", "email", "address"]),
        (_("Goal"), ["goal"]),
    ]

    class Meta:
        model = Participant
        fields = EDITABLE_FIELDS
        widgets = {name: DateInput() for name in DATE_FIELDS} | {
            "goal": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = Municipality.objects.all()
        self.fields["goal"].max_length = GOAL_MAX_LENGTH
        self.fields["goal"].validators.append(MaxLengthValidator(GOAL_MAX_LENGTH))
        self.fields["goal"].widget.attrs["maxlength"] = str(GOAL_MAX_LENGTH)
        self.fields["national_id"].help_text = _(
            "11 digits. Optional. Stored in full, shown masked."
        )
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
            self.initial["national_id"] = self.instance.national_id or ""

    def grouped_fields(self):
        return [(title, [self[name] for name in names]) for title, names in self.sections]

    def clean_national_id(self):
        value = (self.cleaned_data.get("national_id") or "").replace(" ", "")
        return value or None

    def service_data(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in EDITABLE_FIELDS if name in self.cleaned_data
        }

    def _post_clean(self):
        # Model validation runs in the service (one place); keep the form's own checks only.
        pass


class ConsentForm(forms.ModelForm):
    class Meta:
        model = Consent
        fields = [
            "agency",
            "category",
            "purpose",
            "basis",
            "legal_basis",
            "given_on",
            "expires_on",
            "document",
            "document_language",
        ]
        widgets = {"given_on": DateInput(), "expires_on": DateInput()}

    def __init__(self, *args, participant=None, **kwargs):
        super().__init__(*args, **kwargs)
        agencies = Agency.objects.all()
        if participant is not None:
            agencies = agencies.exclude(pk=participant.owner_agency_id)
        self.fields["agency"].queryset = agencies
        self.fields["given_on"].required = False
        self.fields["document"].help_text = _(
            "The signed form, in the participant's language (PDF or image)."
        )

    def clean_document(self):
        doc = self.cleaned_data.get("document")
        if doc:
            check_upload(doc, "consent")
        return doc

    def _post_clean(self):
        pass


class WithdrawConsentForm(forms.Form):
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), required=False, widget=DateInput())


class MembershipForm(forms.Form):
    staff = forms.ModelChoiceField(label=_("Staff member"), queryset=User.objects.none())

    def __init__(self, *args, participant=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = User.objects.filter(is_active=True, agency__isnull=False).select_related("agency")
        if participant is not None:
            qs = qs.filter(agency__municipalities=participant.municipality_id).distinct()
        self.fields["staff"].queryset = qs.order_by("agency__name", "last_name")
        self.fields["staff"].label_from_instance = lambda u: (
            f"{u} – {u.get_role_display()}, {u.agency}"
        )


class EndMembershipForm(forms.Form):
    end_reason = forms.CharField(label=_("Reason for ending"), max_length=200)


class ParticipantFilterForm(forms.Form):
    q = forms.CharField(label=_("Search name or identity number"), required=False, max_length=100)
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.all(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All"))] + list(Participant.Status.choices),
        required=False,
    )
    pathway = forms.ChoiceField(
        label=_("Pathway"),
        choices=[("", _("All"))] + list(Participant.Pathway.choices),
        required=False,
    )
    next_due = forms.ChoiceField(
        label=_("Next due meeting"),
        choices=[
            ("", _("All")),
            ("passed", _("Due date passed")),
            ("30", _("Due within 30 days")),
            ("90", _("Due within 90 days")),
        ],
        required=False,
    )


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = OutcomeRecord
        fields = ["status", "since", "until", "cohort_year", "in_work", "in_work_since", "note"]
        widgets = {"since": DateInput(), "until": DateInput(), "in_work_since": DateInput()}

    def _post_clean(self):
        # Model validation runs in the service (participants.outcomes.outcome_record).
        pass
