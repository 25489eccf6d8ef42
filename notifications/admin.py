"""Django admin for notifications: filters, search and a resend action for failed e-mails."""

from datetime import timedelta

from django.contrib import admin, messages

from notifications import services
from notifications.models import Notification, NotificationPreference, NotificationType


@admin.register(NotificationType)
class NotificationTypeAdmin(admin.ModelAdmin):
    list_display = ("codigo", "nombre", "es_activo", "envia_email")
    list_filter = ("es_activo", "envia_email")
    search_fields = ("codigo", "nombre")
    readonly_fields = ("codigo",)

    def has_delete_permission(self, request, obj=None):
        return False  # codes are referenced by the code; deactivate instead


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("id", "titulo", "usuario", "tipo", "estado", "intentos", "fecha_creacion", "fecha_envio")
    list_filter = ("estado", "tipo")
    search_fields = ("titulo", "usuario__email", "usuario__document", "ticket__code")
    date_hierarchy = "fecha_creacion"
    list_select_related = ("usuario", "tipo")
    autocomplete_fields = ("usuario",)
    raw_id_fields = ("ticket",)
    readonly_fields = (
        "usuario",
        "ticket",
        "tipo",
        "titulo",
        "mensaje",
        "estado",
        "fecha_creacion",
        "fecha_envio",
        "fecha_lectura",
        "intentos",
        "ultimo_error",
        "datos_adicionales",
    )
    actions = ("resend",)

    def has_add_permission(self, request):
        return False

    @admin.action(description="Reenviar el correo de las notificaciones no entregadas")
    def resend(self, request, queryset):
        # Selected by hand: every undelivered one goes again, failed or still pending.
        count = services.notifications_requeue(
            ids=queryset.values_list("pk", flat=True), failed=True, pending_older_than=timedelta(0)
        )
        self.message_user(request, f"{count} notificaciones en cola de reenvío.", messages.SUCCESS)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    """Users' deviations from their types' default channels (no row: the defaults apply)."""

    list_display = ("usuario", "tipo", "email", "push", "fecha_actualizacion")
    list_filter = ("tipo", "email", "push")
    search_fields = ("usuario__email", "usuario__document", "tipo__codigo")
    list_select_related = ("usuario", "tipo")
    autocomplete_fields = ("usuario",)
    readonly_fields = ("fecha_actualizacion",)
