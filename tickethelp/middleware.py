"""Request ids and one structured log line per request."""

import logging
import re
import time
import uuid

from django.core.signals import request_finished
from django.utils.functional import SimpleLazyObject, empty

from tickethelp.logging import NO_REQUEST_ID, request_id_var

logger = logging.getLogger("tickethelp.request")

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id is kept only when it cannot break a log line or a header.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id_from(incoming: str | None) -> str:
    if incoming and _SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def _authenticated_user_id(request) -> int | None:
    user = getattr(request, "user", None)
    # A lazy user nobody asked for stays unevaluated: logging must not cost a session query.
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return None
    return user.pk if user.is_authenticated else None


class RequestIdMiddleware:
    """Gives every request an id (kept from X-Request-ID when sane), echoes it and logs the request.

    The log line holds method, path (never the query string), status, duration, response
    size, the peer's address, user id and request id; never headers, tokens or bodies. It is
    the only line per request: gunicorn's access log is off unless GUNICORN_ACCESS_LOG is set
    (gunicorn.conf.py), since it repeated these fields at a cost on every request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        # Not reset on the way out: Django logs 4xx/5xx responses after the middleware chain
        # returns; request_finished clears it once the response is closed.
        request_id_var.set(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        response[REQUEST_ID_HEADER] = request_id
        logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "bytes": None if response.streaming else len(response.content),
                "remote_addr": request.META.get("REMOTE_ADDR"),
                "user_id": _authenticated_user_id(request),
                "request_id": request_id,
            },
        )
        return response


def _forget_request_id(**kwargs) -> None:
    request_id_var.set(NO_REQUEST_ID)


request_finished.connect(_forget_request_id, dispatch_uid="tickethelp.middleware.forget_request_id")
