from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions
from rest_framework.authentication import TokenAuthentication

from .models import CASE_ROLES, Role


class IsStaffMember(permissions.BasePermission):
    """Authenticated, active, and (for session logins) past the two-factor check."""

    message = _("Log in with two-factor authentication to use the API.")

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if isinstance(request.successful_authenticator, TokenAuthentication):
            return True
        if settings.KMV_REQUIRE_2FA and user.may_see_participant_data:
            return bool(getattr(user, "is_verified", lambda: False)())
        return True


class IsCaseWorker(permissions.BasePermission):
    message = _("Only staff working with participants can do this.")

    def has_permission(self, request, view):
        return request.user.role in CASE_ROLES or request.method in permissions.SAFE_METHODS


class IsCoordinator(permissions.BasePermission):
    message = _("Only network coordinators and agency leaders can do this.")

    def has_permission(self, request, view):
        return request.user.role in (Role.NETWORK_COORDINATOR, Role.AGENCY_LEADER)
