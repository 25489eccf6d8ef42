"""Django admin for notifications: filters, search and a resend action for failed e-mails;
phones' push tokens and push deliveries, read-only."""

from datetime import timedelta

from django.contrib import admin, messages

from notifications import services
from notifications.delivery.push import retire_tokens
from notifications.models import Notification, NotificationPreference, NotificationType, PushDelivery, PushToken


@admin.register(NotificationType)
class NotificationTypeAdmin(admin.ModelAdmin):
    list_display = ("codigo", "nombre", "es_activo", "envia_email", "envia_push")
    list_filter = ("es_activo", "envia_email", "envia_push")
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


@admin.register(PushToken)
class PushTokenAdmin(admin.ModelAdmin):
    """Phones' push addresses: read-only (the apps register them); an operator can retire one."""

    list_display = ("id", "usuario", "token_type", "platform", "device_name", "is_active", "last_registered_at")
    list_filter = ("is_active", "token_type", "platform", "retired_reason")
    search_fields = ("token", "usuario__email", "usuario__document", "device_name")
    list_select_related = ("usuario",)
    date_hierarchy = "last_registered_at"
    readonly_fields = [field.name for field in PushToken._meta.fields]
    actions = ("retire",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # viewed, and retired by the action; never edited

    @admin.action(description="Retirar los tokens seleccionados (no recibirán más push)")
    def retire(self, request, queryset):
        count = retire_tokens(queryset.values_list("pk", flat=True), reason="admin")
        self.message_user(request, f"{count} tokens retirados.", messages.SUCCESS)


@admin.register(PushDelivery)
class PushDeliveryAdmin(admin.ModelAdmin):
    """One push of one notification to one phone: what happened to it, read-only."""

    list_display = ("id", "notification", "token", "estado", "intentos", "fecha_creacion", "fecha_envio")
    list_filter = ("estado",)
    search_fields = ("notification__usuario__email", "notification__ticket__code", "token__token", "receipt_id")
    list_select_related = ("notification", "token")
    date_hierarchy = "fecha_creacion"
    readonly_fields = [field.name for field in PushDelivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    """Users' deviations from their types' default channels (no row: the defaults apply)."""

    list_display = ("usuario", "tipo", "email", "push", "fecha_actualizacion")
    list_filter = ("tipo", "email", "push")
    search_fields = ("usuario__email", "usuario__document", "tipo__codigo")
    list_select_related = ("usuario", "tipo")
    autocomplete_fields = ("usuario",)
    readonly_fields = ("fecha_actualizacion",)
