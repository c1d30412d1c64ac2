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
    path("deltaker/<int:pk>/plan/", views.participant_plan, name="plan"),
    path("deltaker/<int:pk>/bekymring/", views.concern_create, name="concern_create"),
    path("mine-moter/", views.my_meetings, name="my_meetings"),
    path("forfaller/", views.due_meetings, name="due_meetings"),
    path("mote/<int:meeting_pk>/", views.meeting_detail, name="meeting"),
    path("mote/<int:meeting_pk>/booking/", views.meeting_book, name="meeting_book"),
    path("mote/<int:meeting_pk>/status/", views.meeting_status, name="meeting_status"),
    path("mote/<int:meeting_pk>/oppmote/", views.attendance, name="attendance"),
    path(
        "mote/<int:meeting_pk>/sjekkliste/<int:item_pk>/",
        views.checklist_answer,
        name="checklist_answer",
    ),
    path("mote/<int:meeting_pk>/notater/", views.note_save, name="note_save"),
    path("mote/<int:meeting_pk>/referat/", views.minutes_view, name="minutes"),
    path("mote/<int:meeting_pk>/referat/send/", views.minutes_submit, name="minutes_submit"),
    path("mote/<int:meeting_pk>/referat/godkjenn/", views.minutes_approve, name="minutes_approve"),
    path("mote/<int:meeting_pk>/referat/tillegg/", views.minutes_addendum, name="minutes_addendum"),
    path("mote/<int:meeting_pk>/sammendrag/", views.plain_summary, name="summary"),
]
