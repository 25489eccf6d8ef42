"""OpenAPI examples of the "Notificaciones" section (documentation only), taken from the demo
data of `manage.py seed_demo`; tests/contract checks each one against its schema."""

from tickethelp.openapi import request_example, response_example

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
    "tipo_nombre": "Ticket creado",
    "tipo_codigo": "ticket_creado",
    "usuario": {
        "document": "1000000001",
        "first_name": "Ana",
        "last_name": "Administradora",
        "email": "admin@tickethelp.local",
    },
    "titulo": "Nuevo ticket del portal de residentes: TK-000011",
    "mensaje": "Mateo Vecino abrió el ticket TK-000011 «Router se reinicia solo».",
    "estado": "ENVIADA",
    "leida": False,
    "fecha_creacion": "2026-03-05T08:12:40-05:00",
    "fecha_envio": "2026-03-05T08:12:41-05:00",
    "fecha_lectura": None,
    "datos_adicionales": {"evento": "ticket_creado", "origen": "tenant", "ticket_id": 11, "ticket_code": "TK-000011"},
    "new_technician_info": None,
    "old_technician_info": None,
}
NEW_TECHNICIAN = {"documento": "2000000002", "nombre": "Teresa Reparaciones"}
OLD_TECHNICIAN = {"documento": "2000000001", "nombre": "Tomás Técnico"}
TECHNICIAN_CHANGED = {
    "id": 61,
    "ticket": 1,
    "ticket_code": "TK-000001",
    "tipo": {
        "id": 3,
        "codigo": "tecnico_cambiado",
        "nombre": "Técnico cambiado",
        "descripcion": "El ticket cambió de técnico responsable.",
        "es_activo": True,
    },
    "tipo_nombre": "Técnico cambiado",
    "tipo_codigo": "tecnico_cambiado",
    "usuario": {
        "document": "2000000002",
        "first_name": "Teresa",
        "last_name": "Reparaciones",
        "email": "tech2@tickethelp.local",
    },
    "titulo": "Ticket TK-000001 asignado a ti",
    "mensaje": "Ahora eres el técnico responsable del ticket TK-000001 «Portátil no enciende».",
    "estado": "ENVIADA",
    "leida": False,
    "fecha_creacion": "2026-03-05T10:02:00-05:00",
    "fecha_envio": "2026-03-05T10:02:01-05:00",
    "fecha_lectura": None,
    "datos_adicionales": {
        "evento": "tecnico_cambiado",
        "ticket_id": 1,
        "ticket_code": "TK-000001",
        "rol": "nuevo",
        "tecnico_anterior": OLD_TECHNICIAN,
        "tecnico_nuevo": NEW_TECHNICIAN,
    },
    "new_technician_info": NEW_TECHNICIAN,
    "old_technician_info": OLD_TECHNICIAN,
}
READ_NOTIFICATION = {**NOTIFICATION, "leida": True, "fecha_lectura": "2026-03-05T09:00:00-05:00"}

NOTIFICATION_RESPONSE = response_example("Notificación", NOTIFICATION)
TECHNICIAN_CHANGED_RESPONSE = response_example(
    "Cambio de técnico", TECHNICIAN_CHANGED, summary="Con `new_technician_info` / `old_technician_info`"
)
NOTIFICATION_LIST_RESPONSE = response_example("Notificación", NOTIFICATION, summary="Un elemento de la lista")
TECHNICIAN_CHANGED_LIST_RESPONSE = response_example(
    "Cambio de técnico", TECHNICIAN_CHANGED, summary="Un elemento de la lista: cambio de técnico"
)
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

# --- Push tokens and notification settings -------------------------------------------------

PUSH_TOKEN_BODY = {
    "push_token": "ExponentPushToken[xXxXxXxXxXxXxXxXxXxXxX]",
    "token_type": "expo",
    "platform": "android",
    "device_type": "phone",
    "device_name": "Pixel 7",
    "app_ownership": "standalone",
    "is_standalone": True,
    "execution_environment": "standalone",
}
PUSH_TOKEN = {
    "id": 7,
    **PUSH_TOKEN_BODY,
    "created_at": "2026-03-05T08:12:40-05:00",
    "last_registered_at": "2026-03-06T07:00:02-05:00",
}
PUSH_TOKEN_REQUEST = request_example("Registrar el teléfono", PUSH_TOKEN_BODY)
PUSH_TOKEN_RESPONSE = response_example("Registrado", PUSH_TOKEN, status=201)
PUSH_TOKENS_RESPONSE = response_example("Mis teléfonos", PUSH_TOKEN, summary="Un elemento de la lista")
PUSH_TOKEN_NOT_FOUND = {"detail": "Token push no encontrado.", "code": "push_token_not_found"}


def _setting(codigo, nombre, descripcion, *, email=True, push=True, default_email=True, locked=("in_app",)):
    return {
        "codigo": codigo,
        "nombre": nombre,
        "descripcion": descripcion,
        "channels": {"in_app": True, "email": email, "push": push},
        "defaults": {"in_app": True, "email": default_email, "push": True},
        "locked": list(locked),
    }


SETTINGS = [
    _setting("estado_cambiado", "Estado cambiado", "El ticket pasó a otro estado.", push=False),
    _setting(
        "mensaje_nuevo", "Mensaje nuevo", "Un participante escribió en el ticket.", email=False, default_email=False
    ),
    _setting(
        "password_reset",
        "Restablecimiento de contraseña",
        "Contraseña temporal enviada por correo.",
        locked=("in_app", "email"),
    ),
]
SETTINGS_RESPONSE = response_example("Preferencias", {"settings": SETTINGS})
SETTINGS_REQUEST = request_example(
    "Sin push de cambios de estado",
    {"settings": [{"codigo": "estado_cambiado", "channels": {"push": False}}]},
)
