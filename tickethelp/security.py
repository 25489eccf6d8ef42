"""HTTP hardening that Django does not do by itself: a request body cap and a CSP for API answers.

Both middlewares look only at headers: the body cap refuses a request from its declared
Content-Length before anything reads the body, so an oversized upload is never buffered.
"""

from django.conf import settings
from django.http import JsonResponse

TENANT_API_PREFIX = "/api/tenant/"

# JSON (and other non-HTML) answers are never rendered as a page: they may load nothing,
# run nothing and be framed by nobody. HTML pages (admin, Swagger UI, ReDoc) are left to
# X-Frame-Options, since they need their own scripts and styles.
API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def _declared_length(request) -> int | None:
    raw = request.META.get("CONTENT_LENGTH") or ""
    try:
        return int(raw)
    except ValueError:
        return None


def body_too_large_response(request, limit: int) -> JsonResponse:
    message = f"El cuerpo de la solicitud supera el máximo de {limit // (1024 * 1024)} MB."
    if request.path.startswith(TENANT_API_PREFIX) or request.path == TENANT_API_PREFIX.rstrip("/"):
        return JsonResponse({"message": message, "errors": {"body": [message]}}, status=413)
    return JsonResponse({"detail": message, "code": "request_too_large"}, status=413)


class RequestBodyLimitMiddleware:
    """413 for a request whose Content-Length exceeds MAX_REQUEST_BODY_SIZE, body unread.

    Per-file limits are enforced while the multipart body streams in (tickethelp.upload_handlers);
    this cap bounds the whole request (all attachments plus fields) up front.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.MAX_REQUEST_BODY_SIZE
        length = _declared_length(request)
        if limit and length is not None and length > limit:
            return body_too_large_response(request, limit)
        return self.get_response(request)


class ApiContentSecurityPolicyMiddleware:
    """A deny-everything Content-Security-Policy on every response that is not an HTML page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if not content_type.startswith("text/html") and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = API_CONTENT_SECURITY_POLICY
        return response
