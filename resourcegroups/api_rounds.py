"""Rounds API: rounds, participant proposal, availability, scheduling (run, read, move,
swap, lock), publish. Same access as the pages: advisers of the round's agency; any other
caller gets 404 for a round (as for a missing one). Errors from the services are translated
by kmv.access.api_errors (domain ValidationError → 400, PermissionDenied → 403)."""

from contextlib import contextmanager

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kmv.access import audit, policy
from kmv.access.serializers import DETAIL_ERRORS, ERROR_400, READ_ERRORS
from kmv.errors import ConflictError
from kmv.ids import as_pk
from kmv.notify.selectors import invitation_status
from kmv.notify.serializers import MeetingInvitationsSerializer

from . import scheduler
from .audit_rounds import audit_proposal_read, audit_round_read
from .models import Interpreter, Meeting, Round, RoundEntry
from .serializers_rounds import (
    EntriesAddSerializer,
    GenerateSerializer,
    InterpreterBookingSerializer,
    InterpreterSerializer,
    InterpreterWindowSerializer,
    LockSerializer,
    MoveSerializer,
    ProposalSerializer,
    RoomSerializer,
    RoundCreateSerializer,
    RoundSerializer,
    ScheduleSerializer,
    StaffBlockSerializer,
    SwapSerializer,
    UnavailabilitySerializer,
)
from .services import rounds as services

WRITE_ERRORS = {400: ERROR_400, **DETAIL_ERRORS}
CREATE_ERRORS = {400: ERROR_400, **READ_ERRORS}
CONFLICT = OpenApiResponse(description="Someone else saved first: fetch again and resend.")


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Someone else saved this after you fetched it."
    default_code = "conflict"


def _object_or_404(view):
    """The URL's object among those the caller may see (`get_queryset`), or 404 — also for
    a pk that is not a number."""
    obj = view.get_queryset().filter(pk=as_pk(view.kwargs["pk"])).first()
    if obj is None:
        raise Http404
    return obj


