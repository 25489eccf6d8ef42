"""Writes of the conversation: one transaction per message, the ticket row locked.

The ticket is locked (`tickets.services.lock_ticket`, one statement) before
its state is checked, so a message and a move into a final state are serialised: the
message lands before the ticket is closed, or it is refused with 409.
"""

import logging
from collections.abc import Sequence

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from conversations import selectors
from conversations.models import MAX_MESSAGE_LENGTH, MessageAttachment, TicketMessage
from notifications.services import Announcement, notify_all
from sla import clocks
from tickethelp.exceptions import Conflict, DomainError, Forbidden, NotFound
from tickethelp.uploads import STORAGE_ERRORS, CheckedUpload, UploadRejected, check_upload, store_upload
from tickets.models import Ticket
from tickets.selectors import is_participant
from tickets.services import lock_ticket
from users.models import Role, User

logger = logging.getLogger(__name__)

MAX_MESSAGE_FILES = 5
FINAL_TICKET_MESSAGE = "El ticket está en un estado final y no admite mensajes."
# Notification types (seeded by migration 0002); neither sends e-mail by default.
NEW_MESSAGE, NEW_INTERNAL_NOTE = "mensaje_nuevo", "nota_interna"
EXCERPT_LENGTH = 200


def _checked_uploads(files: Sequence) -> list[tuple[object, CheckedUpload]]:
    if len(files) > MAX_MESSAGE_FILES:
        error = f"Se admiten como máximo {MAX_MESSAGE_FILES} archivos por mensaje."
        raise DomainError(error, code="too_many_files", field_errors={"files": [error]})
    checked = []
    for uploaded_file in files:
        try:
            checked.append((uploaded_file, check_upload(uploaded_file)))
        except UploadRejected as exc:
            raise DomainError(exc.message, code=exc.code, field_errors={"files": [exc.message]}) from None
    return checked


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        error = "El mensaje no puede estar vacío."
        raise DomainError(error, code="message_blank", field_errors={"body": [error]})
    if len(body) > MAX_MESSAGE_LENGTH:
        error = f"El mensaje admite como máximo {MAX_MESSAGE_LENGTH} caracteres."
        raise DomainError(error, code="message_too_long", field_errors={"body": [error]})
    return body


def message_send(
    *, ticket_id: int, actor: User, body: str, internal: bool = False, files: Sequence = ()
) -> TicketMessage:
    """A message (or, for ADMINs and the assigned technician, an internal note) on a ticket
    `actor` takes part in; refused (409) once the ticket is in a final state. Files are
    checked before the lock and stored with the message (all or nothing). Every other
    participant who may read it is notified once."""
    body = _clean_body(body)
    checked = _checked_uploads(files)
    stored_names: list[str] = []
    try:
        with transaction.atomic():
            ticket = lock_ticket(ticket_id)
            if not is_participant(ticket=ticket, user=actor):
                raise NotFound("Ticket no encontrado.", code="ticket_not_found")
            if internal and not selectors.sees_internal_notes(ticket=ticket, user=actor):
                raise Forbidden(
                    "Solo los administradores y el técnico asignado pueden escribir notas internas.",
                    code="internal_not_allowed",
                )
            if ticket.estado.es_final:
                raise Conflict(FINAL_TICKET_MESSAGE, code="ticket_final")
            message = TicketMessage.objects.create(ticket=ticket, author=actor, body=body, internal=internal)
            if not internal and actor.role in (Role.ADMIN, Role.TECH):
                # The first public staff message is the ticket's first response (sla).
                sla_fields = clocks.on_first_response(ticket, now=timezone.now())
                if sla_fields:
                    ticket.save(update_fields=[*sla_fields, "updated_at"])
            for uploaded_file, upload in checked:
                _store_attachment(message=message, uploaded_file=uploaded_file, checked=upload, stored=stored_names)
            _announce(message=message, ticket=ticket, actor=actor)
    except Exception:
        # Nothing was committed: no stored file may outlive its row.
        _delete_stored(stored_names)
        raise
    return message


def _store_attachment(
    *, message: TicketMessage, uploaded_file, checked: CheckedUpload, stored: list[str]
) -> MessageAttachment:
    original_name = (getattr(uploaded_file, "name", "") or "archivo").replace("\x00", "")[-255:]
    attachment = MessageAttachment(
        message=message, original_name=original_name, mime_type=checked.mime_type, size=checked.size
    )
    # The stored extension is the sniffed type's, never the client's; a failing storage is a 503.
    stored.append(store_upload(attachment.file, f"upload{checked.extension}", uploaded_file))
    attachment.save()
    return attachment


def _delete_stored(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except STORAGE_ERRORS:
            logger.exception("Could not delete stored upload %s of a rolled-back transaction", name)


def _announce(*, message: TicketMessage, ticket: Ticket, actor: User) -> None:
    """One notification per participant who may read the message, the author excepted:
    the client (public messages only), the assigned technician, the ADMINs who wrote on it."""
    staff = [ticket.tecnico, *selectors.admins_who_wrote(ticket=ticket)]
    recipients = staff if message.internal else [ticket.cliente, *staff]
    recipients = [user for user in recipients if user is not None and user.pk != actor.pk]
    if not recipients:
        return
    excerpt = message.body if len(message.body) <= EXCERPT_LENGTH else message.body[: EXCERPT_LENGTH - 1] + "…"
    label = f"{ticket.code} «{ticket.titulo}»"
    author = actor.get_full_name() or actor.email
    if message.internal:
        codigo, titulo = NEW_INTERNAL_NOTE, f"Nota interna en el ticket {ticket.code}"
        text = f"{author} dejó una nota interna en el ticket {label}: «{excerpt}»"
    else:
        codigo, titulo = NEW_MESSAGE, f"Nuevo mensaje en el ticket {ticket.code}"
        text = f"{author} escribió en el ticket {label}: «{excerpt}»"
    datos = {"evento": codigo, "ticket_id": ticket.pk, "ticket_code": ticket.code, "message_id": message.pk}
    announcement = Announcement(codigo=codigo, recipients=recipients, titulo=titulo, mensaje=text, datos=datos)
    notify_all([announcement], ticket=ticket)
