"""Participant and consent API: parse, authorise through kmv.access.policy, call the service,
render. Reads are audited; lists are scoped querysets."""

from contextlib import contextmanager

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kmv.access import audit, policy
from kmv.access.api_permissions import IsCaseWorker, IsStaffMember
from kmv.access.serializers import (
    DETAIL_ERRORS,
    ERROR_400,
    ERROR_403,
    ERROR_404,
    ERROR_409,
    READ_ERRORS,
)
from kmv.parsers import PARSERS

from . import services
from .api_outcomes import ParticipantOutcomesMixin
from .filters import ConsentFilter, ParticipantFilter
from .models import Consent, Participant
from .serializers import (
    ConsentCreateSerializer,
    ConsentParticipantSerializer,
    ConsentSerializer,
    ConsentWithdrawSerializer,
    ParticipantSearchSerializer,
    ParticipantSerializer,
    ParticipantWriteSerializer,
)

CHANNEL = "api"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _(
        "Someone else saved this participant after you fetched it. Fetch it again, reapply "
        "your changes and send the new version."
    )
    default_code = "conflict"


@contextmanager
def _service_errors():
    """Keep the service's translated reason on a 403 and turn a stale version into a 409;
    other domain ValidationErrors go on to the exception handler as structured 400s."""
    try:
        yield
    except services.ConflictError:
        raise Conflict() from None
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from None


def _require_change(user, participant: Participant, message) -> None:
    if not policy.may(user, participant, policy.CHANGE):
        raise exceptions.PermissionDenied(message)


