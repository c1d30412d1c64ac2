from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from kmv.access.api import AgencyViewSet, ApiTokenViewSet, StaffViewSet
from kmv.access.api_permissions import IsStaffMember
from kmv.notify.api import MeetingInvitationViewSet
from network import api as network_api
from participants.api import ConsentViewSet, ParticipantViewSet
from reports.api import (
    OutcomeExportViewSet,
    OutcomeImportViewSet,
    ReportViewSet,
    SettledExportViewSet,
    SettledImportViewSet,
)
from resourcegroups.api import MeetingViewSet, ResourceGroupViewSet, RoutineViewSet
from resourcegroups.api_rounds import (
    InterpreterBookingViewSet,
    InterpreterViewSet,
    InterpreterWindowViewSet,
    RoomViewSet,
    RoundViewSet,
    StaffBlockViewSet,
)

router = DefaultRouter(use_regex_path=False)
router.include_format_suffixes = False  # one URL per resource: nothing extra to guard or fuzz
router.register("agencies", AgencyViewSet, basename="agency")
router.register("staff", StaffViewSet, basename="staff")
router.register("tokens", ApiTokenViewSet, basename="api-token")
router.register("participants", ParticipantViewSet, basename="participant")
router.register("consents", ConsentViewSet, basename="consent")
router.register("routines", RoutineViewSet, basename="routine")
router.register("resource-groups", ResourceGroupViewSet, basename="resourcegroup")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("rounds", RoundViewSet, basename="round")
router.register("rooms", RoomViewSet, basename="room")
router.register("interpreters", InterpreterViewSet, basename="interpreter")
router.register("interpreter-windows", InterpreterWindowViewSet, basename="interpreter-window")
router.register("interpreter-bookings", InterpreterBookingViewSet, basename="interpreter-booking")
router.register("my-availability", StaffBlockViewSet, basename="staff-block")
router.register("notify/invitations", MeetingInvitationViewSet, basename="notify-invitation")
router.register("reports", ReportViewSet, basename="report")
router.register("outcome-imports", OutcomeImportViewSet, basename="outcome-import")
router.register("outcome-exports", OutcomeExportViewSet, basename="outcome-export")
router.register("settled-imports", SettledImportViewSet, basename="settled-import")
router.register("settled-exports", SettledExportViewSet, basename="settled-export")
router.register("network/networks", network_api.NetworkViewSet, basename="network-network")
router.register("network/bodies", network_api.BodyViewSet, basename="network-body")
router.register("network/memberships", network_api.MembershipViewSet, basename="network-membership")
router.register("network/meetings", network_api.NetworkMeetingViewSet, basename="network-meeting")
router.register(
    "network/agenda-items", network_api.AgendaItemViewSet, basename="network-agenda-item"
)
router.register("network/days", network_api.ProfessionalDayViewSet, basename="network-day")
router.register("network/evaluations", network_api.EvaluationViewSet, basename="network-evaluation")
router.register("network/challenges", network_api.ChallengeViewSet, basename="network-challenge")
router.register(
    "network/solution-groups", network_api.SolutionGroupViewSet, basename="network-solution-group"
)
router.register("network/actions", network_api.ActionViewSet, basename="network-action")
router.register("network/agreements", network_api.AgreementViewSet, basename="network-agreement")
router.register(
    "network/routine-changes", network_api.RoutineChangeViewSet, basename="network-routine-change"
)

# The schema and its viewer are for staff only, like the rest of the API (drf-spectacular
# serves them to anyone by default).
STAFF_ONLY = [IsStaffMember]

urlpatterns = [
    path("", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(permission_classes=STAFF_ONLY), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", permission_classes=STAFF_ONLY),
        name="api-docs",
    ),
]
