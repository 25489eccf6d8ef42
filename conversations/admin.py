"""Django admin of the conversation: a TicketMessage admin, and the messages inline on the
ticket's page with internal notes marked.

The inline is appended to `tickets.admin.TicketAdmin` from here so that the arrow between
the apps keeps pointing one way (conversations -> tickets). Only active staff reach the
admin site (ADMINs), who may read internal notes anyway.
"""

from django.contrib import admin
from django.utils.html import format_html

from conversations.models import MessageAttachment, TicketMessage
from tickets.admin import ReadOnlyInline, TicketAdmin, _when

_NOT_GIVEN = object()


class InternalMark:
    @admin.display(description="visibilidad", ordering="internal")
    def visibilidad(self, obj):
        return format_html("<strong>{}</strong>", "🔒 Nota interna") if obj.internal else "Público"


class MessageInline(InternalMark, ReadOnlyInline):
    model = TicketMessage
    related = ("author",)
    fields = ("creado", "visibilidad", "author", "body")
    readonly_fields = fields
    ordering = ("created_at", "id")

    def has_view_permission(self, request, obj=_NOT_GIVEN):
        # Not on the add page (obj=None there): a ticket being created has no conversation
        # yet. Called without obj (the inline's queryset), it is the model permission.
        if obj is None:
            return False
        return super().has_view_permission(request)

    def has_view_or_change_permission(self, request, obj=_NOT_GIVEN):
        # Django passes obj=None along when it was not given (the queryset's check).
        return self.has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


TicketAdmin.inlines = (*TicketAdmin.inlines, MessageInline)


class MessageAttachmentInline(admin.TabularInline):
    model = MessageAttachment
    extra = 0
    can_delete = False
    fields = ("original_name", "mime_type", "size", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(TicketMessage)
class TicketMessageAdmin(InternalMark, admin.ModelAdmin):
    """Read-only: messages are written through the API (its checks, lock and notifications)."""

    list_display = ("id", "ticket", "author", "visibilidad", "resumen", "fecha")
    list_filter = ("internal", "created_at")
    list_select_related = ("ticket", "author")
    search_fields = ("ticket__code", "author__document", "author__email", "body")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    fields = ("ticket", "author", "internal", "body", "created_at")
    readonly_fields = fields
    inlines = (MessageAttachmentInline,)

    @admin.display(description="mensaje")
    def resumen(self, obj):
        return obj.body if len(obj.body) <= 80 else obj.body[:79] + "…"

    @admin.display(description="fecha", ordering="created_at")
    def fecha(self, obj):
        return _when(obj.created_at)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
