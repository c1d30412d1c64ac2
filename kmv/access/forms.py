from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Agency, AuditEvent, User


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}
        ),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError(_("The code has six digits."))
        return token


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["language", "email", "phone"]


class AuditFilterForm(forms.Form):
    participant_id = forms.IntegerField(label=_("Participant id"), required=False, min_value=1)
    username = forms.CharField(label=_("Username"), required=False, max_length=150)
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.all(), required=False
    )
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("", _("All"))] + list(AuditEvent.Action.choices),
        required=False,
    )
    date_from = forms.DateField(label=_("From date"), required=False)
    date_to = forms.DateField(label=_("To date"), required=False)
