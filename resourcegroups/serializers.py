"""Routine, resource-group and meeting serializers: parse and render only; the services in
resourcegroups.services validate and decide."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kmv.access import policy
from kmv.access.models import Role
from participants.models import DataCategory, Language

from . import selectors
from .models import (
    Anchor,
    Attendance,
    ChecklistItem,
    Meeting,
    MeetingInvitee,
    MeetingNote,
    Membership,
    Minutes,
    MinutesAction,
    MinutesAddendum,
    MinutesApproval,
    ResourceGroup,
    Routine,
    RoutineStage,
)
from .services.minutes import TEXT_MAX_CHARS

# --- Routines -----------------------------------------------------------------------------


class ChecklistItemSerializer(serializers.ModelSerializer):
    """`text` is in the request language (bokmål unless English is asked for); `text_nb` and
    `text_en` are the stored texts."""

    text = serializers.SerializerMethodField()
    text_nb = serializers.CharField(source="text", read_only=True)

    class Meta:
        model = ChecklistItem
        fields = [
            "id",
            "order",
            "text",
            "text_nb",
            "text_en",
            "owner_role",
            "answer_type",
            "choices",
            "profile_fact",
            "category",
        ]
        read_only_fields = fields

    def get_text(self, obj: ChecklistItem) -> str:
        return obj.localized("text")


class RoutineStageSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    name_nb = serializers.CharField(source="name", read_only=True)
    # declared: read-only model fields lose `allow_blank`, and the schema with it
    anchor = serializers.ChoiceField(choices=Anchor.choices, allow_blank=True, read_only=True)
    invited_roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices))
    items = ChecklistItemSerializer(many=True, read_only=True)

    class Meta:
        model = RoutineStage
        fields = [
            "id",
            "number",
            "kind",
            "name",
            "name_nb",
            "name_en",
            "anchor",
            "offset_months",
            "pathways",
            "invited_roles",
            "responsible_role",
            "book_interpreter",
            "book_room",
            "duration_minutes",
            "items",
        ]
        read_only_fields = fields

    def get_name(self, obj: RoutineStage) -> str:
        return obj.localized("name")


class RoutineListSerializer(serializers.ModelSerializer):
    class Meta:
        model = Routine
        fields = [
            "id",
            "name",
            "version",
            "status",
            "effective_from",
            "window_before_days",
            "window_after_days",
            "based_on",
            "change_summary",
            "activated_at",
            "created_at",
        ]
        read_only_fields = fields


class RoutineSerializer(RoutineListSerializer):
    stages = RoutineStageSerializer(many=True, read_only=True)

    class Meta(RoutineListSerializer.Meta):
        fields = [*RoutineListSerializer.Meta.fields, "stages"]
        read_only_fields = fields


class RoutineCreateSerializer(serializers.Serializer):
    based_on = serializers.IntegerField(
        min_value=1, help_text=_("The routine version the new draft copies.")
    )


class RoutineUpdateSerializer(serializers.Serializer):
    """A draft's own fields; the date it applies from is set when it is activated."""

    name = serializers.CharField(max_length=200, required=False)
    window_before_days = serializers.IntegerField(min_value=0, required=False)
    window_after_days = serializers.IntegerField(min_value=0, required=False)
    change_summary = serializers.CharField(required=False, allow_blank=True)


class RoutineActivateSerializer(serializers.Serializer):
    effective_from = serializers.DateField(
        help_text=_("The date the version applies from (today or later).")
    )


class RoutineStageWriteSerializer(serializers.Serializer):
    """A draft stage's fields (send only those that change)."""

    name = serializers.CharField(max_length=200, required=False)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    anchor = serializers.ChoiceField(choices=Anchor.choices, required=False, allow_blank=True)
    offset_months = serializers.IntegerField(required=False)
    pathways = serializers.ChoiceField(choices=RoutineStage.Pathways.choices, required=False)
    invited_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), required=False
    )
    responsible_role = serializers.ChoiceField(choices=Role.choices, required=False)
    book_interpreter = serializers.BooleanField(required=False)
    book_room = serializers.BooleanField(required=False)
    duration_minutes = serializers.IntegerField(min_value=1, required=False)


# --- Resource groups ----------------------------------------------------------------------


class MembershipSerializer(serializers.ModelSerializer):
    staff_name = serializers.SerializerMethodField()
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    is_active = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = [
            "id",
            "staff",
            "staff_name",
            "agency",
            "agency_name",
            "role",
            "start_date",
            "end_date",
            "end_reason",
            "is_active",
        ]
        read_only_fields = fields

    def get_staff_name(self, obj: Membership) -> str:
        return obj.staff.get_full_name() or obj.staff.get_username()

    def get_is_active(self, obj: Membership) -> bool:
        today = self.context["today"]
        return obj.start_date <= today and (obj.end_date is None or obj.end_date > today)


