from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import (
    Action,
    AgendaItem,
    Agreement,
    Body,
    BodyMembership,
    Challenge,
    EvaluationAnswer,
    Network,
    NetworkMeeting,
    PartyCheck,
    ProfessionalDay,
    ProgrammeSegment,
    Registration,
    RoutineApproval,
    RoutineChange,
    Signatory,
    SolutionGroup,
    SolutionMeeting,
    StatusReport,
)


class NetworkSerializer(serializers.ModelSerializer):
    class Meta:
        model = Network
        fields = ["id", "name", "region", "agencies"]


class BodyMembershipSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="user.get_full_name", read_only=True)

    class Meta:
        model = BodyMembership
        fields = ["id", "user", "name", "agency", "role", "starts_on", "ends_on"]


class BodySerializer(serializers.ModelSerializer):
    memberships = BodyMembershipSerializer(many=True, read_only=True)

    class Meta:
        model = Body
        fields = ["id", "network", "kind", "memberships"]


class MemberWriteSerializer(serializers.Serializer):
    user = serializers.IntegerField()
    role = serializers.ChoiceField(choices=BodyMembership.Role.choices)
    starts_on = serializers.DateField()


class AgendaItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "meeting",
            "order",
            "kind",
            "title",
            "description",
            "decision",
            "status_report",
        ]
        read_only_fields = ["meeting", "order", "decision", "status_report"]


class AgendaDecisionSerializer(serializers.Serializer):
    decision = serializers.CharField()


class NetworkMeetingSerializer(serializers.ModelSerializer):
    items = AgendaItemSerializer(many=True, read_only=True)

    class Meta:
        model = NetworkMeeting
        fields = [
            "id",
            "body",
            "host",
            "title",
            "start",
            "end",
            "place",
            "status",
            "minutes_summary",
            "minutes_published_at",
            "items",
        ]
        read_only_fields = ["status", "minutes_summary", "minutes_published_at"]
        extra_kwargs = {"host": {"required": False, "allow_null": True}}


class MinutesPublishSerializer(serializers.Serializer):
    summary = serializers.CharField(required=False, allow_blank=True, default="")


class ProgrammeSegmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgrammeSegment
        fields = ["id", "order", "kind", "title", "starts_at", "presenter"]


class ProfessionalDaySerializer(serializers.ModelSerializer):
    segments = ProgrammeSegmentSerializer(many=True, read_only=True)

    class Meta:
        model = ProfessionalDay
        fields = [
            "id",
            "network",
            "kind",
            "theme",
            "date",
            "place",
            "online",
            "online_url",
            "status",
            "invited_agencies",
            "part2_delay_days",
            "part2_sent_at",
            "segments",
        ]
        read_only_fields = ["status", "part2_sent_at"]


class EvaluationSubmitSerializer(serializers.Serializer):
    token = serializers.CharField()
    usefulness = serializers.IntegerField(min_value=1, max_value=5, required=False)
    most_useful = serializers.CharField(required=False, allow_blank=True)
    missing_competence = serializers.CharField(required=False, allow_blank=True)
    wished_topics = serializers.CharField(required=False, allow_blank=True)
    competence_used = serializers.ChoiceField(choices=EvaluationAnswer.Use.choices, required=False)
    used_how = serializers.CharField(required=False, allow_blank=True)
    free_text = serializers.CharField(required=False, allow_blank=True)


class EvaluationAcceptedSerializer(serializers.Serializer):
    part = serializers.IntegerField()
    week = serializers.DateField()


class ChallengeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Challenge
        fields = [
            "id",
            "network",
            "kind",
            "title",
            "description",
            "source",
            "source_day",
            "raised_by_agency",
            "raised_at",
            "status",
            "closed_reason",
            "topic_day",
        ]
        read_only_fields = ["raised_by_agency", "raised_at", "status", "closed_reason", "topic_day"]


class TriageSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[
            (Challenge.Status.DAY_TOPIC, Challenge.Status.DAY_TOPIC.label),
            (Challenge.Status.SOLUTION_GROUP, Challenge.Status.SOLUTION_GROUP.label),
            (Challenge.Status.CLOSED, Challenge.Status.CLOSED.label),
        ]
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class NetworkActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Action
        fields = ["id", "meeting", "description", "owner", "agency", "due_on", "done_at"]
        read_only_fields = ["agency", "done_at"]


class SolutionMeetingSerializer(serializers.ModelSerializer):
    actions = NetworkActionSerializer(many=True, read_only=True)

    class Meta:
        model = SolutionMeeting
        fields = ["id", "date", "options_discussed", "agreed_alternative", "actions"]


class PartyCheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = PartyCheck
        fields = ["agency", "works", "implementation_date", "checked_at"]
        read_only_fields = ["agency", "checked_at"]


class StatusReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatusReport
        fields = ["id", "text", "created_at"]
        read_only_fields = ["created_at"]


class SolutionGroupSerializer(serializers.ModelSerializer):
    meetings = SolutionMeetingSerializer(many=True, read_only=True)
    checks = PartyCheckSerializer(many=True, read_only=True)
    status_reports = StatusReportSerializer(many=True, read_only=True)

    class Meta:
        model = SolutionGroup
        fields = [
            "id",
            "challenge",
            "topic",
            "target_meetings",
            "status",
            "outcome",
            "solved_on",
            "meetings",
            "checks",
            "status_reports",
        ]


class RoutineApprovalSerializer(serializers.ModelSerializer):
    class Meta:
        model = RoutineApproval
        fields = ["agency", "approved_by", "approved_at"]


class RoutineChangeSerializer(serializers.ModelSerializer):
    approvals = RoutineApprovalSerializer(many=True, read_only=True)

    class Meta:
        model = RoutineChange
        fields = [
            "id",
            "agreement",
            "routine_id",
            "routine_label",
            "summary",
            "effective_from",
            "proposed_at",
            "approved_at",
            "approvals",
        ]
        read_only_fields = ["proposed_at", "approved_at"]


class SignatorySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="user.get_full_name", read_only=True)

    class Meta:
        model = Signatory
        fields = ["id", "agency", "user", "name", "signed_on"]
        read_only_fields = ["agency"]


class AgreementHistoryRowSerializer(serializers.Serializer):
    routine_id = serializers.IntegerField()
    routine_label = serializers.CharField()
    proposed_from = serializers.DateField()
    applied_from = serializers.DateField(
        allow_null=True, help_text="The date the version actually applied from (activation)."
    )
    applied_until = serializers.DateField(
        allow_null=True, help_text="The day before the next version took over; null if current."
    )
    approved_at = serializers.DateTimeField(allow_null=True)
    summary = serializers.CharField()
    pending = serializers.BooleanField()


class AgreementSerializer(serializers.ModelSerializer):
    changes = RoutineChangeSerializer(many=True, read_only=True)
    signatories = SignatorySerializer(many=True, read_only=True)
    document = serializers.SerializerMethodField(
        help_text="Where to fetch the signed PDF (access-checked); null when none is stored."
    )

    @extend_schema_field(OpenApiTypes.URI)
    def get_document(self, agreement) -> str | None:
        if not agreement.document:
            return None
        path = reverse("network-agreement-document", args=[agreement.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    class Meta:
        model = Agreement
        fields = [
            "id",
            "network",
            "title",
            "effective_from",
            "parties",
            "routine_id",
            "routine_label",
            "document",
            "signatories",
            "changes",
        ]


class AgreementDetailSerializer(AgreementSerializer):
    """With the history of routine versions (one extra read, so on the detail only)."""

    history = serializers.SerializerMethodField()

    class Meta(AgreementSerializer.Meta):
        fields = [*AgreementSerializer.Meta.fields, "history"]

    @extend_schema_field(AgreementHistoryRowSerializer(many=True))
    def get_history(self, agreement) -> list[dict]:
        from .services import agreement_history

        return AgreementHistoryRowSerializer(agreement_history(agreement), many=True).data


class AgreementWriteSerializer(serializers.Serializer):
    network = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    effective_from = serializers.DateField()
    parties = serializers.ListField(child=serializers.IntegerField(), min_length=2)
    routine_id = serializers.IntegerField(help_text="The resource-group routine version attached.")
    document = serializers.FileField(required=False, help_text="The signed agreement, PDF.")


class SignatoryWriteSerializer(serializers.Serializer):
    leader = serializers.IntegerField(help_text="User id of the leader of a party.")
    signed_on = serializers.DateField(required=False, allow_null=True, default=None)


class NetworkWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    region = serializers.CharField(max_length=100)
    agencies = serializers.ListField(child=serializers.IntegerField(), min_length=2)


class MemberEndSerializer(serializers.Serializer):
    ends_on = serializers.DateField()


class SolutionGroupCloseSerializer(serializers.Serializer):
    solved = serializers.BooleanField()
    outcome = serializers.CharField()
    on = serializers.DateField(required=False, allow_null=True, default=None)


class RegistrationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Registration
        fields = ["id", "day", "user", "name", "agency", "status", "attended"]
        read_only_fields = fields


class AttendanceSerializer(serializers.Serializer):
    present = serializers.ListField(
        child=serializers.IntegerField(),
        allow_empty=True,
        help_text="Ids of the registrations that attended; the others did not.",
    )


class AttendanceResultSerializer(serializers.Serializer):
    attended = serializers.IntegerField()
