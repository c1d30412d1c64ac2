from django.contrib import admin
from django.urls import include, path

from kmv.access import views as access_views

urlpatterns = [
    path("", access_views.home, name="home"),
    path("konto/", include("kmv.access.urls")),
    path("deltakere/", include("participants.urls")),
    path("ressursgrupper/", include("resourcegroups.urls")),
    path("referat/", include("resourcegroups.urls_archive")),
    path("rutiner/", include("resourcegroups.urls_routines")),
    path("runder/", include("resourcegroups.urls_rounds")),
    path("kalender/", include("kmv.notify.urls_feeds")),
    path("nettverk/", include("network.urls")),
    path("rapporter/", include("reports.urls")),
    path("utboks/", include("kmv.notify.urls")),
    path("api/", include("kmv.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler400 = "kmv.access.views.bad_request"
handler403 = "kmv.access.views.permission_denied"
handler404 = "kmv.access.views.page_not_found"
handler500 = "kmv.access.views.server_error"
