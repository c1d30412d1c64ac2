from django.urls import path

from . import views, views_retention

app_name = "participants"
urlpatterns = [
    path("", views.participant_list, name="list"),
    path("ny/", views.participant_create, name="create"),
    path("<int:pk>/", views.participant_detail, name="detail"),
    path("<int:pk>/endre/", views.participant_edit, name="edit"),
    path("<int:pk>/samtykke/ny/", views.consent_create, name="consent_create"),
    path(
        "<int:pk>/samtykke/<int:consent_pk>/trekk-tilbake/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path(
        "<int:pk>/samtykke/<int:consent_pk>/dokument/",
        views.consent_document,
        name="consent_document",
    ),
    path("<int:pk>/tilgangslogg/", views.access_log, name="access_log"),
    path("<int:pk>/status/ny/", views.outcome_create, name="outcome_create"),
    path("<int:pk>/sletting/", views_retention.erase_request, name="erase_request"),
    path("oppbevaring/", views_retention.retention_report, name="retention"),
]
