"""Agencies and staff (read-only), and the caller's own API tokens. No participant data."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from . import api_tokens, second_factor
from .models import Agency, ApiToken, Role, User
from .serializers import (
    DETAIL_ERRORS,
    READ_ERRORS,
    AgencySerializer,
    ApiTokenCreatedSerializer,
    ApiTokenCreateSerializer,
    ApiTokenSerializer,
    StaffSerializer,
)


@extend_schema_view(
    list=extend_schema(responses={200: AgencySerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(responses={200: AgencySerializer, **DETAIL_ERRORS}),
)
class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    # All agencies in the network: any staff member may read them.

    serializer_class = AgencySerializer
    queryset = Agency.objects.prefetch_related("municipalities").order_by("name", "id")


@extend_schema_view(
    list=extend_schema(responses={200: StaffSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(responses={200: StaffSerializer, **DETAIL_ERRORS}),
)
class StaffViewSet(viewsets.ReadOnlyModelViewSet):
    # Colleagues in the requester's own agency; system administrators see all staff.

    serializer_class = StaffSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return User.objects.none()
        user = self.request.user
        qs = User.objects.order_by("last_name", "first_name", "username", "id")
        if user.role == Role.SYSTEM_ADMIN:
            return qs
        if not user.agency_id:
            return qs.none()
        return qs.filter(agency_id=user.agency_id, is_active=True)


@extend_schema_view(
    list=extend_schema(responses={200: ApiTokenSerializer(many=True), **READ_ERRORS}),
    create=extend_schema(
        request=ApiTokenCreateSerializer,
        responses={201: ApiTokenCreatedSerializer, **READ_ERRORS},
    ),
    destroy=extend_schema(responses={204: None, **DETAIL_ERRORS}),
)
class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The caller's own API tokens. Making one needs a code typed just now, also when the
    call is made with a token: a stolen token alone cannot make more."""

    serializer_class = ApiTokenSerializer
    lookup_field = "token_key"
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return api_tokens.tokens_of(self.request.user)

    def create(self, request):
        body = ApiTokenCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        outcome = second_factor.fresh_check(request.user, body.validated_data["code"])
        if outcome != "ok":
            raise ValidationError({"code": [second_factor.code_error(outcome)]})
        row, raw = api_tokens.issue(
            user=request.user,
            created_by=request.user,
            name=body.validated_data["name"],
            request=request._request,
        )
        data = ApiTokenCreatedSerializer(row).data | {"token": raw}
        return Response(data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        api_tokens.revoke(token=instance, by=self.request.user, request=self.request._request)
