from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from . import second_factor
from .api_tokens import ApiTokenAuthentication
from .models import CASE_ROLES, Role


class IsStaffMember(permissions.BasePermission):
    """Authenticated, active, and (for session logins) past the two-factor check."""

    message = _("Log in with two-factor authentication to use the API.")

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if isinstance(request.successful_authenticator, ApiTokenAuthentication):
            return True  # made only after a fresh second-factor check (api_tokens.issue)
        return not second_factor.session_needs_verification(request)


class IsCaseWorker(permissions.BasePermission):
    message = _("Only staff working with participants can do this.")

    def has_permission(self, request, view):
        return request.user.role in CASE_ROLES or request.method in permissions.SAFE_METHODS


class IsCoordinator(permissions.BasePermission):
    message = _("Only network coordinators and agency leaders can do this.")

    def has_permission(self, request, view):
        return request.user.role in (Role.NETWORK_COORDINATOR, Role.AGENCY_LEADER)
