"""Dates a person enters lie between 1900 and 2099: the one plausibility rule for every
date and time field of the domain.

A milestone on 9999-12-31 was accepted and then failed in planning's date arithmetic (`year
10000 is out of range`, a 500). Models mix in `PlausibleDates`, so `full_clean()` — which
every service calls before saving — refuses such a date with a translated message, whatever
path it came by (page, API, import, admin).
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

EARLIEST = date(1900, 1, 1)
LATEST = date(2099, 12, 31)


def date_error(value) -> str | None:
    """The message for an implausible date or datetime, else None."""
    if value is None or not isinstance(value, date):
        return None
    day = value.date() if isinstance(value, datetime) else value
    if EARLIEST <= day <= LATEST:
        return None
    return _("Give a date between %(earliest)s and %(latest)s.") % {
        "earliest": EARLIEST.strftime("%d.%m.%Y"),
        "latest": LATEST.strftime("%d.%m.%Y"),
    }


def check_date(value, field: str = "date") -> None:
    message = date_error(value)
    if message:
        raise ValidationError({field: message})


class PlausibleDates:
    """Mixin for models: every DateField/DateTimeField is checked in `clean_fields()`."""

    def clean_fields(self, exclude=None):
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            if not isinstance(field, models.DateField) or (exclude and field.name in exclude):
                continue
            if field.name in errors:
                continue
            message = date_error(getattr(self, field.attname))
            if message:
                errors[field.name] = [message]
        if errors:
            raise ValidationError(errors)
