from .models import Role


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_is_coordinator": user.role in (Role.NETWORK_COORDINATOR, Role.AGENCY_LEADER),
        "nav_is_case_worker": user.is_case_worker,
    }
