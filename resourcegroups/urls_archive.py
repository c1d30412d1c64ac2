from django.urls import path

from . import views_archive

app_name = "archive"
urlpatterns = [
    path("<int:pk>/", views_archive.minutes_detail, name="detail"),
    path("<int:pk>/arkivkopi/", views_archive.archive_copy, name="copy"),
]
