"""Participant and consent serializers: parse and render only; the services validate
(`full_clean`) and decide."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kmv.access.models import Agency, Municipality
from kmv.uploads import UploadValidator

from .models import Consent, DataCategory, Language, Participant
from .services import EDITABLE_FIELDS

# Fields shown only when the viewer's agency may see the data category they belong to.
CATEGORY_FIELDS = {"goal": DataCategory.EDUCATION_MAPPING}

# The goal is free text without a database limit; the forms and the API cap it.
GOAL_MAX_LENGTH = 4000


class ParticipantSerializer(serializers.ModelSerializer):
    """What a reader gets: the identity number masked, category fields null unless the
    viewer's agency may see the category (`context["categories"]`: participant id -> set)."""

    national_id = serializers.CharField(source="masked_national_id", read_only=True)
    municipality_name = serializers.CharField(source="municipality.name", read_only=True)
    owner_agency_name = serializers.CharField(source="owner_agency.name", read_only=True)
    goal = serializers.CharField(read_only=True, allow_null=True)
    # Read-only model fields lose allow_blank (DRF), so the schema would forbid "" although
    # these are often empty; declared here so the schema says what the API returns.
    interpreter_language = serializers.ChoiceField(
        choices=Language.choices, allow_blank=True, read_only=True
    )
    email = serializers.CharField(read_only=True)  # "" when unknown: not format "email"

    class Meta:
        model = Participant
        fields = [
            "id",
            "version",
            "first_name",
            "last_name",
            "date_of_birth",
            "national_id",
            "languages",
            "preferred_language",
            "interpreter_needed",
            "interpreter_language",
            "municipality",
            "municipality_name",
            "settlement_date",
            "intro_programme_start",
            "adult_education_end",
            "upper_secondary_start",
            "upper_secondary_end",
            "pathway",
            "status",
            "phone",
            "email",
            "address",
            "goal",
            "owner_agency",
            "owner_agency_name",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        visible = self.context["categories"].get(instance.pk, set())
        for field, category in CATEGORY_FIELDS.items():
            if category not in visible:
                data[field] = None
        return data


class ParticipantWriteSerializer(serializers.ModelSerializer):
    """Create and update. The identity number is accepted in full; the model's own validation
    (check digits, dates, uniqueness) runs in the service through `full_clean`."""

    national_id = serializers.CharField(
        max_length=20, required=False, allow_blank=True, allow_null=True
    )
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=Language.choices), required=False
    )
    municipality = serializers.PrimaryKeyRelatedField(queryset=Municipality.objects.all())
    goal = serializers.CharField(max_length=GOAL_MAX_LENGTH, required=False, allow_blank=True)
    version = serializers.IntegerField(
        min_value=1,
        write_only=True,
        required=False,
        help_text=_("The version you fetched. Required when changing a participant."),
    )

    class Meta:
        model = Participant
        fields = ["version", *EDITABLE_FIELDS]
        # Uniqueness and cross-field rules are the model's: checked once, by the service.
        validators = []

    def validate_national_id(self, value):
        return (value or "").replace(" ", "") or None

    def validate(self, attrs):
        if self.instance is not None:
            if "version" not in attrs:
                raise serializers.ValidationError(
                    {"version": _("Send the version you fetched, to detect concurrent changes.")}
                )
            # A client echoing back the masked number it was given is not changing it.
            sent = self.initial_data.get("national_id")
            if sent and "*" in str(sent) and sent == self.instance.masked_national_id:
                attrs.pop("national_id", None)
        return attrs


class ConsentSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    is_active = serializers.BooleanField(read_only=True)
    has_document = serializers.SerializerMethodField()
    document_language = serializers.ChoiceField(
        choices=Language.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Consent
        fields = [
            "id",
            "participant",
            "agency",
            "agency_name",
            "category",
            "purpose",
            "basis",
            "legal_basis",
            "given_on",
            "expires_on",
            "withdrawn_on",
            "is_active",
            "document_language",
            "has_document",
            "created_at",
        ]
        read_only_fields = fields

    def get_has_document(self, obj: Consent) -> bool:
        return bool(obj.document)


class ConsentParticipantSerializer(serializers.Serializer):
    """Parsed first, so access is decided before the rest of the body is judged."""

    participant = serializers.IntegerField(min_value=1)


class ConsentCreateSerializer(serializers.Serializer):
    participant = serializers.IntegerField(min_value=1)
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    category = serializers.ChoiceField(choices=DataCategory.choices)
    purpose = serializers.CharField(max_length=300)
    basis = serializers.ChoiceField(choices=Consent.Basis.choices, default=Consent.Basis.CONSENT)
    legal_basis = serializers.CharField(max_length=200, required=False, allow_blank=True)
    given_on = serializers.DateField(required=False)
    expires_on = serializers.DateField(required=False, allow_null=True)
    document = serializers.FileField(
        required=False,
        validators=[UploadValidator("consent")],
        help_text=_(
            "The signed form (PDF, JPEG or PNG, checked by content; at most 10 MB by default, "
            "setting KMV_UPLOAD_MAX_CONSENT_BYTES). Send as multipart."
        ),
    )
    document_language = serializers.ChoiceField(
        choices=Language.choices, required=False, allow_blank=True
    )


class ConsentWithdrawSerializer(serializers.Serializer):
    withdrawn_on = serializers.DateField(required=False, help_text=_("Defaults to today."))


class ParticipantSearchSerializer(serializers.Serializer):
    """The list's filters as a body (POST /api/participants/search/)."""

    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=_("Name (part of first or last name) or the full identity number"),
    )
    municipality = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    status = serializers.ChoiceField(choices=Participant.Status.choices, required=False)
    pathway = serializers.ChoiceField(choices=Participant.Pathway.choices, required=False)
