"""Serializers for agencies and staff, and the shared error shapes for the API schema."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from .models import Agency, Municipality, User


class MunicipalitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Municipality
        fields = ["id", "number", "name", "region"]


class AgencySerializer(serializers.ModelSerializer):
    kind_display = serializers.SerializerMethodField()
    municipalities = MunicipalitySerializer(many=True, read_only=True)

    class Meta:
        model = Agency
        fields = ["id", "name", "kind", "kind_display", "region", "municipalities"]

    def get_kind_display(self, obj: Agency) -> str:
        return obj.get_kind_display()


class StaffSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "name", "email", "role", "agency"]

    def get_name(self, obj: User) -> str:
        return obj.get_full_name()


class ErrorSerializer(serializers.Serializer):
    """The body of 401/403/404/405/409 answers."""

    detail = serializers.CharField()


ERROR_400 = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description=_(
        "Validation failed: an object mapping each field name (or `non_field_errors`) to a "
        "list of messages."
    ),
)
ERROR_401 = OpenApiResponse(ErrorSerializer, description=_("Not logged in."))
ERROR_403 = OpenApiResponse(ErrorSerializer, description=_("Not allowed."))
ERROR_404 = OpenApiResponse(
    ErrorSerializer, description=_("Not found, or not visible to you (the same answer for both).")
)
ERROR_409 = OpenApiResponse(
    ErrorSerializer, description=_("Someone else saved the record since you fetched it.")
)

READ_ERRORS = {401: ERROR_401, 403: ERROR_403}
DETAIL_ERRORS = {**READ_ERRORS, 404: ERROR_404}


class ApiTokenSerializer(serializers.Serializer):
    """A token as listed: its non-secret start and dates, never the key."""

    token_key = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    created = serializers.DateTimeField(read_only=True)
    expiry = serializers.DateTimeField(read_only=True)
    last_used_at = serializers.DateTimeField(read_only=True, allow_null=True)
    last_used_ip = serializers.IPAddressField(read_only=True, allow_null=True)


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    code = serializers.RegexField(
        r"^[0-9]{6}$",
        help_text=_("A code from your authenticator app, typed just now."),
        error_messages={"invalid": _("The code has six digits.")},
    )


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(
        read_only=True, help_text=_("The key: shown only in this answer, never again.")
    )
