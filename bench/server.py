"""What the load benchmark adds to the application it measures (see bench/settings.py).

* `GET /bench/floor/`: the floor — a plain Django view that answers with a page of 50
  tickets (the fields and joins of the staff list) from one hand-written SQL query, no
  authentication, no DRF. Every endpoint is reported as a ratio to it.
* `QueryCountMiddleware`: counts the SQL statements a request runs and returns them as
  `X-Bench-Queries`, with the inserts that notifications and their e-mail tasks cost
  as `X-Bench-Notification-Queries`.
"""

from django.db import connection
from django.http import JsonResponse
from django.urls import include, path

FLOOR_SQL = """
    SELECT t.id, t.code, t.titulo, t.descripcion, t.equipo, t.fecha, t.category, t.priority,
           e.id AS estado_id, e.nombre AS estado, c.document AS cliente, tc.document AS tecnico,
           a.document AS administrador
    FROM tickets_ticket t
    JOIN tickets_estado e ON e.id = t.estado_id
    JOIN users_user c ON c.id = t.cliente_id
    LEFT JOIN users_user tc ON tc.id = t.tecnico_id
    LEFT JOIN users_user a ON a.id = t.administrador_id
    ORDER BY t.fecha DESC, t.id DESC
    LIMIT 50
"""

NOTIFICATION_TABLES = ("notifications_notification", "django_tasks_database")


def floor(request):
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL)
        columns = [column[0] for column in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return JsonResponse({"message": "floor", "total": len(rows), "tickets": rows})


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        counts = {"all": 0, "notifications": 0}

        def count(execute, sql, params, many, context):
            counts["all"] += 1
            if sql.lstrip()[:6].upper() == "INSERT" and any(table in sql for table in NOTIFICATION_TABLES):
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
