"""HTTP hardening that Django 5.2 does not do by itself: a request body cap and a Content-Security-Policy.

Both middlewares look only at headers: the body cap refuses a request from its declared
Content-Length before anything reads the body, so an oversized upload is never buffered.
"""

from django.conf import settings
from django.http import JsonResponse

from tickethelp.exceptions import is_tenant_path, tenant_error_response

# JSON (and other non-HTML) answers are never rendered as a page: they may load nothing,
# run nothing and be framed by nobody.
API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# The admin's pages run only their own static scripts (Django's admin has no inline script);
# its change lists carry an inline <style>, and its icons may be data: URLs.
ADMIN_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
ADMIN_PREFIX = "/admin/"


def _declared_length(request) -> int | None:
    raw = request.META.get("CONTENT_LENGTH") or ""
    try:
        return int(raw)
    except ValueError:
        return None


def body_too_large_response(request, limit: int) -> JsonResponse:
    message = f"El cuerpo de la solicitud supera el máximo de {limit // (1024 * 1024)} MB."
    if is_tenant_path(request.path):
        return tenant_error_response(413, message)
    return JsonResponse({"detail": message, "code": "request_too_large"}, status=413)


# Routes whose files arrive base64-encoded inside JSON (4 characters for 3 bytes): their cap
# is 4/3 of MAX_REQUEST_BODY_SIZE, so the same files fit as in a multipart body.
BASE64_BODY_PATHS = frozenset({"/api/tenant/tickets/android", "/api/tenant/tickets/android/"})


def body_limit_for(path: str) -> int:
    limit = settings.MAX_REQUEST_BODY_SIZE
    if limit and path in BASE64_BODY_PATHS:
        return -(-limit * 4 // 3)  # rounded up
    return limit


class RequestBodyLimitMiddleware:
    """413 for a request whose Content-Length exceeds MAX_REQUEST_BODY_SIZE, body unread.

    Per-file limits are enforced while the multipart body streams in (tickethelp.upload_handlers);
    this cap bounds the whole request (all attachments plus fields) up front. The base64 routes
    (BASE64_BODY_PATHS) get 4/3 of it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = body_limit_for(request.path)
        length = _declared_length(request)
        if limit and length is not None and length > limit:
            return body_too_large_response(request, limit)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Deny-everything CSP on every answer that is not an HTML page; a same-origin-only one on
    the admin's pages. Swagger UI and ReDoc (inline bootstrap scripts) are left to
    X-Frame-Options."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" in response:
            return response
        if not response.get("Content-Type", "").startswith("text/html"):
            response["Content-Security-Policy"] = API_CONTENT_SECURITY_POLICY
        elif request.path.startswith(ADMIN_PREFIX):
            response["Content-Security-Policy"] = ADMIN_CONTENT_SECURITY_POLICY
        return response