class ResourceGroupSerializer(serializers.ModelSerializer):
    contact_person_name = serializers.SerializerMethodField()
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = ResourceGroup
        fields = [
            "id",
            "participant",
            "contact_person",
            "contact_person_name",
            "created_at",
            "memberships",
        ]
        read_only_fields = fields

    def get_contact_person_name(self, obj: ResourceGroup) -> str | None:
        person = obj.contact_person
        return (person.get_full_name() or person.get_username()) if person else None


# --- Meetings -----------------------------------------------------------------------------


class StageBriefSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = RoutineStage
        fields = ["id", "number", "kind", "name", "responsible_role"]
        read_only_fields = fields

    def get_name(self, obj: RoutineStage) -> str:
        return obj.localized("name")


class ProgressSerializer(serializers.Serializer):
    answered = serializers.IntegerField()
    total = serializers.IntegerField()


class MeetingSerializer(serializers.ModelSerializer):
    """A meeting in a list. `progress` needs the `item_count` annotation and the prefetched
    answers (see MeetingViewSet.get_queryset)."""

    participant_name = serializers.SerializerMethodField()
    stage = StageBriefSerializer(read_only=True)
    routine_version = serializers.IntegerField(source="routine.version", read_only=True)
    interpreter_language = serializers.ChoiceField(
        choices=Language.choices, allow_blank=True, read_only=True
    )
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "participant",
            "participant_name",
            "routine",
            "routine_version",
            "stage",
            "sequence",
            "due_date",
            "planned_start",
            "planned_end",
            "place",
            "interpreter_needed",
            "interpreter_language",
            "interpreter_booked",
            "status",
            "hand_edited",
            "needs_review",
            "concern_reason",
            "version",
            "progress",
        ]
        read_only_fields = fields

    def get_participant_name(self, obj: Meeting) -> str:
        return f"{obj.participant.first_name} {obj.participant.last_name}"

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, obj: Meeting) -> dict:
        answered = sum(1 for a in obj.answers.all() if a.is_answered)
        return {"answered": answered, "total": obj.item_count}


class InviteeSerializer(serializers.ModelSerializer):
    staff_name = serializers.SerializerMethodField()
    agency_name = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = MeetingInvitee
        fields = ["id", "staff", "staff_name", "agency", "agency_name", "role", "attendance"]
        read_only_fields = fields

    def get_staff_name(self, obj: MeetingInvitee) -> str:
        return obj.staff.get_full_name() or obj.staff.get_username()


class ChecklistEntrySerializer(serializers.Serializer):
    """An agenda item with its answer. `version` is 0 while nobody has answered: send it
    back unchanged when saving. `hidden`: the item's data category is not shared with your
    agency, so `value` is empty and nothing says who answered."""

    item = ChecklistItemSerializer()
    value = serializers.DictField()
    version = serializers.IntegerField()
    answered_by = serializers.IntegerField(allow_null=True)
    agency = serializers.IntegerField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    may_answer = serializers.BooleanField()
    hidden = serializers.BooleanField()


class MeetingDetailSerializer(MeetingSerializer):
    invitees = InviteeSerializer(many=True, read_only=True)
    checklist = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "invitees", "checklist"]
        read_only_fields = fields

    @extend_schema_field(ChecklistEntrySerializer(many=True))
    def get_checklist(self, obj: Meeting) -> list:
        user = self.context["request"].user
        categories = policy.visible_categories(user, obj.participant)
        closed = obj.status in (Meeting.Status.CANCELLED, Meeting.Status.MINUTES_APPROVED)
        rows = []
        for entry in selectors.checklist_for(
            obj, categories, own_agency_id=user.agency_id, answers=obj.answers.all()
        ):
            item, answer = entry.item, entry.answer
            rows.append(
                {
                    "item": item,
                    "value": answer.value if answer else {},
                    "version": answer.version if answer else 0,
                    "answered_by": answer.answered_by_id if answer else None,
                    "agency": answer.agency_id if answer else None,
                    "updated_at": answer.updated_at if answer else None,
                    "may_answer": item.owner_role == user.role and not closed and not entry.hidden,
                    "hidden": entry.hidden,
                }
            )
        return ChecklistEntrySerializer(rows, many=True, context=self.context).data


class ScheduleSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    place = serializers.CharField(max_length=200)
    interpreter_booked = serializers.CharField(max_length=200, required=False, allow_blank=True)
    version = serializers.IntegerField(min_value=1, help_text=_("The meeting version you fetched."))


class MeetingStatusWriteSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Meeting.Status.choices)


class AttendanceSerializer(serializers.Serializer):
    """`{invitee id: present | absent | excused | ""}`."""

    attendance = serializers.DictField(
        child=serializers.ChoiceField(choices=Attendance.choices, allow_blank=True),
        help_text=_("Invitee id → present, absent, excused (or empty: not recorded)."),
    )

    def validate_attendance(self, value):
        try:
            return {int(k): v for k, v in value.items()}
        except (TypeError, ValueError):
            raise serializers.ValidationError(_("Unknown member or attendance value.")) from None