@extend_schema(tags=["rounds"])
class RoundViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Rounds of resource-group meetings of the caller's agency (programme and follow-up
    advisers)."""

    serializer_class = RoundSerializer

    def get_queryset(self):
        return (
            services.rounds_for(self.request.user)
            .select_related("owner")
            .prefetch_related("days", "stages", "rooms", "interpreters")
            .order_by("-created_at", "pk")
        )

    def _round(self) -> Round:
        return _object_or_404(self)

    def _entry(self, rnd: Round, pk) -> RoundEntry:
        entry = rnd.entries.filter(pk=as_pk(pk)).select_related("round").first()
        if entry is None:
            raise Http404
        return entry

    @extend_schema(request=RoundCreateSerializer, responses={201: RoundSerializer, **WRITE_ERRORS})
    def create(self, request, *args, **kwargs):
        data = RoundCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        rnd = services.round_create(
            user=request.user,
            title=d["title"],
            days=[(x["date"], x["start"], x["end"]) for x in d["days"]],
            stages=d["stages"],
            rooms=d.get("rooms", []),
            interpreters=d.get("interpreters", []),
            slot_minutes=d["slot_minutes"],
            buffer_minutes=d["buffer_minutes"],
            time_limit_seconds=d["time_limit_seconds"],
            confirm_weekend=d["confirm_weekend"],
            request=request,
        )
        return Response(
            RoundSerializer(self.get_queryset().get(pk=rnd.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses={200: ProposalSerializer(many=True), **DETAIL_ERRORS})
    @action(detail=True, methods=["get"])
    def proposal(self, request, pk=None):
        """Everyone whose stage is due (or overdue) and not yet booked, with the reasons."""
        rows = services.proposal(user=request.user, rnd=self._round())
        audit_proposal_read(request, rows, channel="api")
        return Response(ProposalSerializer(rows, many=True).data)

    @extend_schema(
        request=EntriesAddSerializer,
        responses={200: OpenApiResponse(description="number added"), **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def entries(self, request, pk=None):
        rnd = self._round()
        data = EntriesAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meetings = list(Meeting.objects.filter(pk__in=data.validated_data["meetings"]))
        added = services.entries_add(user=request.user, rnd=rnd, meetings=meetings, request=request)
        return Response({"added": added})

    @extend_schema(
        methods=["get"], responses={200: UnavailabilitySerializer(many=True), **DETAIL_ERRORS}
    )
    @extend_schema(
        methods=["post"],
        request=UnavailabilitySerializer,
        responses={201: UnavailabilitySerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["get", "post"])
    def availability(self, request, pk=None):
        """Blocks when staff, interpreters or participants cannot attend."""
        rnd = self._round()
        if request.method == "GET":
            audit_round_read(request, rnd, channel="api", fields=["unavailability"])
            return Response(UnavailabilitySerializer(rnd.unavailability.all(), many=True).data)
        data = UnavailabilitySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        block = services.unavailability_add(
            user=request.user,
            rnd=rnd,
            day=d["day"],
            start=d["start"],
            end=d["end"],
            staff=d.get("staff"),
            interpreter=d.get("interpreter"),
            participant=d.get("participant"),
            note=d.get("note", ""),
        )
        return Response(UnavailabilitySerializer(block).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={202: GenerateSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def generate(self, request, pk=None):
        """Run the scheduler in the background; poll the round for progress."""
        run = services.generate_start(user=request.user, rnd=self._round(), request=request)
        return Response({"run": run, "status": "queued"}, status=status.HTTP_202_ACCEPTED)

    def _schedule(self, rnd: Round) -> Response:
        loaded = services.load_instance(rnd)
        metrics = scheduler.evaluate(loaded.instance, services.current_placements(loaded))
        entries = rnd.entries.select_related("meeting__participant", "meeting__stage").order_by(
            "day__date", "slot", "pk"
        )
        audit_round_read(self.request, rnd, channel="api")
        return Response(ScheduleSerializer({"entries": entries, "metrics": metrics}).data)

    @extend_schema(responses={200: ScheduleSerializer, **DETAIL_ERRORS})
    @action(detail=True, methods=["get"])
    def schedule(self, request, pk=None):
        """The current schedule: placed and unplaced meetings (with what blocks them)."""
        return self._schedule(self._round())

    @extend_schema(request=MoveSerializer, responses={200: ScheduleSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move one meeting; checked by the scheduler's rules."""
        rnd = self._round()
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        day = rnd.days.filter(pk=d["day"]).first()
        room = rnd.rooms.filter(pk=d["room"]).first()
        if day is None or room is None:
            raise Http404
        interpreter = None
        if d.get("interpreter"):
            interpreter = Interpreter.objects.filter(pk=d["interpreter"]).first()
        services.entry_move(
            user=request.user,
            entry=self._entry(rnd, d["entry"]),
            day=day,
            slot=d["slot"],
            room=room,
            interpreter=interpreter,
            request=request,
        )
        return self._schedule(rnd)

    @extend_schema(request=SwapSerializer, responses={200: ScheduleSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def swap(self, request, pk=None):
        rnd = self._round()
        data = SwapSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.entries_swap(
            user=request.user,
            a=self._entry(rnd, data.validated_data["a"]),
            b=self._entry(rnd, data.validated_data["b"]),
            request=request,
        )
        return self._schedule(rnd)

    @extend_schema(request=LockSerializer, responses={200: ScheduleSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def lock(self, request, pk=None):
        """Lock (or unlock) a placement: the next scheduler run keeps it."""
        rnd = self._round()
        data = LockSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.entry_lock(
            user=request.user,
            entry=self._entry(rnd, data.validated_data["entry"]),
            locked=data.validated_data["locked"],
        )
        return self._schedule(rnd)

    @extend_schema(request=None, responses={200: RoundSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Accept the schedule: book the meetings and queue the invitations."""
        rnd = self._round()
        services.round_publish(user=request.user, rnd=rnd, request=request)
        return Response(RoundSerializer(self.get_queryset().get(pk=rnd.pk)).data)

    @extend_schema(responses={200: MeetingInvitationsSerializer(many=True), **DETAIL_ERRORS})
    @action(detail=True, methods=["get"])
    def invitations(self, request, pk=None):
        """Per placed meeting, each recipient's invitation state from the outbox (pending,
        sent, failed; attempts; sent_at; iCalendar SEQUENCE). Recipients are named by their
        part (no addresses); a participant by name only where the caller may see them."""
        rnd = self._round()
        meetings = [
            e.meeting
            for e in rnd.entries.filter(day__isnull=False)
            .select_related("meeting__participant")
            .order_by("day__date", "slot", "pk")
        ]
        rows = invitation_status(meetings, visible_participants=_visible(request.user, meetings))
        audit.record(
            request=request,
            action=audit.Action.LIST,
            object_type="meeting",
            object_ids=[m.pk for m in meetings],
            fields=["invitations"],
            channel="api",
        )
        return Response(
            MeetingInvitationsSerializer(
                [{"meeting": m.pk, "recipients": rows[m.pk]} for m in meetings], many=True
            ).data
        )


def _visible(user, meetings) -> set[int]:
    return set(
        policy.participants_for(user)
        .filter(pk__in=[m.participant_id for m in meetings])
        .values_list("pk", flat=True)
    )


@contextmanager
def _conflict():
    try:
        yield
    except ConflictError:
        raise Conflict() from None


@extend_schema(tags=["rounds"])
class RoomViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Meeting rooms: capacity, step-free access, in use. Programme and follow-up advisers
    manage their own agency's rooms, system administrators all; others see none. Deactivate
    with PATCH {"active": false, "version": n}."""

    serializer_class = RoomSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return services.rooms_for(self.request.user).order_by("agency_id", "name", "pk")

    def get_object(self):
        return _object_or_404(self)

    @extend_schema(responses={201: RoomSerializer, **CREATE_ERRORS})
    def create(self, request, *args, **kwargs):
        data = RoomSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        room = services.room_create(
            user=request.user,
            name=d["name"],
            location=d.get("location", ""),
            capacity=d.get("capacity", 8),
            accessible=d.get("accessible", True),
            agency=d.get("agency"),
            request=request,
        )
        return Response(RoomSerializer(room).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: RoomSerializer, 409: CONFLICT, **WRITE_ERRORS})
    def partial_update(self, request, *args, **kwargs):
        room = self.get_object()
        data = RoomSerializer(room, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        d.pop("agency", None)
        version = d.pop("version", None)
        with _conflict():
            room = services.room_update(
                user=request.user, room=room, version=version, request=request, **d
            )
        return Response(RoomSerializer(room).data)


@extend_schema(tags=["rounds"])
class InterpreterViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The interpreter register: external interpreters and interpreter services' rosters,
    with languages. Managed by programme and follow-up advisers and system administrators;
    others see none. Deactivate with PATCH {"active": false, "version": n}."""

    serializer_class = InterpreterSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return services.interpreters_for(self.request.user).order_by("name", "pk")

    def get_object(self):
        return _object_or_404(self)

    @extend_schema(responses={201: InterpreterSerializer, **CREATE_ERRORS})
    def create(self, request, *args, **kwargs):
        data = InterpreterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        d.pop("version", None)
        d.pop("active", None)
        interpreter = services.interpreter_create(user=request.user, request=request, **d)
        return Response(InterpreterSerializer(interpreter).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: InterpreterSerializer, 409: CONFLICT, **WRITE_ERRORS})
    def partial_update(self, request, *args, **kwargs):
        interpreter = self.get_object()
        data = InterpreterSerializer(interpreter, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        version = d.pop("version", None)
        with _conflict():
            interpreter = services.interpreter_update(
                user=request.user, interpreter=interpreter, version=version, request=request, **d
            )
        return Response(InterpreterSerializer(interpreter).data)


@extend_schema(tags=["rounds"])
class InterpreterWindowViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Times interpreters ARE available (today on). Once an interpreter has any window on
    one of a round's dates, the round's scheduler treats them as unavailable outside their
    windows on every day of that round; without windows on those dates they count as
    available. Entered by the interpreter, their service, or a round planner."""

    serializer_class = InterpreterWindowSerializer
    pagination_class = None

    def get_queryset(self):
        qs = services.interpreter_windows_for(self.request.user).order_by("date", "start", "pk")
        interpreter = self.request.query_params.get("interpreter")
        if interpreter:
            field = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
            try:
                pk = field.run_validation(interpreter)
            except exceptions.ValidationError as exc:
                raise exceptions.ValidationError({"interpreter": exc.detail}) from None
            qs = qs.filter(interpreter_id=pk)
        return qs

    @extend_schema(
        parameters=[OpenApiParameter("interpreter", int, description="only this interpreter")],
        responses={200: InterpreterWindowSerializer(many=True), 400: ERROR_400, **READ_ERRORS},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={201: InterpreterWindowSerializer, **CREATE_ERRORS})
    def create(self, request, *args, **kwargs):
        data = InterpreterWindowSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        window = services.interpreter_window_add(
            user=request.user,
            interpreter=d["interpreter"],
            on=d["date"],
            start=d["start"],
            end=d["end"],
            request=request,
        )
        return Response(InterpreterWindowSerializer(window).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None, **DETAIL_ERRORS})
    def destroy(self, request, *args, **kwargs):
        if not services.interpreter_window_delete(user=request.user, window_id=as_pk(kwargs["pk"])):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["rounds"])
class StaffBlockViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """My availability: times the caller cannot attend any meeting (today on). Every round
    on that date keeps the caller's meetings out of them. Only one's own."""

    serializer_class = StaffBlockSerializer
    pagination_class = None

    def get_queryset(self):
        return services.staff_blocks_for(self.request.user).order_by("date", "start", "pk")

    @extend_schema(responses={200: StaffBlockSerializer(many=True), **READ_ERRORS})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={201: StaffBlockSerializer, **CREATE_ERRORS})
    def create(self, request, *args, **kwargs):
        data = StaffBlockSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        block = services.staff_block_add(
            user=request.user,
            on=d["date"],
            start=d["start"],
            end=d["end"],
            note=d.get("note", ""),
            request=request,
        )
        return Response(StaffBlockSerializer(block).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None, **DETAIL_ERRORS})
    def destroy(self, request, *args, **kwargs):
        if not services.staff_block_delete(user=request.user, block_id=as_pk(kwargs["pk"])):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["rounds"])
class InterpreterBookingViewSet(viewsets.GenericViewSet):
    """An interpreter's own bookings in published rounds: date, time, place and language
    only — never the participant or anything about the case. Empty for everyone else."""

    serializer_class = InterpreterBookingSerializer
    pagination_class = None
    queryset = RoundEntry.objects.none()  # for the schema only: rows come from the service

    @extend_schema(responses={200: InterpreterBookingSerializer(many=True), **READ_ERRORS})
    def list(self, request):
        rows = services.interpreter_bookings(request.user)
        return Response(InterpreterBookingSerializer(rows, many=True).data)
