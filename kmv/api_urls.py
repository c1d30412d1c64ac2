from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from kmv.access.api import AgencyViewSet, StaffViewSet
from kmv.access.api_permissions import IsStaffMember
from participants.api import ConsentViewSet, ParticipantViewSet
from resourcegroups.api import MeetingViewSet, ResourceGroupViewSet, RoutineViewSet

router = DefaultRouter(use_regex_path=False)
router.include_format_suffixes = False  # one URL per resource: nothing extra to guard or fuzz
router.register("agencies", AgencyViewSet, basename="agency")
router.register("staff", StaffViewSet, basename="staff")
router.register("participants", ParticipantViewSet, basename="participant")
router.register("consents", ConsentViewSet, basename="consent")
router.register("routines", RoutineViewSet, basename="routine")
router.register("resource-groups", ResourceGroupViewSet, basename="resourcegroup")
router.register("meetings", MeetingViewSet, basename="meeting")

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
