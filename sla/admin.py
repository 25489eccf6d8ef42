"""Django admin of the service levels: policies, closure days, and the warnings sent (read only)."""

from django.contrib import admin

from sla.models import ClosureDay, SLAPolicy, SLAWarning


@admin.register(SLAPolicy)
class SLAPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "priority",
        "category",
        "first_response_minutes",
        "resolution_minutes",
        "approval_minutes",
        "active",
        "updated_at",
    )
    list_filter = ("active", "priority")
    search_fields = ("category",)
    ordering = ("priority", "category", "id")


@admin.register(ClosureDay)
class ClosureDayAdmin(admin.ModelAdmin):
    list_display = ("date", "reason", "created_at")
    search_fields = ("reason",)
    date_hierarchy = "date"
    ordering = ("-date",)


@admin.register(SLAWarning)
class SLAWarningAdmin(admin.ModelAdmin):
    list_display = ("sent_at", "ticket", "clock", "level", "due")
    list_filter = ("clock", "level")
    search_fields = ("ticket__code",)
    list_select_related = ("ticket",)
    date_hierarchy = "sent_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
