from django.urls import path

from . import views_feeds

app_name = "feeds"
urlpatterns = [
    path("", views_feeds.feed_settings, name="settings"),
    path("<int:token_id>/tilbakekall/", views_feeds.feed_revoke, name="revoke"),
    path("feed/<str:token>.ics", views_feeds.feed, name="feed"),
]
