"""The floor ladder's server side (bench/ladder.py), run by gunicorn as deployed.

`application` is the WSGI entry point (`gunicorn bench.ladder_app -c gunicorn.conf.py`,
settings `bench.ladder_settings` = the load benchmark's settings plus the routes below):

* rung 1, `GET /ladder/bare/`: a bare WSGI callable answering a constant JSON — gunicorn and
  the socket, no Django at all;
* rung 2, `GET /ladder/plain/<real path>`: a plain Django view (through the deployed
  middleware) that runs the SQL the real endpoint runs for that path on a raw cursor and
  answers the rows with `json.dumps`: no DRF, no token decoding, no serializer, no ORM;
* rung 3 is the real endpoint itself.

Rung 2 learns its statements on its first request for a path: it calls the real view once
in-process (with the same Authorization header), records the statements it ran (minus
savepoint bookkeeping) and every later request replays them with their parameters —
authentication's user row included: for a one-row GET such as `/api/me/` that row *is*
the endpoint's one query. The DB work is thus the real endpoint's, statement for
statement; what rung 3 costs above rung 2 is Python: middleware, DRF, token decoding,
serialization, rendering, logging.
"""

import json
import threading

from django.core.wsgi import get_wsgi_application

# First: this module is also the URLconf, and what it imports below needs the apps loaded.
_django = get_wsgi_application()

from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.urls import include, path, resolve  # noqa: E402

from bench.bare import with_bare_route  # noqa: E402
from tickethelp.rows import FOLLOW_WRITTEN_JOINS  # noqa: E402

BARE_BODY = json.dumps({"message": "bare", "tickets": []}).encode()
SKIPPED_PREFIXES = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")

_statements: dict[str, list[tuple[str, object]]] = {}
_learning = threading.Lock()


def _learn(request, real_path: str) -> list[tuple[str, object]]:
    """The statements the real endpoint runs for `real_path`."""
    recorded: list[tuple[str, object]] = []

    def record(execute, sql, params, many, context):
        recorded.append((sql, params))
        return execute(sql, params, many, context)

    factory = RequestFactory()
    headers = {"HTTP_ACCEPT": "application/json", "HTTP_HOST": request.get_host()}
    if "HTTP_AUTHORIZATION" in request.META:
        headers["HTTP_AUTHORIZATION"] = request.META["HTTP_AUTHORIZATION"]
    real = factory.get(real_path, **headers)
    match = resolve(real.path_info)
    with connection.execute_wrapper(record):
        response = match.func(real, *match.args, **match.kwargs)
        if hasattr(response, "render"):
            response.render()
    if response.status_code != 200:
        raise RuntimeError(f"{real_path} answered {response.status_code} in-process")
    return [(sql, params) for sql, params in recorded if not sql.startswith(SKIPPED_PREFIXES)]


def _result_sets(cursor) -> list[list[dict]]:
    """Every result set of the last execute (a row plan sends SET; SELECT; SET in one call)."""
    raw = cursor.cursor
    sets = []
    while True:
        if raw.description is not None:
            names = [column.name for column in raw.description]
            sets.append([dict(zip(names, row, strict=True)) for row in raw.fetchall()])
        if not raw.nextset():
            return sets


def plain(request, rest: str):
    real_path = "/" + rest + ("?" + request.META["QUERY_STRING"] if request.META.get("QUERY_STRING") else "")
    statements = _statements.get(real_path)
    if statements is None:
        with _learning:
            statements = _statements.get(real_path) or _learn(request, real_path)
            _statements[real_path] = statements
    results = []
    for sql, params in statements:
        # As the endpoint sends it: a row plan's SET; SELECT; SET on a client-binding cursor
        # (server-side binding, DB_PREPARED_STATEMENTS, takes one statement per call).
        several = connection.vendor == "postgresql" and sql.startswith(FOLLOW_WRITTEN_JOINS)
        with connection.client_binding_cursor() if several else connection.cursor() as cursor:
            cursor.execute(sql, params)
            results.extend(_result_sets(cursor))
    body = results[0] if len(results) == 1 else results
    return HttpResponse(json.dumps(body, default=str), content_type="application/json")


urlpatterns = [
    path("ladder/plain/<path:rest>", plain),
    path("", include("bench.server")),
]


application = with_bare_route(_django, "/ladder/bare/", BARE_BODY)
