from django.urls import path

from . import views

app_name = "resourcegroups"
urlpatterns = [
    path("deltaker/<int:pk>/medlem/ny/", views.membership_add, name="membership_add"),
    path(
        "deltaker/<int:pk>/medlem/<int:membership_pk>/avslutt/",
        views.membership_end,
        name="membership_end",
    ),
]
