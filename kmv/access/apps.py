from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "kmv.access"
    label = "access"
    verbose_name = _("Agencies, staff and access")

    def ready(self):
        from kmv.ids import install_bounded_lookups

        install_bounded_lookups()
        from . import signals  # noqa: F401  (login/denied logging only)


class KMVAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the site behind the second factor."""

    default = False
    default_site = "kmv.access.admin_site.KMVAdminSite"
