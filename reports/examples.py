"""OpenAPI examples of the reports (documentation only), taken from the demo data of
`manage.py seed_demo`; tests/contract checks each one against its schema."""

from tickethelp.openapi import response_example

GENERAL_STATS = response_example(
    "Resumen", {"tickets_abiertos": 9, "tickets_finalizados": 1, "tickets_cancelados": 1, "total_tickets": 11}
)
PERFORMANCE_RANKING = response_example(
    "Técnico del ranking",
    {
        "document": "2000000003",
        "nombre_completo": "Tulio Soporte",
        "tickets_asignados": 4,
        "tickets_resueltos": 1,
        "porcentaje_exito": 25.0,
        "calificacion_promedio": 4.5,
        "calificaciones": 2,
    },
    summary="Un elemento de la lista",
)
CLIENTS_EVOLUTION = response_example(
    "Clientes por mes",
    {
        "year": 2026,
        "total_clientes": 6,
        "mensual": {"01": 0, "02": 2, "03": 5, "04": 0, "05": 0, "06": 0}
        | {"07": 0, "08": 0, "09": 0, "10": 0, "11": 0, "12": 0},
    },
)
STATUS_DISTRIBUTION = response_example(
    "Estado",
    {
        "estado_id": 3,
        "codigo": "in_repair",
        "nombre": "En reparación",
        "es_final": False,
        "total": 5,
        "porcentaje": 45.45,
    },
    summary="Un elemento de la lista",
)
RESOLUTION_TIME = response_example(
    "Tiempo de resolución",
    {
        "tickets_resueltos": 3,
        "promedio_horas": 26.5,
        "por_tecnico": [
            {
                "document": "2000000003",
                "nombre_completo": "Tulio Soporte",
                "tickets_resueltos": 2,
                "promedio_horas": 20.25,
            },
            {
                "document": "2000000001",
                "nombre_completo": "Tomás Técnico",
                "tickets_resueltos": 1,
                "promedio_horas": 39.0,
            },
        ],
    },
)
TICKET_AGING = response_example(
    "Ticket abierto",
    {
        "id": 1,
        "code": "TK-000001",
        "titulo": "Portátil no enciende",
        "estado": "Abierto",
        "fecha": "2026-03-02T14:15:00Z",
        "dias_abierto": 12,
        "tecnico": "Tomás Técnico",
        "tecnico_document": "2000000001",
        "cliente": "Carla Cliente",
        "cliente_document": "3000000001",
    },
    summary="Un elemento de la lista",
)
THROUGHPUT = response_example(
    "Periodo", {"periodo": "2026-03-01", "abiertos": 11, "finalizados": 1}, summary="Un elemento de la lista"
)
PENDING_APPROVALS = response_example(
    "Solicitudes esperando",
    {
        "total_pendientes": 2,
        "antiguedad_promedio_horas": 5.5,
        "antiguedad_maxima_horas": 9.75,
        "solicitudes": [
            {
                "request_id": 1,
                "ticket_id": 4,
                "ticket_code": "TK-000004",
                "to_state": "Finalizado",
                "tecnico": "Tomás Técnico",
                "creada": "2026-03-04T21:20:00Z",
                "antiguedad_horas": 9.75,
            }
        ],
    },
)
PORTAL_TICKETS = response_example(
    "Tickets del portal",
    {
        "total_tickets": 3,
        "por_categoria": [{"categoria": "electrodomesticos", "total": 2}, {"categoria": "redes", "total": 1}],
        "por_prioridad": [
            {"prioridad": "high", "total": 1},
            {"prioridad": "medium", "total": 1},
            {"prioridad": "urgent", "total": 1},
        ],
        "por_edificio": [
            {"edificio_id": 1, "edificio": "Torres del Parque", "total": 2},
            {"edificio_id": 2, "edificio": "Edificio Mirador del Río", "total": 1},
        ],
    },
)
INVALID_YEAR = {"year": ["Introduzca un número entero válido."]}

_TULIO_RATINGS = {
    "document": "2000000003",
    "nombre_completo": "Tulio Soporte",
    "calificaciones": 2,
    "promedio": 4.5,
    "distribucion": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1},
}
SATISFACTION = response_example(
    "Satisfacción",
    {
        "calificaciones": 2,
        "promedio": 4.5,
        "distribucion": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1},
        "por_mes": [
            {
                "mes": "2026-03",
                "calificaciones": 2,
                "promedio": 4.5,
                "distribucion": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1},
                "por_tecnico": [_TULIO_RATINGS],
            }
        ],
        "por_tecnico": [_TULIO_RATINGS],
    },
)

_SLA_CLOCKS = {
    "primera_respuesta": {"cumplidos": 3, "incumplidos": 1, "porcentaje_cumplimiento": 75.0, "mediana_minutos": 42},
    "resolucion": {"cumplidos": 1, "incumplidos": 0, "porcentaje_cumplimiento": 100.0, "mediana_minutos": 1310},
}
_SLA_APPROVALS = {
    "aprobadas": 1,
    "rechazadas": 1,
    "a_tiempo": 1,
    "fuera_de_plazo": 1,
    "porcentaje_a_tiempo": 50.0,
    "mediana_espera_minutos": 96,
}
_SLA_ADMIN = {"document": "1000000001", "nombre_completo": "Ada Administradora", **_SLA_APPROVALS}
_SLA_TECH = {"document": "2000000003", "nombre_completo": "Tulio Soporte", **_SLA_CLOCKS}
SLA_COMPLIANCE = response_example(
    "Cumplimiento de niveles de servicio",
    {
        "desde": "2026-01-01",
        **_SLA_CLOCKS,
        "aprobaciones": {**_SLA_APPROVALS, "por_administrador": [_SLA_ADMIN]},
        "por_prioridad": [{"prioridad": "high", **_SLA_CLOCKS}],
        "por_tecnico": [_SLA_TECH],
        "por_mes": [
            {
                "mes": "2026-03",
                **_SLA_CLOCKS,
                "aprobaciones": {**_SLA_APPROVALS, "por_administrador": [_SLA_ADMIN]},
                "por_prioridad": [{"prioridad": "high", **_SLA_CLOCKS}],
                "por_tecnico": [_SLA_TECH],
            }
        ],
    },
)
