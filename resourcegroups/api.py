"""Routine, resource-group and meeting API: parse, authorise through kmv.access.policy and
resourcegroups.selectors, call the service, render. Reads of participant data are audited;
lists are scoped querysets.

Access: a meeting (or group) of a participant the caller may not see answers 404, the same as
a missing one; a visible meeting the caller may not change answers 403 with the service's
reason.
"""

import io
import json
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kmv.access import audit, policy
from kmv.access.serializers import (
    DETAIL_ERRORS,
    ERROR_400,
    ERROR_409,
    READ_ERRORS,
)

from . import selectors, services
from .filters import MeetingFilter, ResourceGroupFilter, RoutineFilter
from .models import (
    Attendance,
    ChecklistAnswer,
    ChecklistItem,
    Meeting,
    MeetingInvitee,
    MeetingNote,
    Membership,
    Minutes,
    MinutesApproval,
    ResourceGroup,
    Routine,
    RoutineStage,
)
from .serializers import (
    AddendumWriteSerializer,
    AnswerConflictSerializer,
    AnswerSavedSerializer,
    AnswerWriteSerializer,
    ConcernSerializer,
    MeetingDetailSerializer,
    MeetingSerializer,
    MeetingStatusWriteSerializer,
    MinutesAddendumSerializer,
    MinutesSerializer,
    MinutesWriteSerializer,
    NoteSerializer,
    NoteWriteSerializer,
    ParticipantRefSerializer,
    ResourceGroupSerializer,
    RoutineActivateSerializer,
    RoutineCreateSerializer,
    RoutineSerializer,
    RoutineStageSerializer,
    RoutineStageWriteSerializer,
    RoutineUpdateSerializer,
    ScheduleSerializer,
)
from .services import routines as routine_services
from .services.checklist import progress as checklist_progress
from .services.minutes import attending_agencies, notes_visible

CHANNEL = "api"
WRITE_ERRORS = {400: ERROR_400, **DETAIL_ERRORS, 409: ERROR_409}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Someone else saved this since you fetched it. Fetch it again.")
    default_code = "conflict"


@contextmanager
def _service_errors():
    """Keep the service's translated reason on a 403 and turn a stale version into a 409;
    other domain ValidationErrors go on to the exception handler as structured 400s."""
    try:
        yield
    except services.ConflictError as exc:
        raise Conflict(" ".join(exc.messages) or None) from None
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from None


def _denied(request, object_type: str, pk, participant_id) -> None:
    audit.record(
        request=request,
        action=audit.Action.DENIED,
        object_type=object_type,
        object_id=pk,
        participant_id=participant_id,
        channel=CHANNEL,
    )


def _audit_view(request, obj, participant_id: int) -> None:
    audit.record(
        request=request,
        action=audit.Action.VIEW,
        obj=obj,
        participant_id=participant_id,
        channel=CHANNEL,
    )


def _audit_list(request, object_type: str, rows) -> None:
    audit.record(
        request=request,
        action=audit.Action.LIST,
        object_type=object_type,
        object_ids=[row.pk for row in rows],
        channel=CHANNEL,
    )


def _int_or_404(pk) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404 from None


# --- Routines -----------------------------------------------------------------------------


def _require_routine_writer(user) -> None:
    if not routine_services.may_write_routines(user):
        raise exceptions.PermissionDenied(_("Only network coordinators can change the routine."))


