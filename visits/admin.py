"""Django admin of the technicians' visits (read mostly: writes go through the services)."""

from django.contrib import admin

from visits.models import Appointment, RatingMonth


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "ticket",
        "technician",
        "title",
        "scheduled_for",
        "duration_minutes",
        "status",
        "service_rating",
    )
    list_filter = ("status", ("technician", admin.RelatedOnlyFieldListFilter))
    date_hierarchy = "scheduled_for"
    search_fields = ("title", "ticket__code", "technician__document", "technician__last_name")
    list_select_related = ("ticket", "technician")
    ordering = ("-scheduled_for", "-id")
    raw_id_fields = ("ticket", "technician", "created_by")
    # The lifecycle (overlaps, history, notifications, the rating roll-up) lives in the
    # services: the admin shows it and lets staff fix texts only.
    readonly_fields = (
        "ticket",
        "technician",
        "created_by",
        "scheduled_for",
        "duration_minutes",
        "ends_at",
        "status",
        "reschedule_count",
        "started_at",
        "completed_at",
        "service_rating",
        "rated_at",
        "reminder_sent_at",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(RatingMonth)
class RatingMonthAdmin(admin.ModelAdmin):
    list_display = ("month", "technician", "rating", "total")
    list_filter = ("rating",)
    date_hierarchy = "month"
    list_select_related = ("technician",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