@extend_schema_view(
    list=extend_schema(
        summary=_("Participants you may see"),
        description=_(
            "Scoped to the participants your agency may see; each call is audit-logged with "
            "the ids on the page. Identity numbers are masked; the occupational goal is null "
            "unless your agency may see education and mapping data."
        ),
        responses={200: ParticipantSerializer(many=True), 400: ERROR_400, **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary=_("One participant (audit-logged)"),
        responses={200: ParticipantSerializer, **DETAIL_ERRORS},
    ),
    create=extend_schema(
        summary=_("Register a participant (case workers only)"),
        request=ParticipantWriteSerializer,
        responses={201: ParticipantSerializer, 400: ERROR_400, **READ_ERRORS},
    ),
    update=extend_schema(
        summary=_("Replace a participant's data (send the version you fetched)"),
        request=ParticipantWriteSerializer,
        responses={
            200: ParticipantSerializer,
            400: ERROR_400,
            **DETAIL_ERRORS,
            409: ERROR_409,
        },
    ),
    partial_update=extend_schema(
        summary=_("Change some of a participant's data (send the version you fetched)"),
        request=ParticipantWriteSerializer,
        responses={
            200: ParticipantSerializer,
            400: ERROR_400,
            **DETAIL_ERRORS,
            409: ERROR_409,
        },
    ),
)
class ParticipantViewSet(
    ParticipantOutcomesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    # No DELETE: participants are closed by status, never removed through the API.

    serializer_class = ParticipantSerializer
    filterset_class = ParticipantFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Participant.objects.none()
        return policy.participants_for(self.request.user).select_related(
            "municipality", "owner_agency"
        )

    def get_permissions(self):
        if self.action == "create":
            return [IsStaffMember(), IsCaseWorker()]
        return super().get_permissions()

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return ParticipantWriteSerializer
        return ParticipantSerializer

    def _render(self, participants, *, many=False):
        rows = participants if many else [participants]
        context = {
            **self.get_serializer_context(),
            "categories": policy.visible_categories_map(self.request.user, rows),
        }
        return ParticipantSerializer(participants, many=many, context=context).data

    def list(self, request, *args, **kwargs):
        # Queries: COUNT, the page (with municipality and agency), visible categories (only
        # for rows another agency owns), the audit insert.
        return self._list(request, self.filter_queryset(self.get_queryset()))

    @extend_schema(
        summary=_("Search participants (filters in the body: no identity number in a URL)"),
        description=_(
            "The same filters and answer as the list, sent as JSON: a national identity number "
            "in `q` stays out of URLs, proxies' and servers' access logs. `?page=` pages."
        ),
        request=ParticipantSearchSerializer,
        responses={200: ParticipantSerializer(many=True), 400: ERROR_400, **READ_ERRORS},
    )
    @action(detail=False, methods=["post"], url_path="search", filter_backends=[])
    def search(self, request):
        body = ParticipantSearchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        filters = ParticipantFilter(
            data={k: v for k, v in body.validated_data.items() if v not in (None, "")},
            queryset=self.get_queryset(),
            request=request,
        )
        if not filters.is_valid():
            raise exceptions.ValidationError(filters.errors)
        return self._list(request, filters.qs)

    def _list(self, request, queryset):
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        audit.record(
            request=request,
            action=audit.Action.LIST,
            object_type="participant",
            object_ids=[p.pk for p in rows],
            channel=CHANNEL,
        )
        data = self._render(rows, many=True)
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, pk=None, *args, **kwargs):
        participant = policy.get_participant_for(request, pk, channel=CHANNEL)
        return Response(self._render(participant))

    def create(self, request, *args, **kwargs):
        serializer = ParticipantWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        with _service_errors():
            participant = services.participant_create(user=request.user, request=request, **data)
        return Response(self._render(participant), status=status.HTTP_201_CREATED)

    def update(self, request, pk=None, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        participant = policy.get_participant_for(request, pk, channel=CHANNEL, log_read=False)
        _require_change(request.user, participant, _("You may not change this participant."))
        serializer = ParticipantWriteSerializer(participant, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version")
        with _service_errors():
            participant = services.participant_update(
                user=request.user,
                participant=participant,
                version=version,
                request=request,
                **data,
            )
        return Response(self._render(participant))


@extend_schema_view(
    list=extend_schema(
        summary=_("Consents you may see"),
        description=_(
            "The responsible agency sees every consent of its participants; another agency "
            "only the consents given to it, and only while it may see the participant."
        ),
        responses={200: ConsentSerializer(many=True), 400: ERROR_400, **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary=_("One consent"), responses={200: ConsentSerializer, **DETAIL_ERRORS}
    ),
    create=extend_schema(
        summary=_("Record a consent or legal basis (responsible agency only)"),
        request=ConsentCreateSerializer,
        responses={201: ConsentSerializer, 400: ERROR_400, **DETAIL_ERRORS},
    ),
)
class ConsentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    # Consent rows are history: never changed or deleted through the API, only withdrawn.

    serializer_class = ConsentSerializer
    filterset_class = ConsentFilter
    parser_classes = PARSERS

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Consent.objects.none()
        return policy.consents_for(self.request.user).select_related("agency")

    def get_serializer_class(self):
        if self.action == "create":
            return ConsentCreateSerializer
        if self.action == "withdraw":
            return ConsentWithdrawSerializer
        return ConsentSerializer

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        # one row per participant listed, mapped from the page itself (no extra query)
        audit.record_reads(
            request=request,
            action=audit.Action.LIST,
            object_type="consent",
            object_ids=[c.pk for c in rows],
            participant_ids={c.pk: c.participant_id for c in rows},
            channel=CHANNEL,
        )
        data = ConsentSerializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        consent = self.get_object()
        audit.record(
            request=request,
            action=audit.Action.VIEW,
            obj=consent,
            participant_id=consent.participant_id,
            channel=CHANNEL,
        )
        return Response(ConsentSerializer(consent).data)

    def create(self, request, *args, **kwargs):
        # Access first, so someone who may not see the participant learns nothing from
        # the validation of the rest of the body.
        ref = ConsentParticipantSerializer(data=request.data)
        ref.is_valid(raise_exception=True)
        participant = policy.get_participant_for(
            request, ref.validated_data["participant"], channel=CHANNEL, log_read=False
        )
        _require_change(
            request.user, participant, _("Only the responsible agency records consent.")
        )
        serializer = ConsentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("participant")
        with _service_errors():
            consent = services.consent_record(
                user=request.user, participant=participant, request=request, **data
            )
        return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Withdraw a consent (responsible agency only); access ends at once"),
        request=ConsentWithdrawSerializer,
        responses={
            200: ConsentSerializer,
            400: ERROR_400,
            **READ_ERRORS,
            403: ERROR_403,
            404: ERROR_404,
        },
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        consent = self.get_object()
        serializer = ConsentWithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with _service_errors():
            consent = services.consent_withdraw(
                user=request.user, consent=consent, request=request, **serializer.validated_data
            )
        return Response(ConsentSerializer(consent).data)
