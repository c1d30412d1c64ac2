"""Participant data in the admin follows the same policy as every other channel:
superusers see only what they are granted, and every read is audited."""

from django.contrib import admin

from kmv.access import audit, policy

from .models import Consent, Participant


class ScopedAdmin(admin.ModelAdmin):
    participant_path = "pk"

    def participant_id_of(self, obj) -> int:
        if self.participant_path == "pk":
            return obj.pk
        for part in self.participant_path.split("__"):
            obj = getattr(obj, part)
        return obj.pk

    def get_queryset(self, request):
        allowed = policy.participants_for(request.user).values("pk")
        lookup = "pk__in" if self.participant_path == "pk" else f"{self.participant_path}__in"
        return super().get_queryset(request).filter(**{lookup: allowed})

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        cl = getattr(response, "context_data", {}).get("cl")
        if cl is not None:
            audit.record(
                request=request,
                action=audit.Action.LIST,
                object_type=self.model._meta.model_name,
                object_ids=[obj.pk for obj in cl.result_list],
                channel="admin",
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200:
            obj = self.get_object(request, object_id)
            if obj is not None:
                audit.record(
                    request=request,
                    action=audit.Action.VIEW,
                    obj=obj,
                    participant_id=self.participant_id_of(obj),
                    channel="admin",
                )
        return response


@admin.register(Participant)
class ParticipantAdmin(ScopedAdmin):
    list_display = ["last_name", "first_name", "municipality", "status", "owner_agency"]
    list_filter = ["status", "pathway"]
    list_select_related = ["municipality", "owner_agency"]
    search_fields = ["last_name", "first_name"]
    exclude = ["national_id"]
    readonly_fields = ["masked_national_id"]


@admin.register(Consent)
class ConsentAdmin(ScopedAdmin):
    participant_path = "participant"
    list_display = ["participant", "agency", "category", "basis", "given_on", "withdrawn_on"]
    list_select_related = ["participant", "agency"]
    list_filter = ["category", "basis"]
