"""OpenAPI examples of the "Notificaciones" section (documentation only), taken from the demo
data of `manage.py seed_demo`; tests/contract checks each one against its schema."""

from tickethelp.openapi import response_example

NOTIFICATION = {
    "id": 55,
    "ticket": 11,
    "ticket_code": "TK-000011",
    "tipo": {
        "id": 1,
        "codigo": "ticket_creado",
        "nombre": "Ticket creado",
        "descripcion": "Se registró un ticket nuevo.",
        "es_activo": True,
    },
    "titulo": "Nuevo ticket del portal de residentes: TK-000011",
    "mensaje": "Mateo Vecino abrió el ticket TK-000011 «Router se reinicia solo».",
    "estado": "ENVIADA",
    "leida": False,
    "fecha_creacion": "2026-03-05T08:12:40-05:00",
    "fecha_envio": "2026-03-05T08:12:41-05:00",
    "fecha_lectura": None,
    "datos_adicionales": {"evento": "ticket_creado", "origen": "tenant", "ticket_id": 11, "ticket_code": "TK-000011"},
}
READ_NOTIFICATION = {**NOTIFICATION, "leida": True, "fecha_lectura": "2026-03-05T09:00:00-05:00"}

NOTIFICATION_RESPONSE = response_example("Notificación", NOTIFICATION)
NOTIFICATION_LIST_RESPONSE = response_example("Notificación", NOTIFICATION, summary="Un elemento de la lista")
NOTIFICATION_NOT_FOUND = {"detail": "Notificación no encontrada.", "code": "notification_not_found"}
STATS_RESPONSE = response_example(
    "Contadores", {"total": 8, "pendientes": 0, "enviadas": 7, "leidas": 2, "fallidas": 1, "no_leidas": 6}
)
TYPES_RESPONSE = response_example(
    "Tipo de notificación",
    {
        "id": 4,
        "codigo": "estado_cambiado",
        "nombre": "Estado cambiado",
        "descripcion": "El ticket pasó a otro estado.",
        "es_activo": True,
    },
    summary="Un elemento de la lista",
)
HISTORY_RESPONSE = response_example(
    "Historial",
    {"message": "Historial de notificaciones", "total_notifications": 1, "notifications": [NOTIFICATION]},
)
MARK_READ_RESPONSE = response_example(
    "Marcada como leída", {"message": "Notificación marcada como leída", "notification": READ_NOTIFICATION}
)
MARK_ALL_READ_RESPONSE = response_example(
    "Todas leídas", {"message": "Todas las notificaciones marcadas como leídas", "updated": 6}
)
