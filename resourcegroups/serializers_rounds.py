"""Serializers for the rounds API. Thin: shapes only; the rules live in the services."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kmv.access.models import Agency
from participants.models import Language

from .models import Interpreter, Room, Round, RoundDay, RoundEntry, RoutineStage, Unavailability
from .models.rounds import InterpreterWindow, StaffBlock


class RoundDaySerializer(serializers.ModelSerializer):
    class Meta:
        model = RoundDay
        fields = ["id", "date", "start", "end"]


class RoundSerializer(serializers.ModelSerializer):
    days = RoundDaySerializer(many=True, read_only=True)
    owner = serializers.StringRelatedField()

    class Meta:
        model = Round
        fields = [
            "id",
            "title",
            "owner",
            "status",
            "days",
            "stages",
            "rooms",
            "interpreters",
            "slot_minutes",
            "buffer_minutes",
            "time_limit_seconds",
            "solver_status",
            "solver_progress",
            "solver_objective",
            "solver_message",
            "solver_step",
            "published_at",
        ]
        read_only_fields = fields


class RoundCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    days = RoundDaySerializer(many=True)
    stages = serializers.PrimaryKeyRelatedField(queryset=RoutineStage.objects.all(), many=True)
    rooms = serializers.PrimaryKeyRelatedField(
        queryset=Room.objects.all(), many=True, required=False
    )
    interpreters = serializers.PrimaryKeyRelatedField(
        queryset=Interpreter.objects.all(), many=True, required=False
    )
    slot_minutes = serializers.IntegerField(min_value=15, max_value=240, default=60)
    buffer_minutes = serializers.IntegerField(min_value=0, max_value=120, default=15)
    time_limit_seconds = serializers.IntegerField(min_value=1, max_value=300, default=30)
    confirm_weekend = serializers.BooleanField(
        default=False, help_text=_("Set to true to hold the round on a Saturday or Sunday.")
    )


class ProposalSerializer(serializers.Serializer):
    meeting = serializers.IntegerField(source="meeting.pk")
    participant = serializers.CharField(source="meeting.participant")
    stage = serializers.IntegerField(source="meeting.stage.number")
    due_date = serializers.DateField(source="meeting.due_date", allow_null=True)
    overdue = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())


class EntriesAddSerializer(serializers.Serializer):
    meetings = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)


class EntrySerializer(serializers.ModelSerializer):
    participant = serializers.CharField(source="meeting.participant")
    stage = serializers.IntegerField(source="meeting.stage.number")
    start = serializers.DateTimeField(source="meeting.planned_start", allow_null=True)
    end = serializers.DateTimeField(source="meeting.planned_end", allow_null=True)

    class Meta:
        model = RoundEntry
        fields = [
            "id",
            "meeting",
            "participant",
            "stage",
            "day",
            "slot",
            "start",
            "end",
            "room",
            "interpreter",
            "locked",
            "reasons",
            "gaps",
        ]
        read_only_fields = fields


class MetricsSerializer(serializers.Serializer):
    scheduled = serializers.IntegerField()
    total = serializers.IntegerField()
    interpreter_bookings = serializers.IntegerField()
    idle_gaps = serializers.IntegerField()
    preference_misses = serializers.IntegerField()


class ScheduleSerializer(serializers.Serializer):
    entries = EntrySerializer(many=True)
    metrics = MetricsSerializer()


class UnavailabilitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Unavailability
        fields = ["id", "day", "staff", "interpreter", "participant", "start", "end", "note"]

    def validate(self, attrs):
        subjects = [k for k in ("staff", "interpreter", "participant") if attrs.get(k)]
        if len(subjects) != 1:
            raise serializers.ValidationError(
                _("Give exactly one of staff, interpreter or participant.")
            )
        return attrs


class MoveSerializer(serializers.Serializer):
    entry = serializers.IntegerField()
    day = serializers.IntegerField()
    slot = serializers.IntegerField(min_value=0)
    room = serializers.IntegerField()
    interpreter = serializers.IntegerField(required=False, allow_null=True)


class SwapSerializer(serializers.Serializer):
    a = serializers.IntegerField()
    b = serializers.IntegerField()


class LockSerializer(serializers.Serializer):
    entry = serializers.IntegerField()
    locked = serializers.BooleanField()


class GenerateSerializer(serializers.Serializer):
    run = serializers.IntegerField()
    status = serializers.CharField()


class RoomSerializer(serializers.ModelSerializer):
    """`agency` is taken only from system administrators; a planner's room is their own
    agency's. `version` (optimistic locking): send the one you read when you change it."""

    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), required=False)
    version = serializers.IntegerField(required=False)

    class Meta:
        model = Room
        fields = ["id", "agency", "name", "location", "capacity", "accessible", "active", "version"]


class InterpreterSerializer(serializers.ModelSerializer):
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.filter(kind=Agency.Kind.INTERPRETER_SERVICE),
        required=False,
        allow_null=True,
        help_text="The interpreter service whose roster the interpreter is on; null: external",
    )
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=Language.choices), allow_empty=False
    )
    version = serializers.IntegerField(required=False)

    class Meta:
        model = Interpreter
        fields = [
            "id",
            "name",
            "agency",
            "languages",
            "email",
            "phone",
            "authorised",
            "active",
            "version",
        ]


class InterpreterWindowSerializer(serializers.ModelSerializer):
    interpreter = serializers.PrimaryKeyRelatedField(queryset=Interpreter.objects.all())

    class Meta:
        model = InterpreterWindow
        fields = ["id", "interpreter", "date", "start", "end"]


class StaffBlockSerializer(serializers.ModelSerializer):
    class Meta:
        model = StaffBlock
        fields = ["id", "date", "start", "end", "note"]


class InterpreterBookingSerializer(serializers.Serializer):
    """Logistics only: no participant, no case."""

    id = serializers.IntegerField()
    date = serializers.DateField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    place = serializers.CharField()
    language = serializers.CharField()
    language_label = serializers.CharField()
