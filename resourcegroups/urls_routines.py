from django.urls import path

from . import views_routines as views

app_name = "routines"
urlpatterns = [
    path("", views.routine_list, name="list"),
    path("<int:pk>/", views.routine_detail, name="detail"),
    path("<int:pk>/nytt-utkast/", views.routine_draft_copy, name="draft_copy"),
    path("<int:pk>/rediger/", views.routine_edit, name="edit"),
    path("<int:pk>/aktiver/", views.routine_activate, name="activate"),
    path("<int:pk>/trinn/nytt/", views.stage_add, name="stage_add"),
    path("trinn/<int:pk>/rediger/", views.stage_edit, name="stage_edit"),
    path("trinn/<int:pk>/slett/", views.stage_delete, name="stage_delete"),
    path("trinn/<int:pk>/punkt/nytt/", views.item_add, name="item_add"),
    path("punkt/<int:pk>/rediger/", views.item_edit, name="item_edit"),
    path("punkt/<int:pk>/slett/", views.item_delete, name="item_delete"),
    path("punkt/<int:pk>/flytt/", views.item_move, name="item_move"),
]
