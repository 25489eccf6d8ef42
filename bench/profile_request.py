"""Where a request's time goes, layer by layer, in-process (used by bench/ladder.py).

Reads a JSON list of {name, path, token} on stdin; calls each path `--iterations` times
through Django's WSGI handler (the settings in DJANGO_SETTINGS_MODULE, no socket, no
gunicorn) after a warm-up, with a timer around each layer, and prints per endpoint the
mean exclusive time (µs) of each group:

* middleware: every middleware's own code (each class in settings.MIDDLEWARE, exclusive);
* django: the handler itself (WSGIRequest, URL resolution, the response's iteration);
* authentication: DRF's `_authenticate` (JWT decoding, the user + revocation query's Python);
* throttling, permissions, negotiation: DRF's checks and content negotiation;
* drf: the rest of DRF's dispatch (Request wrapping, `initial`, `finalize_response`);
* view: the view's own Python — selectors, serializers, row plans;
* database: executing statements and fetching rows (any layer's, auth's included);
* health check: Django's `SELECT 1` on a reused connection (CONN_HEALTH_CHECKS) before
  the request's first statement (tickethelp/postgresql: only after an idle spell);
* rendering: `Response.rendered_content` (JSON encoding);
* logging: every `Logger._log` (the request log line of tickethelp.middleware).

Timers, not a sampling profiler: each layer's time excludes the layers it calls (a stack
of perf_counter starts), and the few wrappers cost ~1 µs each. gunicorn's own access log
line is outside this process (see the ladder's rung 1).
"""

import argparse
import io
import json
import logging
import os
import sys
import time
from functools import wraps

import django

# The checkout whose code is measured: the working directory (bench/ladder.py runs this
# script in a baseline checkout too), this script's own checkout by default.
sys.path.insert(0, os.getcwd())

GROUPS = [
    "middleware",
    "django",
    "authentication",
    "throttling",
    "permissions",
    "negotiation",
    "drf",
    "view",
    "database",
    "health check",
    "rendering",
    "logging",
]

_totals: dict[str, float] = {}
_stack: list[list] = []  # [group, start, time spent in children]


def timed(group: str, function):
    @wraps(function)
    def wrapper(*args, **kwargs):
        frame = [group, time.perf_counter(), 0.0]
        _stack.append(frame)
        try:
            return function(*args, **kwargs)
        finally:
            _stack.pop()
            elapsed = time.perf_counter() - frame[1]
            _totals[group] = _totals.get(group, 0.0) + elapsed - frame[2]
            if _stack:
                _stack[-1][2] += elapsed

    return wrapper


def instrument() -> None:
    import psycopg
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.db.backends.postgresql.base import DatabaseWrapper as PostgresWrapper
    from django.db.backends.utils import CursorWrapper
    from django.utils.module_loading import import_string
    from rest_framework.request import Request
    from rest_framework.response import Response
    from rest_framework.views import APIView

    WSGIHandler.__call__ = timed("django", WSGIHandler.__call__)
    for dotted in settings.MIDDLEWARE:
        cls = import_string(dotted)
        cls.__call__ = timed("middleware", cls.__call__)
        for hook in ("process_request", "process_view", "process_response"):
            if hook in vars(cls):
                setattr(cls, hook, timed("middleware", vars(cls)[hook]))
    APIView.dispatch = timed("view", APIView.dispatch)
    for name in ("initialize_request", "initial", "finalize_response"):
        setattr(APIView, name, timed("drf", getattr(APIView, name)))
    APIView.check_throttles = timed("throttling", APIView.check_throttles)
    APIView.check_permissions = timed("permissions", APIView.check_permissions)
    APIView.perform_content_negotiation = timed("negotiation", APIView.perform_content_negotiation)
    Request._authenticate = timed("authentication", Request._authenticate)
    CursorWrapper._execute_with_wrappers = timed("database", CursorWrapper._execute_with_wrappers)
    PostgresWrapper.is_usable = timed("health check", PostgresWrapper.is_usable)
    for name in ("fetchone", "fetchmany", "fetchall", "nextset"):
        setattr(psycopg.Cursor, name, timed("database", getattr(psycopg.Cursor, name)))
    Response.rendered_content = property(timed("rendering", Response.rendered_content.fget))
    logging.Logger._log = timed("logging", logging.Logger._log)


def environ(path: str, token: str | None) -> dict:
    path_info, _, query = path.partition("?")
    env = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_ACCEPT": "application/json",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }
    if token:
        env["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return env


def call(application, path: str, token: str | None) -> str:
    status = []
    response = application(environ(path, token), lambda s, headers, exc_info=None: status.append(s))
    try:
        for _ in response:
            pass
    finally:
        response.close()
    return status[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=300)
    args = parser.parse_args()
    endpoints = json.load(sys.stdin)
    django.setup()
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    instrument()
    # Log lines are written (formatting, handler, a write per line) to /dev/null: stdout is
    # this script's answer.
    sink = open(os.devnull, "w")  # noqa: SIM115 - open for the whole run
    for handler in logging.getLogger().handlers:
        if hasattr(handler, "stream"):
            handler.stream = sink
    rows = []
    for endpoint in endpoints:
        for _ in range(20):
            status = call(application, endpoint["path"], endpoint["token"])
        if not status.startswith("200"):
            raise SystemExit(f"{endpoint['path']}: {status}")
        _totals.clear()
        started = time.perf_counter()
        for _ in range(args.iterations):
            call(application, endpoint["path"], endpoint["token"])
        total = (time.perf_counter() - started) / args.iterations * 1e6
        groups = {group: _totals.get(group, 0.0) / args.iterations * 1e6 for group in GROUPS}
        rows.append({"name": endpoint["name"], "total": total, "groups": groups})
        print(f"{endpoint['name']}: {total:.0f} µs", file=sys.stderr)
    print(json.dumps({"groups": GROUPS, "endpoints": rows}))


if __name__ == "__main__":
    main()
