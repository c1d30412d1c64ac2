import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from participants.filters import IdFilter

from .models import Meeting, Membership, Routine


class RoutineFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Routine.Status.choices, label=_("status"))

    class Meta:
        model = Routine
        fields = ["status"]


class ResourceGroupFilter(django_filters.FilterSet):
    participant = IdFilter(field_name="participant_id", label=_("participant"))


class MeetingFilter(django_filters.FilterSet):
    participant = IdFilter(field_name="participant_id", label=_("participant"))
    status = django_filters.ChoiceFilter(choices=Meeting.Status.choices, label=_("status"))
    stage = django_filters.NumberFilter(field_name="stage__number", label=_("stage number"))
    due_before = django_filters.DateFilter(
        field_name="due_date", lookup_expr="lte", label=_("due on or before")
    )
    due_after = django_filters.DateFilter(
        field_name="due_date", lookup_expr="gte", label=_("due on or after")
    )
    mine = django_filters.BooleanFilter(
        method="filter_mine",
        label=_("Only meetings you are invited to or responsible for"),
    )

    class Meta:
        model = Meeting
        fields = ["participant", "status", "stage", "due_before", "due_after", "mine"]

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        user = self.request.user
        member_of = Membership.objects.active().filter(staff=user).values("group__participant")
        # A subquery, not a join: one row per meeting however many invitees match.
        mine = Meeting.objects.filter(
            Q(invitees__staff=user)
            | Q(participant__in=member_of, stage__responsible_role=user.role)
        ).values("pk")
        return queryset.filter(pk__in=mine)
