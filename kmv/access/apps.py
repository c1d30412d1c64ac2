from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "kmv.access"
    label = "access"
    verbose_name = _("Agencies, staff and access")

    def ready(self):
        from . import signals  # noqa: F401  (login/denied logging only)
