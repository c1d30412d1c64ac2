from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp import admin as otp_totp_admin
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import api_tokens, audit
from .models import Agency, ApiToken, AuditEvent, Municipality, User

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
    """Read-only: the log is never edited. Participant and object ids are shown as
    pseudonyms: the administration sees no participant (policy.participants_for grants
    superusers nothing), so it sees no participant ids either."""

    list_display = [
        "at",
        "actor_label",
        "agency",
        "action",
        "object_type",
        "object_pseudonym",
        "participant_pseudonym",
        "channel",
    ]
    fields = [
        "at",
        "actor_label",
        "agency",
        "action",
        "object_type",
        "object_pseudonym",
        "participant_pseudonym",
        "object_count",
        "fields",
        "channel",
        "ip",
    ]
    readonly_fields = fields
    list_filter = ["action", "channel", "agency"]
    search_fields = ["actor_label"]
    list_select_related = ["agency"]
    date_hierarchy = "at"
    actions = None

    @admin.display(description=_("participant"))
    def participant_pseudonym(self, obj):
        return audit.pseudonym(obj.participant_id) or "–"

    @admin.display(description=_("object"))
    def object_pseudonym(self, obj):
        if obj.object_type == "participant":
            return audit.pseudonym(obj.object_id) or "–"
        return "–" if obj.participant_id else (obj.object_id or "–")

    @admin.display(description=_("number of objects"))
    def object_count(self, obj):
        return len(obj.object_ids or [])

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are listed and revoked here, never made: a token is made by its own user after
    a fresh second-factor check (or by the audited `create_api_token` command)."""

    list_display = ["token_key", "user", "name", "created", "expiry", "last_used_at", "created_by"]
    list_filter = ["created"]
    search_fields = ["token_key", "user__username", "name"]
    list_select_related = ["user", "created_by"]
    fields = ["token_key", "user", "name", "created", "expiry", "last_used_at", "last_used_ip"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        api_tokens.revoke(token=obj, by=request.user, request=request)

    def delete_queryset(self, request, queryset):
        for token in queryset:
            api_tokens.revoke(token=token, by=request.user, request=request)


# knox's own admin can make a token for anyone: the model it shows is not used here
def _drop_knox_admin():
    from knox import admin as _knox_admin  # noqa: F401  (registers it first)
    from knox.models import AuthToken

    if admin.site.is_registered(AuthToken):
        admin.site.unregister(AuthToken)


_drop_knox_admin()


class TOTPDeviceAdmin(otp_totp_admin.TOTPDeviceAdmin):
    """Administrators may delete a lost authenticator (the user then enrols anew) but not
    make or edit one, nor see its secret (OTP_ADMIN_HIDE_SENSITIVE_DATA): a factor known to
    anyone but its user is no factor."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, TOTPDeviceAdmin)
