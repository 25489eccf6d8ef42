"""OpenAPI examples of the "Tickets" section (documentation only), taken from the demo data
of `manage.py seed_demo`; tests/contract checks each one against its schema."""

from tickethelp.openapi import request_example, response_example
from tickets.permissions import TICKETS_ELSEWHERE

OPEN = {"id": 1, "codigo": "open", "nombre": "Abierto", "es_final": False, "portal_status": "open"}
DIAGNOSIS = {
    "id": 2,
    "codigo": "diagnosis",
    "nombre": "En diagnóstico",
    "es_final": False,
    "portal_status": "in_progress",
}
IN_REPAIR = {
    "id": 3,
    "codigo": "in_repair",
    "nombre": "En reparación",
    "es_final": False,
    "portal_status": "in_progress",
}
FINALIZED = {"id": 4, "codigo": "finalized", "nombre": "Finalizado", "es_final": True, "portal_status": "resolved"}

ADMIN = {
    "document": "1000000001",
    "email": "admin@tickethelp.local",
    "first_name": "Ana",
    "last_name": "Administradora",
    "full_name": "Ana Administradora",
}
TECHNICIAN = {
    "document": "2000000001",
    "email": "tech@tickethelp.local",
    "first_name": "Tomás",
    "last_name": "Técnico",
    "full_name": "Tomás Técnico",
}
CLIENT = {
    "document": "3000000001",
    "email": "client@tickethelp.local",
    "first_name": "Carla",
    "last_name": "Cliente",
    "full_name": "Carla Cliente",
}


def ticket_example(**values) -> dict:
    """A ticket as the staff API answers it: the document's keys (users by document, state
    by id) and the richer `*_detalle` keys beside them."""
    ticket = {
        "id": values["id"],
        "code": f"TK-{values['id']:06d}",
        "titulo": values["titulo"],
        "descripcion": values["descripcion"],
        "equipo": values["equipo"],
        "fecha": values["fecha"],
        "category": values["category"],
        "priority": values["priority"],
        "estado": values["estado"]["id"],
    }
    users = {role: values[role] for role in ("administrador", "tecnico", "cliente")}
    ticket.update({role: user and user["document"] for role, user in users.items()})
    ticket.update(
        {
            "creado_en": values["fecha"],
            "actualizado_en": values["updated"],
            "created_at": values["fecha"],
            "updated_at": values["updated"],
            "estado_detalle": values["estado"],
        }
    )
    ticket.update({f"{role}_detalle": user for role, user in users.items()})
    ticket["sla"] = values.get(
        "sla",
        {
            "first_response_due": None,
            "resolution_due": None,
            "approval_due": None,
            "breached": [],
            "paused": False,
        },
    )
    return ticket


TICKET = ticket_example(
    id=1,
    titulo="Portátil no enciende",
    descripcion="El portátil no enciende desde ayer; el cargador tiene luz.",
    equipo="Portátil Lenovo ThinkPad",
    fecha="2026-03-02T09:15:00-05:00",
    updated="2026-03-02T09:15:00-05:00",
    category="hardware",
    priority="high",
    estado=OPEN,
    administrador=ADMIN,
    tecnico=TECHNICIAN,
    cliente=CLIENT,
    sla={
        "first_response_due": "2026-03-02T13:15:00-05:00",
        "resolution_due": "2026-03-04T13:15:00-05:00",
        "approval_due": None,
        "breached": [],
        "paused": False,
    },
)
TICKET_NOT_FOUND = {"detail": "Ticket no encontrado.", "code": "ticket_not_found"}
TICKET_FINAL = {"detail": "El ticket está en un estado final y no admite cambios.", "code": "ticket_final"}

ESTADOS_RESPONSE = response_example(
    "Estado del catálogo",
    {"id": 1, "codigo": "open", "nombre": "Abierto", "es_activo": True, "es_final": False, "portal_status": "open"},
)
ESTADO_CREATE_REQUEST = request_example(
    "Nuevo estado",
    {"codigo": "waiting_parts", "nombre": "Esperando repuestos", "es_final": False, "portal_status": "in_progress"},
)
ESTADO_CREATE_RESPONSE = response_example(
    "Estado creado",
    {
        "id": 6,
        "codigo": "waiting_parts",
        "nombre": "Esperando repuestos",
        "es_activo": True,
        "es_final": False,
        "portal_status": "in_progress",
    },
    status=201,
)
ESTADO_EXISTS = {"detail": "Ya existe un estado con ese código o nombre.", "code": "estado_exists"}

