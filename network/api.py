"""Network API: bodies, meetings and agendas, professional days and evaluations, challenges,
solution groups and actions, agreements and routine-change approvals. No participant data.

Thin: scope through network.permissions (objects of other networks, and body-internal
meetings of bodies the caller does not sit in, answer 404), call network.services (which
raise PermissionDenied → 403 and ValidationError → 400), render.
"""

import json

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from kmv.access.models import Agency
from kmv.access.serializers import DETAIL_ERRORS, ERROR_400, READ_ERRORS
from kmv.ids import as_pk
from kmv.parsers import PARSERS

from . import permissions, services
from .models import (
    Action,
    AgendaItem,
    Agreement,
    Body,
    BodyMembership,
    Challenge,
    ProfessionalDay,
    RoutineChange,
    SolutionGroup,
)
from .serializers import (
    AgendaDecisionSerializer,
    AgendaItemSerializer,
    AgreementDetailSerializer,
    AgreementSerializer,
    AgreementWriteSerializer,
    AttendanceResultSerializer,
    AttendanceSerializer,
    BodyMembershipSerializer,
    BodySerializer,
    ChallengeSerializer,
    EvaluationAcceptedSerializer,
    EvaluationSubmitSerializer,
    MemberEndSerializer,
    MemberWriteSerializer,
    MinutesPublishSerializer,
    NetworkActionSerializer,
    NetworkMeetingSerializer,
    NetworkSerializer,
    NetworkWriteSerializer,
    PartyCheckSerializer,
    ProfessionalDaySerializer,
    RegistrationSerializer,
    RoutineChangeSerializer,
    SignatorySerializer,
    SignatoryWriteSerializer,
    SolutionGroupCloseSerializer,
    SolutionGroupSerializer,
    StatusReportSerializer,
    TriageSerializer,
)

WRITE_ERRORS = {400: ERROR_400, **DETAIL_ERRORS}


class PdfRenderer(BaseRenderer):
    """Lets clients ask for `application/pdf`; errors still come out as JSON text."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data, default=str).encode()


TAG = ["network"]


def _networks(request):
    return permissions.networks_for(request.user)


class _Scoped:
    """A queryset filtered to the caller's networks through `network_path`."""

    network_path = "network"
    queryset_base = None

    def get_queryset(self):
        qs = self.queryset_base.all()
        return qs.filter(**{f"{self.network_path}__in": _networks(self.request)})


@extend_schema(tags=TAG, responses={200: NetworkSerializer, **DETAIL_ERRORS})
class NetworkViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = NetworkSerializer

    def get_queryset(self):
        return _networks(self.request).prefetch_related("agencies")

    @extend_schema(
        request=NetworkWriteSerializer, responses={201: NetworkSerializer, **WRITE_ERRORS}
    )
    def create(self, request, *args, **kwargs):
        """Create a network for a region (network coordinators and system administrators);
        its steering group and working group are made with it."""
        data = NetworkWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        agencies = list(Agency.objects.filter(pk__in=values.pop("agencies")))
        network = services.network_create(user=request.user, agencies=agencies, **values)
        return Response(NetworkSerializer(network).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: OpenApiTypes.OBJECT, **DETAIL_ERRORS})
    @action(detail=True, methods=["get"], url_path="year-summary/<int:year>")
    def year_summary(self, request, pk=None, year=None):
        """Meetings per body, turnover, professional days, solution groups and outcomes."""
        from .selectors import year_summary

        data = year_summary(network=self.get_object(), year=int(year))
        return Response(
            {
                "year": data["year"],
                "bodies": [
                    {
                        "kind": b["body"].kind,
                        "meetings_held": b["held"],
                        "joined": b["joined"],
                        "left": b["left"],
                        "members_at_end": b["members_at_end"],
                    }
                    for b in data["bodies"]
                ],
                "professional_days": [
                    {"id": d.pk, "theme": d.theme, "date": d.date, "answers": d.answers_count}
                    for d in data["days"]
                ],
                "solution_groups": [
                    {"id": g.pk, "topic": g.topic, "status": g.status, "outcome": g.outcome}
                    for g in data["groups"]
                ],
                "challenges_raised": data["challenges_raised"],
            }
        )


