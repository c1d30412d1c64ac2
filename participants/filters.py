import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from kmv.access import policy

from .models import Consent, DataCategory, Participant

# Database ids are signed 64-bit; a larger number would reach the database and fail there
# (OverflowError on SQLite, DataError on PostgreSQL) as a 500 instead of a 400.
MAX_DB_ID = 2**63 - 1


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A foreign-key id, compared without loading the row."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", -MAX_DB_ID - 1)
        kwargs.setdefault("max_value", MAX_DB_ID)
        super().__init__(*args, **kwargs)


class ParticipantFilter(django_filters.FilterSet):
    municipality = IdFilter(field_name="municipality_id", label=_("municipality"))
    status = django_filters.ChoiceFilter(choices=Participant.Status.choices, label=_("status"))
    pathway = django_filters.ChoiceFilter(choices=Participant.Pathway.choices, label=_("pathway"))
    q = django_filters.CharFilter(
        method="search",
        label=_("Name (part of first or last name) or the full identity number"),
    )

    class Meta:
        model = Participant
        fields = ["municipality", "status", "pathway", "q"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        cond = Q()
        for term in value.split():
            cond &= Q(first_name__icontains=term) | Q(last_name__icontains=term)
        digits = value.replace(" ", "")
        if digits.isdigit():
            cond |= policy.national_id_match(getattr(self.request, "user", None), digits)
        return queryset.filter(cond)


class ConsentFilter(django_filters.FilterSet):
    participant = IdFilter(field_name="participant_id", label=_("participant"))
    agency = IdFilter(field_name="agency_id", label=_("receiving agency"))
    category = django_filters.ChoiceFilter(choices=DataCategory.choices, label=_("data category"))
    active = django_filters.BooleanFilter(method="filter_active", label=_("active only"))

    class Meta:
        model = Consent
        fields = ["participant", "agency", "category", "active"]

    def filter_active(self, queryset, name, value):
        active = Consent.objects.active().values("pk")
        return queryset.filter(pk__in=active) if value else queryset.exclude(pk__in=active)
