"""Invitation status API: per meeting, what the outbox did with each recipient's invitation
(queued, sent, failed; attempts; SEQUENCE). Readable by whoever may see the meeting
(`meetings_for`, the policy's participant scope); 404 otherwise, as for a missing one."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.response import Response

from kmv.access import audit, policy
from kmv.access.serializers import DETAIL_ERRORS
from kmv.ids import as_pk

from .selectors import invitation_status
from .serializers import MeetingInvitationsSerializer


@extend_schema(tags=["invitations"])
class MeetingInvitationViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = MeetingInvitationsSerializer

    def get_queryset(self):
        from resourcegroups.selectors import meetings_for

        return meetings_for(self.request.user).select_related("participant")

    @extend_schema(
        summary="Invitation status of one meeting",
        responses={200: MeetingInvitationsSerializer, **DETAIL_ERRORS},
    )
    def retrieve(self, request, *args, **kwargs):
        meeting = self.get_queryset().filter(pk=as_pk(kwargs["pk"])).first()
        if meeting is None:
            raise Http404
        visible = set(
            policy.participants_for(request.user)
            .filter(pk=meeting.participant_id)
            .values_list("pk", flat=True)
        )
        rows = invitation_status([meeting], visible_participants=visible)[meeting.pk]
        audit.record(
            request=request,
            action=audit.Action.VIEW,
            obj=meeting,
            participant_id=meeting.participant_id,
            fields=["invitations"],
            channel="api",
        )
        return Response(
            MeetingInvitationsSerializer({"meeting": meeting.pk, "recipients": rows}).data
        )
