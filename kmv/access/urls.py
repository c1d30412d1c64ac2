from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("logg-inn/", views.LoginView.as_view(), name="login"),
    path("logg-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("tofaktor/", views.two_factor, name="two_factor"),
    path("tofaktor/oppsett/", views.two_factor_setup, name="two_factor_setup"),
    path("passord/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "passord/endret/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("glemt-passord/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "glemt-passord/sendt/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "tilbakestill/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "tilbakestill/ferdig/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("innstillinger/", views.preferences, name="preferences"),
    path("api-nokler/", views.api_tokens, name="api_tokens"),
    path("api-nokler/<str:token_key>/slett/", views.api_token_revoke, name="api_token_revoke"),
    path("revisjonslogg/", views.audit_log, name="audit_log"),
]