@extend_schema(tags=TAG, responses={200: BodySerializer, **DETAIL_ERRORS})
class BodyViewSet(_Scoped, viewsets.ReadOnlyModelViewSet):
    serializer_class = BodySerializer
    queryset_base = Body.objects.prefetch_related("memberships__user")

    @extend_schema(
        request=MemberWriteSerializer, responses={201: BodyMembershipSerializer, **WRITE_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def members(self, request, pk=None):
        """Start a term (a new chair, deputy or secretary ends the predecessor's term)."""
        body = self.get_object()
        data = MemberWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = get_object_or_404(get_user_model(), pk=data.validated_data.pop("user"))
        membership = services.member_add(
            user=request.user, body=body, person=person, **data.validated_data
        )
        return Response(BodyMembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAG, responses={200: BodyMembershipSerializer, **DETAIL_ERRORS})
class MembershipViewSet(_Scoped, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Terms in a network's bodies. Ended terms stay as history."""

    serializer_class = BodyMembershipSerializer
    network_path = "body__network"
    queryset_base = BodyMembership.objects.select_related("user")

    @extend_schema(
        request=MemberEndSerializer, responses={200: BodyMembershipSerializer, **WRITE_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the term on the given date (network coordinators)."""
        membership = self.get_object()
        data = MemberEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.member_end(
            user=request.user, membership=membership, **data.validated_data
        )
        return Response(self.get_serializer(membership).data)


@extend_schema(tags=TAG)
class NetworkMeetingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = NetworkMeetingSerializer

    def get_queryset(self):
        return permissions.visible_meetings(self.request.user).prefetch_related("items")

    @extend_schema(responses={201: NetworkMeetingSerializer, **WRITE_ERRORS})
    def create(self, request, *args, **kwargs):
        """Create a meeting; without `host` the next partner agency in rotation hosts."""
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        body = get_object_or_404(
            Body.objects.filter(network__in=_networks(request)), pk=values.pop("body").pk
        )
        meeting = services.meeting_create(user=request.user, body=body, **values)
        return Response(self.get_serializer(meeting).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=AgendaItemSerializer, responses={201: AgendaItemSerializer, **WRITE_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def agenda(self, request, pk=None):
        """Add an agenda item (members of the body)."""
        meeting = self.get_object()
        data = AgendaItemSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.agenda_item_add(user=request.user, meeting=meeting, **data.validated_data)
        return Response(AgendaItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=MinutesPublishSerializer, responses={200: NetworkMeetingSerializer, **WRITE_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish the minutes to the whole network (every decision item needs its decision)."""
        meeting = self.get_object()
        data = MinutesPublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.minutes_publish(user=request.user, meeting=meeting, **data.validated_data)
        return Response(self.get_serializer(meeting).data)


@extend_schema(tags=TAG)
class AgendaItemViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AgendaItemSerializer

    def get_queryset(self):
        return AgendaItem.objects.filter(
            meeting__in=permissions.visible_meetings(self.request.user)
        )

    @extend_schema(
        request=AgendaDecisionSerializer, responses={200: AgendaItemSerializer, **WRITE_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def decision(self, request, pk=None):
        """Record the decision (or notes) for the item in the minutes."""
        item = self.get_object()
        data = AgendaDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.agenda_decision_record(
            user=request.user, item=item, decision=data.validated_data["decision"]
        )
        return Response(AgendaItemSerializer(item).data)


@extend_schema(tags=TAG)
class ProfessionalDayViewSet(
    _Scoped,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ProfessionalDaySerializer
    queryset_base = ProfessionalDay.objects.prefetch_related("segments", "invited_agencies")

    @extend_schema(responses={201: ProfessionalDaySerializer, **WRITE_ERRORS})
    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        network = permissions.get_network_for(request.user, values.pop("network").pk)
        invited = values.pop("invited_agencies", [])
        day = services.day_create(
            user=request.user, network=network, invited_agencies=invited, **values
        )
        return Response(self.get_serializer(day).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: RegistrationSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        """Register the caller: open days for everyone in the network, other kinds only
        when invited (personally or through the agency). Only while the day is planned."""
        registration = services.registration_self(user=request.user, day=self.get_object())
        return Response(RegistrationSerializer(registration).data)

    @extend_schema(request=None, responses={200: RegistrationSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def unregister(self, request, pk=None):
        """Withdraw the caller's registration (kept as declined)."""
        registration = services.registration_cancel(user=request.user, day=self.get_object())
        return Response(RegistrationSerializer(registration).data)

    @extend_schema(responses={200: RegistrationSerializer(many=True), **DETAIL_ERRORS})
    @action(detail=True, methods=["get"])
    def registrations(self, request, pk=None):
        """Who is invited, registered or declined, and who attended (the organisers)."""
        day = self.get_object()
        if not permissions.is_coordinator(request.user, day.network):
            raise PermissionDenied
        return Response(RegistrationSerializer(day.registrations.all(), many=True).data)

    @extend_schema(
        request=AttendanceSerializer, responses={200: AttendanceResultSerializer, **WRITE_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        """Record who came: the listed registrations attended, the others did not. Part 1 of
        the evaluation goes to those who came when the day is marked held."""
        day = self.get_object()
        data = AttendanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        count = services.attendance_record(
            user=request.user, day=day, present_ids=data.validated_data["present"]
        )
        return Response(AttendanceResultSerializer({"attended": count}).data)

    @extend_schema(responses={200: OpenApiTypes.OBJECT, **DETAIL_ERRORS})
    @action(detail=True, methods=["get"], url_path="evaluation-summary")
    def evaluation_summary(self, request, pk=None):
        """Counts and distributions per question, free texts as sorted lists. Anonymous."""
        return Response(services.evaluation_summary(day=self.get_object()))


@extend_schema(tags=TAG)
class EvaluationViewSet(viewsets.GenericViewSet):
    serializer_class = EvaluationSubmitSerializer

    @extend_schema(
        request=EvaluationSubmitSerializer,
        responses={
            201: EvaluationAcceptedSerializer,
            400: ERROR_400,
            **READ_ERRORS,
        },
    )
    def create(self, request):
        """Submit one anonymous answer with the single-use token from the invitation."""
        data = EvaluationSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {k: v for k, v in data.validated_data.items() if k != "token"}
        invite = services.invite_for_token(data.validated_data["token"])
        allowed = services.days.ANSWER_FIELDS[invite.part] if invite else ()
        answer = services.evaluation_submit(
            token=data.validated_data["token"],
            **{k: v for k, v in values.items() if k in allowed},
        )
        return Response(
            EvaluationAcceptedSerializer({"part": answer.part, "week": answer.week}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=TAG)
class ChallengeViewSet(
    _Scoped,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ChallengeSerializer
    queryset_base = Challenge.objects.all()

    @extend_schema(responses={201: ChallengeSerializer, **WRITE_ERRORS})
    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        network = permissions.get_network_for(request.user, values.pop("network").pk)
        challenge = services.challenge_raise(user=request.user, network=network, **values)
        return Response(self.get_serializer(challenge).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TriageSerializer, responses={200: ChallengeSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def triage(self, request, pk=None):
        """The working group's decision: professional-day topic, solution group, or closed."""
        challenge = self.get_object()
        data = TriageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        challenge = services.challenge_triage(
            user=request.user, challenge=challenge, **data.validated_data
        )
        return Response(self.get_serializer(challenge).data)


@extend_schema(tags=TAG)
class SolutionGroupViewSet(_Scoped, viewsets.ReadOnlyModelViewSet):
    serializer_class = SolutionGroupSerializer
    network_path = "challenge__network"
    queryset_base = SolutionGroup.objects.prefetch_related(
        "meetings__actions", "checks", "status_reports"
    )

    @extend_schema(
        request=StatusReportSerializer, responses={201: StatusReportSerializer, **WRITE_ERRORS}
    )
    @action(detail=True, methods=["post"], url_path="status-reports")
    def status_reports(self, request, pk=None):
        """Report status; it appears on the next working- and steering-group agendas."""
        group = self.get_object()
        data = StatusReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.status_report_add(user=request.user, group=group, **data.validated_data)
        return Response(StatusReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=PartyCheckSerializer, responses={200: PartyCheckSerializer, **WRITE_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        """Whether the agreed alternative works at the caller's agency, and when it starts."""
        group = self.get_object()
        data = PartyCheckSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check = services.party_check_record(
            user=request.user,
            group=group,
            works=bool(data.validated_data.get("works")),
            implementation_date=data.validated_data.get("implementation_date"),
        )
        return Response(PartyCheckSerializer(check).data)

    @extend_schema(
        request=SolutionGroupCloseSerializer,
        responses={200: SolutionGroupSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close with the outcome: solved (kept as the network's memory) or not (network
        coordinators)."""
        group = self.get_object()
        data = SolutionGroupCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.solution_group_close(user=request.user, group=group, **data.validated_data)
        return Response(self.get_serializer(self.get_object()).data)


@extend_schema(tags=TAG)
class ActionViewSet(
    _Scoped,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = NetworkActionSerializer
    network_path = "meeting__group__challenge__network"
    queryset_base = Action.objects.all()

    @extend_schema(responses={201: NetworkActionSerializer, **WRITE_ERRORS})
    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        meeting = values.pop("meeting")
        permissions.get_network_for(request.user, meeting.group.challenge.network_id)
        created = services.action_add(user=request.user, meeting=meeting, **values)
        return Response(self.get_serializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: NetworkActionSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        done = services.action_done(user=request.user, action=self.get_object())
        return Response(self.get_serializer(done).data)


@extend_schema(tags=TAG)
class AgreementViewSet(
    _Scoped,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = AgreementSerializer
    queryset_base = Agreement.objects.prefetch_related(
        "parties", "changes__approvals", "signatories__user"
    )
    parser_classes = PARSERS

    def get_serializer_class(self):
        return AgreementDetailSerializer if self.action == "retrieve" else AgreementSerializer

    @extend_schema(responses={200: AgreementSerializer(many=True), **READ_ERRORS})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        responses={200: AgreementDetailSerializer, **DETAIL_ERRORS},
        description="With the history: each routine version and the dates it actually "
        "applied (from activation until the next version took over).",
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        request={
            "multipart/form-data": AgreementWriteSerializer,
            "application/json": AgreementWriteSerializer,
        },
        responses={201: AgreementDetailSerializer, **WRITE_ERRORS},
    )
    def create(self, request, *args, **kwargs):
        """Register an agreement: parties, effective date, the routine version attached and
        the signed PDF (multipart). Network coordinators of the network."""
        data = AgreementWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        network = permissions.get_network_for(request.user, values.pop("network"))
        routine = get_object_or_404(
            apps.get_model("resourcegroups", "Routine").objects.exclude(status="draft"),
            pk=as_pk(values.pop("routine_id")),
        )
        agreement = services.agreement_create(
            user=request.user,
            network=network,
            parties=list(network.agencies.filter(pk__in=values.pop("parties"))),
            routine_id=routine.pk,
            routine_label=str(routine),
            **values,
        )
        return Response(AgreementDetailSerializer(agreement).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The signed agreement (PDF)."
            ),
            **DETAIL_ERRORS,
        },
        description="404 when no PDF is stored or the agreement is not in your networks.",
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PdfRenderer])
    def document(self, request, pk=None):
        agreement = self.get_object()
        if not agreement.document:
            raise Http404
        return FileResponse(
            agreement.document.open("rb"),
            content_type="application/pdf",
            filename=f"samarbeidsavtale-{agreement.pk}.pdf",
        )

    @extend_schema(
        request=SignatoryWriteSerializer, responses={201: SignatorySerializer, **WRITE_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def signatories(self, request, pk=None):
        """Record the leader who signs for a party (one per party; again replaces)."""
        agreement = self.get_object()
        data = SignatoryWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        leader = get_object_or_404(get_user_model(), pk=as_pk(data.validated_data["leader"]))
        signatory = services.signatory_add(
            user=request.user,
            agreement=agreement,
            leader=leader,
            signed_on=data.validated_data["signed_on"],
        )
        return Response(SignatorySerializer(signatory).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAG)
class RoutineChangeViewSet(
    _Scoped,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = RoutineChangeSerializer
    network_path = "agreement__network"
    queryset_base = RoutineChange.objects.prefetch_related("approvals")

    @extend_schema(responses={201: RoutineChangeSerializer, **WRITE_ERRORS})
    def create(self, request, *args, **kwargs):
        """Propose a new routine version to every party of the agreement."""
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        agreement = values.pop("agreement")
        permissions.get_network_for(request.user, agreement.network_id)
        change = services.routine_change_propose(user=request.user, agreement=agreement, **values)
        return Response(self.get_serializer(change).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: RoutineChangeSerializer, **WRITE_ERRORS},
        description="Approve for the caller's agency (agency leaders of a party). Who and "
        "when are recorded; the version may be activated once every party has approved.",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        change = self.get_object()
        services.routine_change_approve(user=request.user, change=change)
        change.refresh_from_db()
        return Response(self.get_serializer(change).data, status=status.HTTP_200_OK)
