from django.contrib import admin

from participants.admin import ScopedAdmin

from .models import Interpreter, Membership, Room


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    participant_path = "group__participant"
    list_display = ["group", "staff", "agency", "role", "start_date", "end_date"]
    list_select_related = ["group__participant", "staff", "agency"]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    """Rooms hold no participant data: plain admin for the agencies' administrators."""

    list_display = ["name", "agency", "location", "capacity", "accessible"]
    list_filter = ["agency", "accessible"]
    list_select_related = ["agency"]
    search_fields = ["name", "location"]


@admin.register(Interpreter)
class InterpreterAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "authorised", "email"]
    list_filter = ["agency", "authorised"]
    list_select_related = ["agency"]
    search_fields = ["name", "email"]
