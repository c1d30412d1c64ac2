from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("utvalg/", views.drill_down, name="drill_down"),
    path("tabell/<slug:key>.csv", views.export_csv, name="export_csv"),
    path("rapport.pdf", views.dashboard_pdf, name="pdf"),
    path("bosatte/", views.settled_figures, name="settled"),
    path("bosatte/import/", views.settled_import, name="settled_import"),
    path("bosatte/import/lagre/", views.settled_import_commit, name="settled_import_commit"),
    path("bosatte/mal.csv", views.settled_template, name="settled_template"),
    path("bosatte/eksport/", views.settled_export, name="settled_export"),
    path("import/", views.import_page, name="import"),
    path("import/lagre/", views.import_commit, name="import_commit"),
    path("import/status/<uuid:token>/", views.import_status, name="import_status"),
    path("import/mal.csv", views.import_template, name="import_template"),
    path("eksport/utfall/", views.export_outcomes, name="export_outcomes"),
]
