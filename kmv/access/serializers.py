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
