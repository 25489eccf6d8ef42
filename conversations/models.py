"""The conversation on a ticket: messages between its participants, and internal notes.

A message is public (everyone who may see the ticket sees it) or an internal note (ADMINs
and the assigned technician only; never the client or resident). Messages are not ticket
history rows: the staff history is shown to the client, so an internal note must not be one.
"""

import os
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.utils import timezone

from tickethelp.uploads import ALLOWED_MIME_TYPES, MAX_UPLOAD_SIZE, served_name

MAX_MESSAGE_LENGTH = 5000


class TicketMessage(models.Model):
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="messages", verbose_name="ticket"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ticket_messages", verbose_name="autor"
    )
    body = models.TextField("mensaje", max_length=MAX_MESSAGE_LENGTH)
    internal = models.BooleanField(
        "nota interna", default=False, help_text="Solo la ven los administradores y el técnico asignado."
    )
    created_at = models.DateTimeField("fecha", default=timezone.now)

    class Meta:
        verbose_name = "mensaje de ticket"
        verbose_name_plural = "mensajes de tickets"
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("body")), 0), name="conversations_message_body_not_blank"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), MAX_MESSAGE_LENGTH),
                name="conversations_message_body_max_length",
            ),
        ]
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="conversations_msg_ticket_idx")]

    def __str__(self) -> str:
        kind = "Nota interna" if self.internal else "Mensaje"
        return f"{kind} #{self.pk} · ticket {self.ticket_id}"


def message_attachment_upload_to(instance: "MessageAttachment", filename: str) -> str:
    """A random name under the ticket's folder: nothing of the client's file name is trusted."""
    extension = os.path.splitext(filename)[1].lower()[:10]
    return f"messages/{instance.message.ticket_id}/{uuid.uuid4().hex}{extension}"


class MessageAttachment(models.Model):
    """A photo or video sent with a message; it is seen by whoever sees its message (its own
    table, not the ticket's attachments, which the client sees: an internal note's file must
    not show up there)."""

    message = models.ForeignKey(
        TicketMessage, on_delete=models.CASCADE, related_name="attachments", verbose_name="mensaje"
    )
    file = models.FileField("archivo", upload_to=message_attachment_upload_to, max_length=255)
    original_name = models.CharField("nombre original", max_length=255)
    mime_type = models.CharField("tipo", max_length=100)
    size = models.PositiveBigIntegerField("tamaño (bytes)")
    created_at = models.DateTimeField("subido el", default=timezone.now)

    class Meta:
        verbose_name = "adjunto de mensaje"
        verbose_name_plural = "adjuntos de mensajes"
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mime_type__in=sorted(ALLOWED_MIME_TYPES)), name="conversations_attachment_mime_allowed"
            ),
            models.CheckConstraint(condition=Q(size__lte=MAX_UPLOAD_SIZE), name="conversations_attachment_max_size"),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def download_name(self) -> str:
        """The stored (random) name with the sniffed type's extension; never the client's."""
        return served_name(self.file.name, self.mime_type, fallback=f"adjunto-mensaje-{self.pk}")
