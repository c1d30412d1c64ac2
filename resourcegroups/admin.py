from django.contrib import admin

from participants.admin import ScopedAdmin

from .models import Membership


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    participant_path = "group__participant"
    list_display = ["group", "staff", "agency", "role", "start_date", "end_date"]
    list_select_related = ["group__participant", "staff", "agency"]
