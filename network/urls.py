from django.urls import path

from . import views

app_name = "network"
urlpatterns = [
    path("", views.home, name="home"),
    path("<int:pk>/", views.network_detail, name="detail"),
    path("<int:pk>/aar/<int:year>/", views.year_summary, name="year_summary"),
    path("<int:pk>/aar/<int:year>/pdf/", views.year_summary_pdf, name="year_summary_pdf"),
    path("<int:pk>/fagdag/ny/", views.day_create, name="day_create"),
    path("<int:pk>/utfordringer/", views.challenges, name="challenges"),
    path("organ/<int:pk>/nytt-mote/", views.meeting_create, name="meeting_create"),
    path("mote/<int:pk>/", views.meeting_detail, name="meeting"),
    path("mote/<int:pk>/sak/", views.agenda_item_add, name="agenda_item_add"),
    path("mote/<int:pk>/publiser/", views.minutes_publish, name="minutes_publish"),
    path("mote/<int:pk>/inviter/", views.meeting_invite, name="meeting_invite"),
    path("mote/<int:pk>/referat.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("sak/<int:pk>/vedtak/", views.agenda_decision, name="agenda_decision"),
    path("fagdag/<int:pk>/", views.day_detail, name="day"),
    path("fagdag/<int:pk>/holdt/", views.day_held, name="day_held"),
    path("fagdag/<int:pk>/inviter/", views.day_invite, name="day_invite"),
    path("fagdag/<int:pk>/pamelding/", views.day_register, name="day_register"),
    path("fagdag/<int:pk>/oppmote/", views.day_attendance, name="day_attendance"),
    path("fagdag/<int:pk>/evaluering/", views.evaluation_summary, name="evaluation_summary"),
    path(
        "fagdag/<int:pk>/evaluering.pdf",
        views.evaluation_summary_pdf,
        name="evaluation_summary_pdf",
    ),
    path(
        "fagdag/<int:pk>/til-utfordringer/",
        views.evaluation_to_challenges,
        name="evaluation_to_challenges",
    ),
    path("evaluering/<str:token>/", views.evaluate, name="evaluate"),
    path("utfordring/<int:pk>/", views.challenge_detail, name="challenge"),
    path("losningsgruppe/<int:pk>/", views.solution_group, name="solution_group"),
    path("avtale/<int:pk>/", views.agreement_detail, name="agreement"),
    path("endring/<int:pk>/godkjenn/", views.change_approve, name="change_approve"),
    path("tilbakemelding/", views.feedback_overview, name="feedback_overview"),
    path("tilbakemelding/papir/", views.feedback_paper, name="feedback_paper"),
    path("tilbakemelding/<str:token>/", views.feedback, name="feedback"),
]
