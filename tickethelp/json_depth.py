"""A JSON body nested deeper than MAX_JSON_DEPTH is a 400 before anything parses it.

Python's `json` recurses once per nested array/object: `[` x 1000 in a 2 KB body raised
RecursionError in whichever code parsed it first (DRF's parser, the login e-mail throttle),
a 500 with a traceback per request. This middleware counts the nesting with one linear,
non-recursive scan (brackets outside strings, escapes inside strings skipped) and answers
the API's own 400 (the same body a malformed JSON body gets) when the body goes too deep.
"""

import re
from io import BytesIO

from django.conf import settings
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer

from tickethelp.exceptions import is_tenant_path, staff_exception_handler, tenant_exception_handler

DEFAULT_MAX_JSON_DEPTH = 64

# A string (its escapes skipped; an unterminated one runs to the end) or one bracket.
_TOKENS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)
_OPENING = frozenset(b"[{")
_QUOTE = ord('"')


def max_json_depth() -> int:
    return int(getattr(settings, "MAX_JSON_DEPTH", DEFAULT_MAX_JSON_DEPTH))


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """Does `body` open more than `limit` arrays/objects inside one another? Linear in the
    body's length; brackets inside strings do not count; an unclosed bracket counts as open
    (the parser would recurse into it before noticing the body is cut short)."""
    if body.count(b"[") + body.count(b"{") <= limit:  # most bodies: no scan at all
        return False
    depth = 0
    for match in _TOKENS.finditer(body):
        first = body[match.start()]
        if first == _QUOTE:
            continue
        if first in _OPENING:
            depth += 1
            if depth > limit:
                return True
        elif depth:
            depth -= 1
    return False


def is_json_content_type(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


def too_deep_response(request, limit: int):
    """The 400 the API at this path answers a malformed JSON body with (each API's exception
    handler builds it, so the shapes cannot drift apart)."""
    if is_tenant_path(request.path):
        error = exceptions.ParseError(f"JSON parse error - the body is nested deeper than {limit} levels.")
        response = tenant_exception_handler(error, {"request": request, "view": None})
    else:
        error = exceptions.ParseError(f"JSON inválido: el cuerpo está anidado a más de {limit} niveles.")
        response = staff_exception_handler(error, {"request": request, "view": None})
    response.accepted_renderer = JSONRenderer()
    response.accepted_media_type = "application/json"
    response.renderer_context = {}
    return response.render()


class JsonDepthLimitMiddleware:
    """400 for a JSON body nested deeper than MAX_JSON_DEPTH, before any view or throttle runs.

    Only JSON content types are scanned (multipart uploads are never read here). It sits after
    RequestBodyLimitMiddleware, so the body it reads is already bounded by MAX_REQUEST_BODY_SIZE.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and is_json_content_type(
            request.META.get("CONTENT_TYPE", "")
        ):
            limit = max_json_depth()
            if json_depth_exceeds(_body(request), limit):
                return too_deep_response(request, limit)
        return self.get_response(request)


def _body(request) -> bytes:
    """The raw body, kept for the parsers that run later. Read like HttpRequest.body, but
    without its DATA_UPLOAD_MAX_MEMORY_SIZE check: DRF does not apply that limit to JSON
    bodies either, and this middleware must not change which bodies are accepted."""
    if not hasattr(request, "_body"):
        request._body = request.read()
        request._stream = BytesIO(request._body)
    return request._body