class ParticipantRefSerializer(serializers.Serializer):
    """Parsed first, so access is decided before the rest of the body is judged."""

    participant = serializers.IntegerField(min_value=1)


class ConcernSerializer(serializers.Serializer):
    participant = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=300)


class AnswerWriteSerializer(serializers.Serializer):
    value = serializers.DictField(
        help_text=_(
            'By answer type: yes_no/choice {"answer", "comment"}, date {"date", "comment"}, '
            'text {"text", "comment"}.'
        )
    )
    version = serializers.IntegerField(
        min_value=0, help_text=_("The answer version you fetched (0 for a new answer).")
    )


class AnswerSavedSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    progress = ProgressSerializer()


class AnswerConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current = serializers.DictField(
        help_text=_("The saved answer: {value, version, answered_by}."), allow_null=True
    )


class NoteSerializer(serializers.ModelSerializer):
    """Your own agency's notes for the meeting. `version` is 0 before anyone has written."""

    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = MeetingNote
        fields = ["meeting", "agency", "text", "updated_by", "updated_at", "version"]
        read_only_fields = fields


class NoteWriteSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, max_length=TEXT_MAX_CHARS, trim_whitespace=False)
    version = serializers.IntegerField(
        min_value=0, help_text=_("The notes version you fetched (0 for new notes).")
    )


class MinutesActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = MinutesAction
        fields = ["order", "text", "owner", "agency", "due_date", "category"]
        read_only_fields = fields


class MinutesApprovalSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = MinutesApproval
        fields = ["agency", "agency_name", "approved_by", "approved_at"]
        read_only_fields = fields


class MinutesAddendumSerializer(serializers.ModelSerializer):
    class Meta:
        model = MinutesAddendum
        fields = ["id", "text", "agency", "written_by", "written_at", "category"]
        read_only_fields = fields


class MinutesSerializer(serializers.ModelSerializer):
    actions = MinutesActionSerializer(many=True, read_only=True)
    approvals = MinutesApprovalSerializer(many=True, read_only=True)
    addenda = MinutesAddendumSerializer(many=True, read_only=True)
    awaiting_agencies = serializers.ListField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text=_("Attending agencies that have not approved yet."),
    )
    has_pdf = serializers.SerializerMethodField()
    decisions = serializers.CharField(read_only=True, allow_null=True)
    summary = serializers.CharField(read_only=True, allow_null=True)
    next_meeting = serializers.CharField(read_only=True, allow_null=True)
    plain_summary = serializers.CharField(read_only=True, allow_null=True)
    hidden_sections = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_(
            "Sections in a data category not shared with your agency: they are null, and next "
            "steps and addenda of such categories are left out (counted in hidden_actions and "
            "hidden_addenda)."
        ),
    )
    hidden_actions = serializers.IntegerField(read_only=True)
    hidden_addenda = serializers.IntegerField(read_only=True)

    class Meta:
        model = Minutes
        fields = [
            "id",
            "meeting",
            "status",
            "decisions",
            "summary",
            "next_meeting",
            "plain_summary",
            "composed_by",
            "locked_at",
            "version",
            "updated_at",
            "actions",
            "approvals",
            "awaiting_agencies",
            "addenda",
            "has_pdf",
            "hidden_sections",
            "hidden_actions",
            "hidden_addenda",
        ]
        read_only_fields = fields

    def get_has_pdf(self, obj: Minutes) -> bool:
        return bool(obj.pdf)

    def to_representation(self, instance):
        """`instance` is the viewer's `selectors.MinutesView`: hidden sections become null."""
        data = super().to_representation(instance)
        for name in instance.hidden_sections:
            data[name] = None
        return data


class MinutesActionWriteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=400)
    category = serializers.ChoiceField(
        choices=DataCategory.choices,
        required=False,
        default=DataCategory.PLAN_MEETINGS,
        help_text=_("Only agencies that may see this data category see the next step."),
    )
    owner = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    agency = serializers.IntegerField(min_value=1)
    due_date = serializers.DateField()


class MinutesWriteSerializer(serializers.Serializer):
    decisions = serializers.CharField(allow_blank=True, max_length=TEXT_MAX_CHARS)
    summary = serializers.CharField(
        allow_blank=True, required=False, default="", max_length=TEXT_MAX_CHARS
    )
    next_meeting = serializers.CharField(
        allow_blank=True, required=False, default="", max_length=300
    )
    plain_summary = serializers.CharField(
        allow_blank=True, required=False, default="", max_length=TEXT_MAX_CHARS
    )
    actions = MinutesActionWriteSerializer(many=True, required=False, default=list)
    version = serializers.IntegerField(
        min_value=0, help_text=_("The minutes version you fetched (0 for new minutes).")
    )


class AddendumWriteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=TEXT_MAX_CHARS)
