"""Read-only API for agencies and staff. No participant data here."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from .models import Agency, Role, User
from .serializers import DETAIL_ERRORS, READ_ERRORS, AgencySerializer, StaffSerializer


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
