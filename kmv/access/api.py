from rest_framework import viewsets

from .models import Agency, User


class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Agency.objects.none()


class StaffViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = User.objects.none()