@extend_schema_view(
    list=extend_schema(
        summary=_("Routine versions with their stages and checklist items"),
        description=_(
            "Texts are given in the request language (`text`, `name`) and as stored "
            "(`text_nb`/`text_en`, `name_nb`/`name_en`)."
        ),
        responses={200: RoutineSerializer(many=True), 400: ERROR_400, **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary=_("One routine version"), responses={200: RoutineSerializer, **DETAIL_ERRORS}
    ),
    create=extend_schema(
        summary=_("Start a new draft version from an existing one (network coordinators)"),
        request=RoutineCreateSerializer,
        responses={201: RoutineSerializer, 400: ERROR_400, **READ_ERRORS},
    ),
    partial_update=extend_schema(
        summary=_("Change a draft version (network coordinators)"),
        description=_("Active and retired versions are never changed: 400."),
        request=RoutineUpdateSerializer,
        responses={200: RoutineSerializer, 400: ERROR_400, **DETAIL_ERRORS},
    ),
)
class RoutineViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    # No participant data: every staff member reads the routine; only network coordinators
    # write (resourcegroups.services.routines decides, the view refuses early with 403).
    # No PUT and no DELETE: a version is drafted, changed field by field, activated.

    serializer_class = RoutineSerializer
    filterset_class = RoutineFilter
    lookup_value_converter = "int"

    def get_queryset(self):
        return Routine.objects.prefetch_related(
            Prefetch("stages", queryset=RoutineStage.objects.prefetch_related("items"))
        ).order_by("name", "-version", "id")

    def _render(self, routine: Routine, status_code=status.HTTP_200_OK) -> Response:
        routine = self.get_queryset().get(pk=routine.pk)
        data = RoutineSerializer(routine, context=self.get_serializer_context()).data
        return Response(data, status=status_code)

    def create(self, request, *args, **kwargs):
        _require_routine_writer(request.user)
        body = RoutineCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        source = Routine.objects.filter(pk=body.validated_data["based_on"]).first()
        if source is None:
            raise exceptions.ValidationError({"based_on": [_("No such routine version.")]})
        with _service_errors():
            draft = routine_services.routine_draft_copy(
                user=request.user, routine=source, request=request
            )
        return self._render(draft, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None, *args, **kwargs):
        _require_routine_writer(request.user)
        routine = self.get_object()
        body = RoutineUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with _service_errors():
            routine = routine_services.routine_update(
                user=request.user, routine=routine, request=request, **body.validated_data
            )
        return self._render(routine)

    @extend_schema(
        summary=_("Put a draft version in force from a date (network coordinators)"),
        request=RoutineActivateSerializer,
        responses={200: RoutineSerializer, 400: ERROR_400, **DETAIL_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        _require_routine_writer(request.user)
        routine = self.get_object()
        body = RoutineActivateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with _service_errors():
            routine = routine_services.routine_activate(
                user=request.user,
                routine=routine,
                effective_from=body.validated_data["effective_from"],
                request=request,
            )
        return self._render(routine)

    @extend_schema(
        summary=_("Change a stage of a draft version (network coordinators)"),
        request=RoutineStageWriteSerializer,
        responses={200: RoutineStageSerializer, 400: ERROR_400, **DETAIL_ERRORS},
    )
    @action(
        detail=True,
        methods=["patch"],
        url_path="stages/<int:stage_id>",
        url_name="stage",
    )
    def stage(self, request, pk=None, stage_id=None):
        _require_routine_writer(request.user)
        routine = self.get_object()
        stage = RoutineStage.objects.filter(pk=stage_id, routine=routine).first()
        if stage is None:
            raise Http404
        body = RoutineStageWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with _service_errors():
            stage = routine_services.stage_update(
                user=request.user, stage=stage, request=request, **body.validated_data
            )
        stage = RoutineStage.objects.prefetch_related("items").get(pk=stage.pk)
        return Response(RoutineStageSerializer(stage, context=self.get_serializer_context()).data)


# --- Resource groups ----------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary=_("Resource groups of the participants you may see"),
        description=_(
            "With every membership, ended ones included (dated history). Each call is "
            "audit-logged with the group ids on the page."
        ),
        responses={200: ResourceGroupSerializer(many=True), 400: ERROR_400, **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary=_("One resource group (audit-logged)"),
        responses={200: ResourceGroupSerializer, **DETAIL_ERRORS},
    ),
)
class ResourceGroupViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = ResourceGroupSerializer
    filterset_class = ResourceGroupFilter
    lookup_value_converter = "int"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ResourceGroup.objects.none()
        visible = policy.participants_for(self.request.user).values("pk")
        return (
            ResourceGroup.objects.filter(participant__in=visible)
            .select_related("contact_person")
            .prefetch_related(
                Prefetch(
                    "memberships",
                    queryset=Membership.objects.select_related("staff", "agency").order_by(
                        "start_date", "id"
                    ),
                )
            )
            .order_by("participant_id")
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def list(self, request, *args, **kwargs):
        # Queries: COUNT, the page (with contact person), memberships (with staff and
        # agency), the audit insert.
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        _audit_list(request, "resourcegroup", rows)
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, pk=None, *args, **kwargs):
        pk = _int_or_404(pk)
        group = self.get_queryset().filter(pk=pk).first()
        if group is None:
            owner = ResourceGroup.objects.filter(pk=pk).values_list("participant_id", flat=True)
            _denied(request, "resourcegroup", pk, owner.first())
            raise Http404
        _audit_view(request, group, group.participant_id)
        return Response(self.get_serializer(group).data)


# --- Meetings -----------------------------------------------------------------------------


class PdfRenderer(renderers.BaseRenderer):
    """Lets clients ask for `application/pdf`; errors still come out as JSON text."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data, default=str).encode()


ATTENDANCE_SCHEMA = {
    "type": "object",
    "description": "Invitee id → present, absent, excused (or empty: not recorded).",
    "additionalProperties": {"type": "string", "enum": list(Attendance.values)},
    "example": {"12": "present", "13": "excused"},
}


@extend_schema_view(
    list=extend_schema(
        summary=_("Meetings of the participants you may see"),
        description=_(
            "Filter by participant, status, stage number, due date, or `mine=true` for "
            "meetings you are invited to or responsible for. Each call is audit-logged with "
            "the meeting ids on the page."
        ),
        responses={200: MeetingSerializer(many=True), 400: ERROR_400, **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary=_("One meeting with invitees, attendance and checklist (audit-logged)"),
        responses={200: MeetingDetailSerializer, **DETAIL_ERRORS},
    ),
)
class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    lookup_value_converter = "int"

    def _scoped(self):
        return selectors.meetings_for(self.request.user).select_related(
            "participant", "stage", "routine"
        )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Meeting.objects.none()
        return (
            self._scoped()
            .annotate(item_count=Count("stage__items", distinct=True))
            .prefetch_related(Prefetch("answers", queryset=ChecklistAnswer.objects.all()))
            .order_by("due_date", "planned_start", "id")
        )

    def get_serializer_class(self):
        return MeetingDetailSerializer if self.action == "retrieve" else MeetingSerializer

    def _meeting(self, pk, *, detail=False, log_read=False) -> Meeting:
        """The meeting if the caller may see its participant; 404 (audited) otherwise."""
        pk = _int_or_404(pk)
        # actions get the bare meeting: the services read what they need fresh
        queryset = self.get_queryset() if detail else self._scoped()
        if detail:
            queryset = queryset.prefetch_related(
                Prefetch(
                    "invitees",
                    queryset=MeetingInvitee.objects.select_related("staff", "agency"),
                ),
                Prefetch("stage__items", queryset=ChecklistItem.objects.order_by("order")),
            )
        meeting = queryset.filter(pk=pk).first()
        if meeting is None:
            owner = Meeting.objects.filter(pk=pk).values_list("participant_id", flat=True)
            _denied(self.request, "meeting", pk, owner.first())
            raise Http404
        if log_read:
            _audit_view(self.request, meeting, meeting.participant_id)
        return meeting

    def _detail(self, pk, *, status_code=status.HTTP_200_OK) -> Response:
        meeting = self._meeting(pk, detail=True)
        data = MeetingDetailSerializer(meeting, context=self.get_serializer_context()).data
        return Response(data, status=status_code)

    def _minutes(self, meeting: Meeting) -> Minutes:
        minutes = (
            Minutes.objects.filter(meeting=meeting)
            .prefetch_related(
                "actions",
                "addenda",
                Prefetch("approvals", queryset=MinutesApproval.objects.select_related("agency")),
            )
            .first()
        )
        if minutes is None:
            raise Http404
        return minutes

    def _render_minutes(self, meeting: Meeting, minutes: Minutes | None = None) -> dict:
        minutes = self._minutes(meeting) if minutes is None else minutes
        approved = {a.agency_id for a in minutes.approvals.all()}
        minutes.awaiting_agencies = [
            a.pk for a in attending_agencies(meeting) if a.pk not in approved
        ]
        shown = selectors.minutes_for(
            minutes,
            policy.visible_categories(self.request.user, meeting.participant),
            own_agency_id=self.request.user.agency_id,
            actions=list(minutes.actions.all()),
            addenda=list(minutes.addenda.all()),
        )
        return MinutesSerializer(shown).data

    def list(self, request, *args, **kwargs):
        # Queries: COUNT, the page (with participant, stage, routine and the item count),
        # the answers of the page, the audit insert.
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        _audit_list(request, "meeting", rows)
        data = MeetingSerializer(rows, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, pk=None, *args, **kwargs):
        meeting = self._meeting(pk, detail=True, log_read=True)
        return Response(
            MeetingDetailSerializer(meeting, context=self.get_serializer_context()).data
        )

    # -- booking and status ------------------------------------------------------------

    @extend_schema(
        summary=_("Set time and place (the responsible adviser; send the version you fetched)"),
        request=ScheduleSerializer,
        responses={200: MeetingDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def schedule(self, request, pk=None):
        meeting = self._meeting(pk)
        body = ScheduleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with _service_errors():
            services.meeting_schedule(
                user=request.user, meeting=meeting, request=request, **body.validated_data
            )
        return self._detail(pk)

    @extend_schema(
        summary=_("Change the status (the responsible adviser)"),
        request=MeetingStatusWriteSerializer,
        responses={200: MeetingDetailSerializer, 400: ERROR_400, **DETAIL_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="status", url_name="status")
    def set_status(self, request, pk=None):
        meeting = self._meeting(pk)
        body = MeetingStatusWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with _service_errors():
            services.meeting_set_status(
                user=request.user,
                meeting=meeting,
                status=body.validated_data["status"],
                request=request,
            )
        return self._detail(pk)

    @extend_schema(
        summary=_("Record attendance: {invitee id: value} (the responsible adviser)"),
        request={"application/json": ATTENDANCE_SCHEMA},
        responses={200: MeetingDetailSerializer, 400: ERROR_400, **DETAIL_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        meeting = self._meeting(pk)
        if not isinstance(request.data, dict) or not request.data:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Send {invitee id: attendance}.")]}
            )
        try:
            values = {int(k): v for k, v in request.data.items()}
        except (TypeError, ValueError):
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Unknown member or attendance value.")]}
            ) from None
        with _service_errors():
            services.attendance_record(
                user=request.user, meeting=meeting, attendance=values, request=request
            )
        return self._detail(pk)

    @extend_schema(
        summary=_("Call an extra meeting on concern about progress"),
        request=ConcernSerializer,
        responses={201: MeetingDetailSerializer, 400: ERROR_400, **DETAIL_ERRORS},
    )
    @action(detail=False, methods=["post"])
    def concern(self, request):
        # Access first, so someone who may not see the participant learns nothing from
        # the validation of the rest of the body.
        ref = ParticipantRefSerializer(data=request.data)
        ref.is_valid(raise_exception=True)
        participant = policy.get_participant_for(
            request, ref.validated_data["participant"], channel=CHANNEL, log_read=False
        )
        body = ConcernSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with _service_errors():
            meeting = services.meeting_create_concern(
                user=request.user,
                participant=participant,
                reason=body.validated_data["reason"],
                request=request,
            )
        return self._detail(meeting.pk, status_code=status.HTTP_201_CREATED)

    # -- checklist ---------------------------------------------------------------------

    @extend_schema(
        summary=_("Save one checklist answer (send the answer version you fetched)"),
        request=AnswerWriteSerializer,
        responses={
            200: AnswerSavedSerializer,
            400: ERROR_400,
            **DETAIL_ERRORS,
            409: OpenApiResponse(
                AnswerConflictSerializer,
                description=_("Someone else saved this answer first: merge with `current`."),
            ),
        },
    )
    @action(
        detail=True,
        methods=["put"],
        url_path="answers/<int:item_id>",
        url_name="answer",
    )
    def answer(self, request, pk=None, item_id=None):
        meeting = self._meeting(pk)
        item = ChecklistItem.objects.filter(pk=item_id, stage_id=meeting.stage_id).first()
        if item is None:
            raise Http404
        body = AnswerWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            with _service_errors():
                answer = services.answer_save(
                    user=request.user,
                    meeting=meeting,
                    item=item,
                    request=request,
                    **body.validated_data,
                )
        except Conflict as exc:
            current = ChecklistAnswer.objects.filter(meeting=meeting, item=item).first()
            return Response(
                {
                    "detail": exc.detail,
                    "current": {
                        "value": current.value,
                        "version": current.version,
                        "answered_by": current.answered_by_id,
                    }
                    if current
                    else None,
                },
                status=status.HTTP_409_CONFLICT,
            )
        answered, total = checklist_progress(meeting)
        return Response(
            {"version": answer.version, "progress": {"answered": answered, "total": total}}
        )

    # -- notes: the caller's own agency only -------------------------------------------

    def _note_data(self, meeting: Meeting, note: MeetingNote | None) -> dict:
        if note is None:
            note = MeetingNote(meeting=meeting, agency_id=self.request.user.agency_id, version=0)
        return NoteSerializer(note).data

    @extend_schema(
        methods=["GET"],
        summary=_("Your agency's own notes for the meeting (audit-logged)"),
        description=_("Never another agency's notes. `version` is 0 before anyone has written."),
        responses={200: NoteSerializer, **DETAIL_ERRORS},
    )
    @extend_schema(
        methods=["PUT"],
        summary=_("Save your agency's notes (send the version you fetched)"),
        request=NoteWriteSerializer,
        responses={200: NoteSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["get", "put"])
    def notes(self, request, pk=None):
        meeting = self._meeting(pk)
        if not request.user.agency_id:
            raise exceptions.PermissionDenied(_("You cannot write notes for this meeting."))
        if request.method == "GET":
            note = notes_visible(request.user, meeting).first()
            audit.record(
                request=request,
                action=audit.Action.VIEW,
                object_type="meetingnote",
                object_id=note.pk if note else "",
                participant_id=meeting.participant_id,
                channel=CHANNEL,
            )
            return Response(self._note_data(meeting, note))
        body = NoteWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with _service_errors():
            note = services.note_save(
                user=request.user, meeting=meeting, request=request, **body.validated_data
            )
        return Response(self._note_data(meeting, note))

    # -- minutes -----------------------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        summary=_("The shared minutes (audit-logged; 404 before anyone has written them)"),
        responses={200: MinutesSerializer, **DETAIL_ERRORS},
    )
    @extend_schema(
        methods=["PUT"],
        summary=_("Compose the minutes (the responsible adviser; send the version you fetched)"),
        description=_(
            "Approved minutes are locked: a change answers 400, add an addendum instead. A "
            "change after the minutes were sent for approval clears the approvals."
        ),
        request=MinutesWriteSerializer,
        responses={200: MinutesSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["get", "put"])
    def minutes(self, request, pk=None):
        meeting = self._meeting(pk)
        if request.method == "GET":
            minutes = self._minutes(meeting)
            _audit_view(request, minutes, meeting.participant_id)
            return Response(self._render_minutes(meeting, minutes))
        body = MinutesWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        data["actions"] = [dict(a) for a in data["actions"]]
        with _service_errors():
            services.minutes_compose(user=request.user, meeting=meeting, request=request, **data)
        return Response(self._render_minutes(meeting))

    @extend_schema(
        summary=_("Send the minutes for approval (the responsible adviser)"),
        request=None,
        responses={200: MinutesSerializer, 400: ERROR_400, **DETAIL_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="minutes/submit", url_name="minutes-submit")
    def minutes_submit(self, request, pk=None):
        meeting = self._meeting(pk)
        minutes = self._minutes(meeting)
        with _service_errors():
            services.minutes_submit(user=request.user, minutes=minutes, request=request)
        return Response(self._render_minutes(meeting))

    @extend_schema(
        summary=_("Approve the minutes for your agency"),
        description=_(
            "Every agency that attended approves; the last approval locks the minutes and "
            "stores the archive copy."
        ),
        request=None,
        responses={200: MinutesSerializer, 400: ERROR_400, **DETAIL_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="minutes/approve", url_name="minutes-approve")
    def minutes_approve(self, request, pk=None):
        meeting = self._meeting(pk)
        minutes = self._minutes(meeting)
        with _service_errors():
            services.minutes_approve(user=request.user, minutes=minutes, request=request)
        meeting.refresh_from_db(fields=["status"])
        return Response(self._render_minutes(meeting))

    @extend_schema(
        summary=_("Add a correction to approved minutes (attending agencies)"),
        request=AddendumWriteSerializer,
        responses={201: MinutesAddendumSerializer, 400: ERROR_400, **DETAIL_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="minutes/addenda", url_name="minutes-addenda")
    def minutes_addenda(self, request, pk=None):
        meeting = self._meeting(pk)
        minutes = self._minutes(meeting)
        body = AddendumWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with _service_errors():
            addendum = services.minutes_addendum(
                user=request.user,
                minutes=minutes,
                text=body.validated_data["text"],
                request=request,
            )
        return Response(MinutesAddendumSerializer(addendum).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("The archive copy of the approved minutes (PDF, audit-logged)"),
        description=_(
            "For agencies that attended the meeting and the agency responsible for the "
            "participant. 404 when there is no archive copy yet, or it is not yours to see."
        ),
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description=_("The stored PDF.")
            ),
            **DETAIL_ERRORS,
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="minutes/pdf",
        url_name="minutes-pdf",
        renderer_classes=[renderers.JSONRenderer, PdfRenderer],
    )
    def minutes_pdf(self, request, pk=None):
        meeting = self._meeting(pk)
        user = request.user
        allowed = user.agency_id is not None and (
            user.agency_id == meeting.participant.owner_agency_id
            or user.agency_id in {a.pk for a in attending_agencies(meeting)}
        )
        minutes = Minutes.objects.filter(meeting=meeting).first()
        if not allowed or minutes is None or not minutes.pdf:
            if not allowed:
                _denied(request, "minutes", minutes.pk if minutes else "", meeting.participant_id)
            raise Http404
        audit.record(
            request=request,
            action=audit.Action.DOWNLOAD,
            obj=minutes,
            participant_id=meeting.participant_id,
            channel=CHANNEL,
        )
        # the complete stored PDF, or the excerpt of what the caller's agency may see
        from .archive import copy_pdf_for

        data, _excerpt = copy_pdf_for(minutes, user.agency)
        return FileResponse(
            io.BytesIO(data),
            content_type="application/pdf",
            as_attachment=True,
            filename=f"referat-{meeting.pk}.pdf",
        )
