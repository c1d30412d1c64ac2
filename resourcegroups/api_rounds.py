"""Rounds API: rounds, participant proposal, availability, scheduling (run, read, move,
swap, lock), publish. Same access as the pages: advisers of the round's agency; any other
caller gets 404 for a round (as for a missing one). Errors from the services are translated
by kmv.access.api_errors (domain ValidationError → 400, PermissionDenied → 403)."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kmv.access.serializers import DETAIL_ERRORS, ERROR_400
from kmv.ids import as_pk

from . import scheduler
from .models import Interpreter, Meeting, Round, RoundEntry
from .serializers_rounds import (
    EntriesAddSerializer,
    GenerateSerializer,
    LockSerializer,
    MoveSerializer,
    ProposalSerializer,
    RoundCreateSerializer,
    RoundSerializer,
    ScheduleSerializer,
    SwapSerializer,
    UnavailabilitySerializer,
)
from .services import rounds as services

WRITE_ERRORS = {400: ERROR_400, **DETAIL_ERRORS}


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
        rnd = self.get_queryset().filter(pk=as_pk(self.kwargs["pk"])).first()
        if rnd is None:
            raise Http404
        return rnd

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
