"""What the load benchmark adds to the application it measures (see bench/settings.py).

* `GET /bench/floor/`: the floor — a plain Django view that answers with a page of 50
  tickets in the staff list's JSON (same keys: users by document and the state by id,
  the nested state and users under `*_detalle`, the `sla` key from the clock columns)
  from one hand-written SQL query, no authentication, no DRF, no ORM. Every endpoint is
  reported as a ratio to it.
* `QueryCountMiddleware`: counts the SQL statements a request runs and returns them as
  `X-Bench-Queries`, with the statements that insert notifications or their delivery
  tasks as `X-Bench-Notification-Queries`.
"""

from django.db import connection
from django.http import JsonResponse
from django.urls import include, path
from django.utils import timezone

NOTIFICATION_TABLES = ("notifications_notification", "django_tasks_database")

USER = ("document", "email", "first_name", "last_name")
ESTADO = ("id", "codigo", "nombre", "es_final", "portal_status")
TICKET = ("id", "code", "titulo", "descripcion", "equipo", "fecha", "category", "priority", "created_at", "updated_at")
# The service-level clocks the list's `sla` key is computed from.
SLA = (
    "first_response_due",
    "first_responded_at",
    "resolution_due",
    "resolution_paused_at",
    "sla_stopped_at",
    "approval_due",
)


def _user_columns(alias: str) -> str:
    return ", ".join(f"{alias}.{column}" for column in USER)


FLOOR_SQL = f"""
    SELECT {", ".join(f"t.{column}" for column in TICKET)},
           {", ".join(f"t.{column}" for column in SLA)},
           {", ".join(f"e.{column}" for column in ESTADO)},
           {_user_columns("a")}, {_user_columns("tc")}, {_user_columns("c")}
    FROM tickets_ticket t
    JOIN tickets_estado e ON e.id = t.estado_id
    JOIN users_user c ON c.id = t.cliente_id
    LEFT JOIN users_user tc ON tc.id = t.tecnico_id
    LEFT JOIN users_user a ON a.id = t.administrador_id
    ORDER BY t.fecha DESC, t.id DESC
    LIMIT 50
"""  # noqa: S608 - constant column names


def _user(values: tuple) -> dict | None:
    if values[0] is None:
        return None
    user = dict(zip(USER, values, strict=True))
    user["full_name"] = f"{user['first_name']} {user['last_name']}".strip()
    return user


def _sla(clocks: dict, now) -> dict:
    """The list's `sla` key, by hand (a clock is breached once its end or now passed its due)."""
    resolution_end = clocks["resolution_paused_at"] or clocks["sla_stopped_at"] or now
    first_response_end = clocks["first_responded_at"] or clocks["sla_stopped_at"] or now
    checks = (
        ("first_response", clocks["first_response_due"], first_response_end),
        ("resolution", clocks["resolution_due"], resolution_end),
        ("approval", clocks["approval_due"], now),
    )
    return {
        "first_response_due": clocks["first_response_due"],
        "resolution_due": clocks["resolution_due"],
        "approval_due": clocks["approval_due"],
        "breached": [name for name, due, end in checks if due is not None and end > due],
        "paused": clocks["resolution_paused_at"] is not None and clocks["sla_stopped_at"] is None,
    }


def _ticket(row: tuple, now=None) -> dict:
    ticket = dict(zip(TICKET, row[: len(TICKET)], strict=True))
    clocks = dict(zip(SLA, row[len(TICKET) : len(TICKET) + len(SLA)], strict=True))
    rest = row[len(TICKET) + len(SLA) :]
    estado = dict(zip(ESTADO, rest[: len(ESTADO)], strict=True))
    ticket["estado"] = estado["id"]
    ticket["creado_en"], ticket["actualizado_en"] = ticket["created_at"], ticket["updated_at"]
    ticket["estado_detalle"] = estado
    users = rest[len(ESTADO) :]
    for index, role in enumerate(("administrador", "tecnico", "cliente")):
        user = _user(users[index * len(USER) : (index + 1) * len(USER)])
        ticket[role] = user and user["document"]
        ticket[f"{role}_detalle"] = user
    ticket["sla"] = _sla(clocks, now or timezone.now())
    return ticket


def floor(request):
    """The staff list's JSON (same keys and types, 50 newest tickets) by hand."""
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL)
        rows = cursor.fetchall()
    now = timezone.now()
    tickets = [_ticket(row, now) for row in rows]
    return JsonResponse({"message": "floor", "total_tickets": len(tickets), "tickets": tickets})


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        counts = {"all": 0, "notifications": 0}

        def count(execute, sql, params, many, context):
            counts["all"] += 1
            # (on PostgreSQL a write's notifications and tasks are inside a WITH with its other writes)
            if any(f'INSERT INTO "{table}' in sql for table in NOTIFICATION_TABLES):
                counts["notifications"] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = self.get_response(request)
        response["X-Bench-Queries"] = str(counts["all"])
        response["X-Bench-Notification-Queries"] = str(counts["notifications"])
        return response


urlpatterns = [
    path("bench/floor/", floor),
    path("", include("tickethelp.urls")),
]
