"""Administration of the network's reference data. Evaluation answers and participant
feedback are not editable here: they are anonymous records, changed by nobody."""

from django.contrib import admin

from . import models


class MembershipInline(admin.TabularInline):
    model = models.BodyMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(models.Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "region"]
    filter_horizontal = ["agencies"]


@admin.register(models.Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["network", "kind"]
    list_filter = ["network", "kind"]
    inlines = [MembershipInline]


@admin.register(models.NetworkMeeting)
class NetworkMeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "body", "start", "host", "status"]
    list_filter = ["status", "body__network"]


@admin.register(models.ProfessionalDay)
class ProfessionalDayAdmin(admin.ModelAdmin):
    list_display = ["theme", "kind", "date", "status", "part2_sent_at"]
    list_filter = ["kind", "status"]
    readonly_fields = ["part2_sent_at"]


@admin.register(models.Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = ["title", "network", "source", "status", "raised_at"]
    list_filter = ["status", "source", "network"]
    search_fields = ["title", "description"]


@admin.register(models.SolutionGroup)
class SolutionGroupAdmin(admin.ModelAdmin):
    list_display = ["topic", "status", "solved_on"]
    list_filter = ["status"]


class SignatoryInline(admin.TabularInline):
    model = models.Signatory
    extra = 0


@admin.register(models.Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["title", "network", "effective_from", "routine_label"]
    filter_horizontal = ["parties"]
    inlines = [SignatoryInline]


@admin.register(models.RoutineChange)
class RoutineChangeAdmin(admin.ModelAdmin):
    list_display = ["routine_label", "agreement", "effective_from", "approved_at"]
    readonly_fields = ["approved_at"]


@admin.register(models.FeedbackResponse)
class FeedbackResponseAdmin(admin.ModelAdmin):
    list_display = ["stage_number", "period", "channel", "reviewed_at"]
    list_filter = ["channel", "stage_number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
