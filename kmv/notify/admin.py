"""Administrators look at the outbox here: what is pending, what failed and why, and can
put failed messages back in the queue. Bodies stay hidden in the list (they may name a
meeting); messages are never edited."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["key", "kind", "status", "attempts", "send_after", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["key"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send failed messages again"))
    def retry(self, request, queryset):
        queryset.filter(status=OutboxMessage.Status.FAILED).update(
            status=OutboxMessage.Status.PENDING, attempts=0, send_after=timezone.now()
        )
