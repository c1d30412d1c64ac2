from rest_framework import viewsets

from .models import Consent, Participant


class ParticipantViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Participant.objects.none()


class ConsentViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Consent.objects.none()
