import logging

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from .models import Agency, AuditEvent, User

logger = logging.getLogger(__name__)


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


class ApiTokenForm(TokenForm):
    """A new API token: what it is for, and a code typed just now."""

    name = forms.CharField(label=_("What the token is for"), max_length=100)
    field_order = ["name", "token"]


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Hands the look-up and the e-mail to a task: the request does the same work, and
    answers the same, whether or not the address belongs to an account."""

    def save(self, *, domain_override=None, use_https=False, request=None, **kwargs):
        from .tasks import send_password_reset

        job = {
            "email": self.cleaned_data["email"],
            "domain": domain_override or (request.get_host() if request else ""),
            "use_https": use_https,
        }
        try:
            send_password_reset.delay(**job)
        except Exception:  # the broker is down: send it now rather than not at all
            logger.warning("password reset: broker unreachable, sending inline")
            send_password_reset.apply(kwargs=job)


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["language", "email", "phone"]


class AuditFilterForm(forms.Form):
    participant_id = forms.CharField(
        label=_("Participant id or pseudonym"), required=False, max_length=20
    )
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