TICKET_LIST_RESPONSE = response_example(
    "Tickets", {"message": "Lista de tickets", "total_tickets": 1, "tickets": [TICKET]}
)
LIST_DENIED = {"detail": TICKETS_ELSEWHERE}
CONSULTA_EMPTY_RESPONSE = response_example("Sin tickets", {"message": "No tienes tickets registrados."})
TICKET_CREATE_REQUEST = request_example(
    "Nuevo ticket",
    {
        "cliente": "3000000001",
        "tecnico": "2000000001",
        "titulo": "Portátil no enciende",
        "descripcion": "El portátil no enciende desde ayer; el cargador tiene luz.",
        "equipo": "Portátil Lenovo ThinkPad",
        "category": "hardware",
        "priority": "high",
    },
    summary="Sin `estado` empieza en Abierto; sin `administrador`, el que lo crea",
)
TICKET_CREATE_RESPONSE = response_example(
    "Ticket creado", {"message": "Ticket creado correctamente", "ticket": TICKET}, status=201
)
WRONG_ROLE = {
    "detail": "El usuario con documento '2000000001' no es cliente.",
    "code": "wrong_role",
    "cliente": ["El usuario indicado no es cliente."],
}
IMPERSONATION_DENIED = {
    "detail": "No puedes actuar ni consultar datos de otro usuario.",
    "code": "impersonation_denied",
}
USER_NOT_FOUND = {"detail": "Usuario no encontrado.", "code": "user_not_found"}

TECHNICIAN_LOAD = {
    "id": "2000000002",
    "document": "2000000002",
    "email": "tech2@tickethelp.local",
    "first_name": "Teresa",
    "last_name": "Reparaciones",
    "number": "+57 300 000 0102",
    "tickets_abiertos": 3,
    "total_tickets": 5,
    "porcentaje_ocupacion": 30.0,
}
LEAST_BUSY_RESPONSE = response_example("Técnico menos ocupado", TECHNICIAN_LOAD)
NO_TECHNICIANS = {"detail": "No hay técnicos activos disponibles.", "code": "no_active_technicians"}
ACTIVE_TECHNICIANS_RESPONSE = response_example(
    "Técnicos activos",
    {"message": "Lista de técnicos activos disponibles", "total_tecnicos": 1, "tecnicos": [TECHNICIAN_LOAD]},
)

CHANGE_TECHNICIAN_REQUEST = request_example("Nuevo técnico", {"documento_tecnico": "2000000002"})
CHANGE_TECHNICIAN_RESPONSE = response_example(
    "Técnico cambiado",
    {
        "message": "Técnico actualizado correctamente",
        "ticket_id": 1,
        "nuevo_tecnico": {
            "documento": "2000000002",
            "email": "tech2@tickethelp.local",
            "nombre": "Teresa Reparaciones",
        },
    },
)
SAME_TECHNICIAN = {
    "detail": "El ticket ya está asignado a ese técnico.",
    "code": "same_technician",
    "documento_tecnico": ["El ticket ya está asignado a ese técnico."],
}

CHANGE_STATE_REQUEST = request_example(
    "A un estado intermedio", {"to_state": 2, "reason": "Revisión inicial"}, summary="Se aplica de inmediato"
)
CHANGE_STATE_FINAL_REQUEST = request_example(
    "A un estado final", {"to_state": 4, "reason": "Reparación terminada"}, summary="Queda pendiente de un ADMIN"
)
STATE_CHANGED_RESPONSE = response_example(
    "Estado cambiado", {"message": "Estado actualizado correctamente", "ticket_id": 1, "new_state": "En diagnóstico"}
)
STATE_REQUESTED_RESPONSE = response_example(
    "Solicitud enviada",
    {
        "message": "El estado final requiere validación del administrador, solicitud enviada correctamente",
        "request_id": 7,
        "status": "pending_approval",
        "to_state": "Finalizado",
    },
)
NOT_ASSIGNED = {
    "detail": "Solo el técnico asignado puede cambiar el estado de este ticket.",
    "code": "not_assigned_technician",
}
ALREADY_PENDING = {
    "detail": "El ticket ya tiene una solicitud de cambio de estado pendiente de aprobación.",
    "code": "request_already_pending",
}
SAME_STATE = {
    "detail": "El ticket ya está en el estado 'En diagnóstico'.",
    "code": "same_state",
    "to_state": ["El ticket ya está en ese estado."],
}

