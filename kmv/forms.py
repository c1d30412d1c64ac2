"""Form helpers shared by every app."""

from django import forms
from django.utils.translation import gettext_noop

# Django 6.1's default empty choice of a select; Django's own nb catalogue does not have it
# yet, so ours (LOCALE_PATHS come first) supplies the translation.
DJANGO_EMPTY_LABEL = gettext_noop("- Select an option -")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def apply_service_errors(form, exc, field_map: dict | None = None) -> None:
    """Show a service's ValidationError on the form: field errors by the field (renamed via
    `field_map` where form and model names differ), everything else in the error summary."""
    field_map = field_map or {}
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            field = field_map.get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
