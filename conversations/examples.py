"""OpenAPI examples of the conversation (staff API)."""

from tickethelp.openapi import request_example, response_example

_AUTHOR = {
    "document": "2000000001",
    "email": "tech@tickethelp.local",
    "first_name": "Tomás",
    "last_name": "Técnico",
    "full_name": "Tomás Técnico",
}
_MESSAGE = {
    "id": 31,
    "ticket_id": 123,
    "body": "Paso mañana a las 9:00 con el repuesto.",
    "internal": False,
    "author": _AUTHOR,
    "author_role": "TECH",
    "attachments": [
        {
            "id": 7,
            "filename": "repuesto.jpg",
            "mime_type": "image/jpeg",
            "size": 182044,
            "url": "https://api.tickethelp.example/api/tickets/123/message-attachments/7/download/",
            "created_at": "2026-03-02T15:04:05Z",
        }
    ],
    "created_at": "2026-03-02T15:04:05Z",
}
_NOTE = {
    **_MESSAGE,
    "id": 32,
    "body": "El cliente ya tuvo dos fallas iguales: revisar la fuente.",
    "internal": True,
    "attachments": [],
    "created_at": "2026-03-02T15:10:00Z",
}

MESSAGES_RESPONSE = response_example(
    "Conversación",
    {"message": "Mensajes del ticket", "ticket_id": 123, "total_messages": 2, "messages": [_MESSAGE, _NOTE]},
    summary="Un ADMIN o el técnico asignado ven también las notas internas; el cliente, solo los mensajes públicos.",
)
MESSAGE_REQUEST = request_example("Mensaje", {"body": "Paso mañana a las 9:00 con el repuesto."})
NOTE_REQUEST = request_example(
    "Nota interna", {"body": "El cliente ya tuvo dos fallas iguales: revisar la fuente.", "internal": True}
)
MESSAGE_CREATED_RESPONSE = response_example(
    "Mensaje enviado", {"message": "Mensaje enviado correctamente", "ticket_message": _MESSAGE}, status=201
)
INVALID_SINCE = {"since": ["La fecha/hora tiene un formato incorrecto."]}
INTERNAL_NOT_ALLOWED = {
    "detail": "Solo los administradores y el técnico asignado pueden escribir notas internas.",
    "code": "internal_not_allowed",
}
TICKET_FINAL = {"detail": "El ticket está en un estado final y no admite mensajes.", "code": "ticket_final"}
TICKET_NOT_FOUND = {"detail": "Ticket no encontrado.", "code": "ticket_not_found"}
ATTACHMENT_NOT_FOUND = {"detail": "Adjunto no encontrado.", "code": "attachment_not_found"}