APPROVE_REQUEST = request_example("Aprobar", {"action": "approve"})
REJECT_REQUEST = request_example(
    "Rechazar", {"action": "reject", "rejection_reason": "Falta la foto del equipo reparado."}
)
APPROVED_RESPONSE = response_example(
    "Aprobada", {"message": "Cambio de estado aprobado y aplicado", "ticket_id": 4, "new_state": "Finalizado"}
)
REJECTED_RESPONSE = response_example(
    "Rechazada",
    {
        "message": "Solicitud de cambio de estado rechazada",
        "ticket_id": 4,
        "rejection_reason": "Falta la foto del equipo reparado.",
    },
)
REQUEST_NOT_FOUND = {"detail": "Solicitud de cambio de estado no encontrada.", "code": "request_not_found"}
REQUEST_DECIDED = {"detail": "La solicitud #7 ya fue aprobada.", "code": "request_already_decided"}

PENDING_APPROVALS_RESPONSE = response_example(
    "Solicitudes pendientes",
    {
        "message": "Solicitudes de cambio de estado pendientes",
        "total_pending": 1,
        "requests": [
            {
                "id": 7,
                "ticket_id": 4,
                "ticket": ticket_example(
                    id=4,
                    titulo="Pantalla con líneas verticales",
                    descripcion="La pantalla muestra líneas verticales de colores al encender.",
                    equipo="Monitor Dell P2419H",
                    fecha="2026-03-03T10:05:00-05:00",
                    updated="2026-03-04T16:20:00-05:00",
                    category="hardware",
                    priority="medium",
                    estado=IN_REPAIR,
                    administrador=ADMIN,
                    tecnico=TECHNICIAN,
                    cliente=CLIENT,
                ),
                "from_state": IN_REPAIR,
                "to_state": FINALIZED,
                "reason": "Reparación terminada",
                "status": "pending",
                "requested_by": TECHNICIAN,
                "created_at": "2026-03-04T16:20:00-05:00",
                "decided_by": None,
                "decided_at": None,
                "rejection_reason": "",
            }
        ],
    },
)

CANCEL_REQUEST = request_example("Cancelar", {"reason": "El cliente resolvió el problema por su cuenta."})
CANCEL_RESPONSE = response_example(
    "Cancelado", {"message": "Ticket cancelado correctamente", "ticket_id": 2, "new_state": "Cancelado"}
)
NOT_CANCELLABLE = {
    "detail": "Solo se pueden cancelar tickets en estado Abierto o En diagnóstico.",
    "code": "ticket_not_cancellable",
}

HISTORY_RESPONSE = response_example(
    "Historial",
    {
        "message": "Historial del ticket",
        "ticket_id": 1,
        "total_history": 2,
        "history": [
            {
                "id": 1,
                "action": "created",
                "action_display": "Ticket creado",
                "description": "Ticket TK-000001 creado, asignado a Tomás Técnico.",
                "actor": ADMIN,
                "from_state": None,
                "to_state": OPEN,
                "created_at": "2026-03-02T09:15:00-05:00",
            },
            {
                "id": 2,
                "action": "state_changed",
                "action_display": "Estado cambiado",
                "description": "Abierto → En diagnóstico. Motivo: Revisión inicial",
                "actor": TECHNICIAN,
                "from_state": OPEN,
                "to_state": DIAGNOSIS,
                "created_at": "2026-03-02T11:40:00-05:00",
            },
        ],
    },
)

ATTACHMENT = {
    "id": 3,
    "filename": "foto-equipo.jpg",
    "mime_type": "image/jpeg",
    "size": 48213,
    "url": "https://tickethelp.example.com/api/tickets/1/attachments/3/download/",
    "uploaded_by": TECHNICIAN,
    "created_at": "2026-03-02T11:45:00-05:00",
}
ATTACHMENTS_RESPONSE = response_example(
    "Adjuntos",
    {"message": "Adjuntos del ticket", "ticket_id": 1, "total_attachments": 1, "attachments": [ATTACHMENT]},
)
ATTACHMENT_UPLOAD_REQUEST = request_example(
    "Foto", {"file": "foto-equipo.jpg (contenido binario)"}, media_type="multipart/form-data"
)
ATTACHMENT_CREATED_RESPONSE = response_example(
    "Adjunto guardado", {"message": "Archivo adjuntado correctamente", "attachment": ATTACHMENT}, status=201
)
ATTACHMENT_REFUSED = {
    "detail": "Tipo de archivo no permitido: solo imágenes (JPEG, PNG, GIF, WebP) o videos (MP4, MOV, AVI, WMV).",
    "code": "file_type_not_allowed",
    "file": ["Tipo de archivo no permitido: solo imágenes (JPEG, PNG, GIF, WebP) o videos (MP4, MOV, AVI, WMV)."],
}
ATTACHMENT_NOT_FOUND = {"detail": "Adjunto no encontrado.", "code": "attachment_not_found"}
