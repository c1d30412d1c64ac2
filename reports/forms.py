from django import forms
from django.utils.translation import gettext_lazy as _

from kmv.access.models import Agency, Municipality
from kmv.uploads import UploadValidator
from participants.models import Participant

from .selectors import Filters


class ReportFilterForm(forms.Form):
    municipality = forms.ModelChoiceField(
        Municipality.objects.all(),
        required=False,
        label=_("Municipality"),
        empty_label=_("All municipalities"),
    )
    agency = forms.ModelChoiceField(
        Agency.objects.all(), required=False, label=_("Agency"), empty_label=_("All agencies")
    )
    pathway = forms.ChoiceField(
        choices=[("", _("All pathways")), *Participant.Pathway.choices],
        required=False,
        label=_("Pathway"),
    )
    year_from = forms.IntegerField(
        min_value=1990, max_value=2100, required=False, label=_("From year")
    )
    year_to = forms.IntegerField(min_value=1990, max_value=2100, required=False, label=_("To year"))

    def clean(self):
        data = super().clean()
        if data.get("year_from") and data.get("year_to") and data["year_from"] > data["year_to"]:
            self.add_error("year_to", _("The last year must not be before the first."))
        return data

    def filters(self) -> Filters:
        if not self.is_bound or not self.is_valid():
            return Filters()
        d = self.cleaned_data
        return Filters(
            municipality=d["municipality"].pk if d.get("municipality") else None,
            agency=d["agency"].pk if d.get("agency") else None,
            pathway=d.get("pathway") or "",
            year_from=d.get("year_from"),
            year_to=d.get("year_to"),
        )


class SettledFigureForm(forms.Form):
    municipality = forms.ModelChoiceField(Municipality.objects.all(), label=_("Municipality"))
    year = forms.IntegerField(min_value=1990, max_value=2100, label=_("Year"))
    count = forms.IntegerField(min_value=0, max_value=10_000_000, label=_("People settled"))


class ImportForm(forms.Form):
    file = forms.FileField(
        validators=[UploadValidator("table")],
        label=_("File (CSV or XLSX)"),
        help_text=_("Use the template: one row per participant and outcome."),
    )


class SettledImportForm(forms.Form):
    file = forms.FileField(
        validators=[UploadValidator("table")],
        label=_("File (CSV or XLSX)"),
        help_text=_("Use the template: one row per municipality and year."),
    )
