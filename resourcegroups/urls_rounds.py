from django.urls import path

from . import views_rounds as views

app_name = "rounds"
urlpatterns = [
    path("", views.round_list, name="list"),
    path("ny/", views.round_create, name="create"),
    path("<int:pk>/", views.round_detail, name="detail"),
    path("<int:pk>/status/", views.round_progress, name="progress"),
    path("<int:pk>/forslag/", views.round_proposal, name="proposal"),
    path("<int:pk>/tilgjengelighet/", views.round_availability, name="availability"),
    path("<int:pk>/generer/", views.round_generate, name="generate"),
    path("<int:pk>/publiser/", views.round_publish, name="publish"),
    path("<int:pk>/bytt/", views.entries_swap, name="swap"),
    path("<int:pk>/timeplan/<str:which>.pdf", views.round_timetable_pdf, name="timetable_pdf"),
    path("<int:pk>/moter/<int:entry>/flytt/", views.entry_move, name="move"),
    path("<int:pk>/moter/<int:entry>/las/", views.entry_lock, name="lock"),
    path("rom/", views.room_list, name="rooms"),
    path("rom/<int:room>/", views.room_edit, name="room_edit"),
    path("tolker/", views.interpreter_list, name="interpreters"),
    path("tolker/<int:interpreter>/", views.interpreter_edit, name="interpreter_edit"),
    path(
        "tolker/<int:interpreter>/tilgjengelig/",
        views.interpreter_windows,
        name="interpreter_windows",
    ),
    path(
        "tolker/tilgjengelig/<int:window>/slett/",
        views.interpreter_window_delete,
        name="interpreter_window_delete",
    ),
    path("min-tilgjengelighet/", views.my_availability, name="my_availability"),
    path(
        "min-tilgjengelighet/<int:block>/slett/",
        views.my_availability_delete,
        name="my_availability_delete",
    ),
    path("tolkeoppdrag/", views.interpreter_bookings, name="interpreter_bookings"),
    path("informasjonsdager/", views.info_day_list, name="info_days"),
    path("informasjonsdager/<int:pk>/", views.info_day_detail, name="info_day"),
]
