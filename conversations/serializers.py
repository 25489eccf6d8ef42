"""Input validation and output shapes of the conversation (staff API)."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from conversations.models import MAX_MESSAGE_LENGTH, MessageAttachment, TicketMessage
from conversations.services import MAX_MESSAGE_FILES
from tickethelp.serializers import FastOutputMixin
from tickets.serializers import UserBriefSerializer

# --- Output shapes -------------------------------------------------------------------------


class MessageAttachmentSerializer(FastOutputMixin, serializers.ModelSerializer):
    filename = serializers.CharField(source="original_name", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = MessageAttachment
        fields = ("id", "filename", "mime_type", "size", "url", "created_at")
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_url(self, attachment: MessageAttachment) -> str:
        """The authorised download endpoint (never the storage's public URL)."""
        path = reverse(
            "ticket-message-attachment-download",
            kwargs={"ticket_id": attachment.message.ticket_id, "attachment_id": attachment.pk},
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class TicketMessageSerializer(FastOutputMixin, serializers.ModelSerializer):
    ticket_id = serializers.IntegerField(read_only=True)
    author = UserBriefSerializer()
    author_role = serializers.CharField(source="author.role", read_only=True)
    attachments = MessageAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = TicketMessage
        fields = ("id", "ticket_id", "body", "internal", "author", "author_role", "attachments", "created_at")
        read_only_fields = fields


# --- Input ---------------------------------------------------------------------------------


class MessageFilterSerializer(serializers.Serializer):
    since = serializers.DateTimeField(
        required=False, help_text="Solo los mensajes posteriores a este instante (ISO 8601)."
    )


class MessageCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=MAX_MESSAGE_LENGTH, help_text="El mensaje (1 a 5.000 caracteres).")
    internal = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Nota interna: solo la ven los administradores y el técnico asignado (un CLIENT recibe 403).",
    )
    files = serializers.ListField(
        child=serializers.FileField(max_length=255, allow_empty_file=False),
        required=False,
        default=list,
        max_length=MAX_MESSAGE_FILES,
        help_text=f"Fotos o videos (como máximo {MAX_MESSAGE_FILES}; multipart/form-data).",
    )


# --- Documented envelopes (schema only; the views build them) ------------------------------


class MessageListResponseSerializer(serializers.Serializer):
    message = serializers.CharField()
    ticket_id = serializers.IntegerField()
    total_messages = serializers.IntegerField()
    messages = TicketMessageSerializer(many=True)


class MessageCreatedResponseSerializer(serializers.Serializer):
    message = serializers.CharField()
    ticket_message = TicketMessageSerializer()
