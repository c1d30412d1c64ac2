from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourceGroupsConfig(AppConfig):
    name = "resourcegroups"
    verbose_name = _("Resource groups")
