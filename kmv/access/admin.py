from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Agency, AuditEvent, Municipality, User

admin.site.site_header = _("KMV administration")
admin.site.site_title = _("KMV administration")


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "number", "region"]
    search_fields = ["name", "number"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region"]
    list_filter = ["kind"]
    search_fields = ["name"]
    filter_horizontal = ["municipalities"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "agency", "role", "is_active"]
    list_filter = ["agency", "role", "is_active", "is_staff"]
    list_select_related = ["agency"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Agency and role"), {"fields": ("agency", "role", "language", "phone")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Agency and role"), {"fields": ("email", "first_name", "last_name", "agency", "role")}),
    )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log is never edited."""

    list_display = [
        "at",
        "actor_label",
        "agency",
        "action",
        "object_type",
        "object_id",
        "participant_id",
        "channel",
    ]
    list_filter = ["action", "channel", "agency"]
    search_fields = ["actor_label", "object_id"]
    list_select_related = ["agency"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
