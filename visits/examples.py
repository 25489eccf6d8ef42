"""OpenAPI examples of the appointments API (documentation only), in the demo data's words."""

from tickethelp.openapi import request_example, response_example

TECHNICIAN = {
    "document": "1000000002",
    "email": "tecnico@tickethelp.local",
    "first_name": "Tomás",
    "last_name": "Técnico",
    "full_name": "Tomás Técnico",
}
APPOINTMENT = {
    "id": 7,
    "ticket": 12,
    "ticket_code": "TK-000012",
    "tecnico": TECHNICIAN["document"],
    "tecnico_detalle": TECHNICIAN,
    "title": "Revisión del televisor",
    "description": "Llevar control remoto de repuesto.",
    "scheduled_for": "2025-03-10T09:00:00-05:00",
    "duration": 60,
    "ends_at": "2025-03-10T10:00:00-05:00",
    "status": "scheduled",
    "status_display": "Programada",
    "reschedule_count": 0,
    "started_at": None,
    "completed_at": None,
    "completion_notes": "",
    "service_rating": None,
    "member_feedback": "",
    "reason": "",
    "reminder_sent_at": None,
    "created_at": "2025-03-07T15:20:00-05:00",
}
APPOINTMENT_NOT_FOUND = {"detail": "Cita no encontrada.", "code": "appointment_not_found"}
INVALID_TRANSITION = {
    "detail": "No se puede iniciar una visita en estado «Cancelada».",
    "code": "appointment_invalid_transition",
}
OVERLAP = {
    "detail": "El técnico ya tiene una visita activa que se cruza con ese horario.",
    "code": "appointment_overlap",
}

BOOK_REQUEST = request_example(
    "Agendar una visita",
    {"title": "Revisión del televisor", "scheduled_for": "2025-03-10T09:00:00-05:00", "duration": 60},
)
BOOKED_RESPONSE = response_example(
    "Visita agendada", {"message": "Visita agendada", "appointment": APPOINTMENT}, status=201
)
TICKET_APPOINTMENTS_RESPONSE = response_example(
    "Visitas del ticket",
    {"message": "Visitas del ticket", "ticket_id": 12, "total_appointments": 1, "appointments": [APPOINTMENT]},
)
AGENDA_RESPONSE = response_example("Visita de la agenda", APPOINTMENT, summary="Un elemento de la lista")
COMPLETE_REQUEST = request_example("Completar", {"completion_notes": "Se cambió la fuente de poder."})
REASON_REQUEST = request_example("Motivo", {"reason": "El residente no estaba en casa."})
RESCHEDULE_REQUEST = request_example(
    "Reprogramar", {"scheduled_for": "2025-03-11T14:00:00-05:00", "duration": 90, "reason": "Pedido del residente."}
)


def action_response(message: str, **changes) -> object:
    return response_example(message, {"message": message, "appointment": {**APPOINTMENT, **changes}})


STARTED_RESPONSE = action_response("Visita iniciada", status="in_progress", started_at="2025-03-10T09:05:00-05:00")
COMPLETED_RESPONSE = action_response(
    "Visita completada: queda esperando la calificación del residente",
    status="awaiting_feedback",
    status_display="Esperando calificación",
    started_at="2025-03-10T09:05:00-05:00",
    completed_at="2025-03-10T09:50:00-05:00",
    completion_notes="Se cambió la fuente de poder.",
)
CANCELLED_RESPONSE = action_response(
    "Visita cancelada", status="cancelled", status_display="Cancelada", reason="El residente no estaba en casa."
)
NO_SHOW_RESPONSE = action_response(
    "Visita marcada como no atendida",
    status="no_show",
    status_display="No se atendió",
    reason="El residente no estaba en casa.",
)
RESCHEDULED_RESPONSE = action_response(
    "Visita reprogramada",
    scheduled_for="2025-03-11T14:00:00-05:00",
    ends_at="2025-03-11T15:30:00-05:00",
    duration=90,
    reschedule_count=1,
)
