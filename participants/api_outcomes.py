"""One participant's education and work status history in the API:
`/api/participants/<pk>/outcomes/` (list, record) and `.../outcomes/<id>/` (one record).

Reading needs the same access as the participant (404 otherwise, audited like a read of the
participant); recording goes through `participants.outcomes.outcome_record`, the same
service and rule as the page and the bulk import: a case worker whose agency may see the
participant reports what their agency knows (the school reports a trade certificate).
"""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from kmv.access import audit, policy
from kmv.access.serializers import DETAIL_ERRORS, ERROR_400

from . import outcomes as outcome_services
from . import selectors
from .models import OutcomeRecord, OutcomeStatus

CHANNEL = "api"


class OutcomeSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    reported_by_agency_name = serializers.CharField(
        source="reported_by_agency.name", read_only=True
    )

    class Meta:
        model = OutcomeRecord
        fields = [
            "id",
            "status",
            "status_display",
            "since",
            "until",
            "cohort_year",
            "in_work",
            "in_work_since",
            "note",
            "reported_by_agency",
            "reported_by_agency_name",
            "created_at",
        ]
        read_only_fields = fields


class OutcomeWriteSerializer(serializers.Serializer):
    """Field checks only; the model's rules (dates in order, cohort for a started
    upper-secondary, work date needs work) run in the service and come back as 400s."""

    status = serializers.ChoiceField(choices=OutcomeStatus.choices)
    since = serializers.DateField()
    until = serializers.DateField(required=False, allow_null=True, default=None)
    cohort_year = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1990, max_value=2100
    )
    in_work = serializers.BooleanField(required=False, default=False)
    in_work_since = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=400)


class ParticipantOutcomesMixin:
    """Mixed into `ParticipantViewSet` (the participant in the path decides access)."""

    @extend_schema(
        methods=["GET"],
        summary=_("A participant's education and work status history (audit-logged)"),
        description=_(
            "Newest first. Visible to everyone who may see the participant; 404 for anyone "
            "else, the same as for a participant that does not exist."
        ),
        responses={200: OutcomeSerializer(many=True), **DETAIL_ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Record a status reported by your agency"),
        description=_(
            "Case workers whose agency may see the participant. The record is kept as "
            "history; a newer `since` makes it the current status."
        ),
        request=OutcomeWriteSerializer,
        responses={201: OutcomeSerializer, 400: ERROR_400, **DETAIL_ERRORS},
    )
    @action(detail=True, methods=["get", "post"], url_path="outcomes", url_name="outcomes")
    def outcomes(self, request, pk=None):
        if request.method == "POST":
            return self._outcome_create(request, pk)
        # Queries: the participant (+ the audit insert), the records with their agencies.
        participant = policy.get_participant_for(request, pk, channel=CHANNEL)
        records = selectors.outcomes_visible(
            request.user,
            participant,
            OutcomeRecord.objects.filter(participant=participant).select_related(
                "reported_by_agency"
            ),
        )
        return Response(OutcomeSerializer(records, many=True).data)

    def _outcome_create(self, request, pk):
        # access first: someone who may not see the participant learns nothing from the body
        participant = policy.get_participant_for(request, pk, channel=CHANNEL, log_read=False)
        if not outcome_services.may_record_outcomes(request.user):
            raise exceptions.PermissionDenied(
                _("You may not record outcomes for this participant.")
            )
        body = OutcomeWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        record = outcome_services.outcome_record(
            user=request.user, participant=participant, request=request, **body.validated_data
        )
        record = OutcomeRecord.objects.select_related("reported_by_agency").get(pk=record.pk)
        return Response(OutcomeSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("One status record of a participant (audit-logged)"),
        responses={200: OutcomeSerializer, **DETAIL_ERRORS},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="outcomes/<int:outcome_id>",
        url_name="outcome",
    )
    def outcome(self, request, pk=None, outcome_id=None):
        participant = policy.get_participant_for(request, pk, channel=CHANNEL, log_read=False)
        record = (
            OutcomeRecord.objects.filter(participant=participant, pk=outcome_id)
            .select_related("reported_by_agency")
            .first()
        )
        if record is None or not selectors.outcomes_visible(request.user, participant, [record]):
            raise Http404
        audit.record(
            request=request,
            action=audit.Action.VIEW,
            obj=record,
            participant_id=participant.pk,
            channel=CHANNEL,
        )
        return Response(OutcomeSerializer(record).data)
