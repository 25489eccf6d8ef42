"""One domain error type and the exception handler of the staff API.

Services raise `DomainError` for rule violations; views never build error bodies by hand.
The staff API keeps DRF's shapes (`{"detail": ...}` or field errors); the tenant API
(`/api/tenant/...`) gets `tenant_exception_handler`: the document's 422 `{"message", "errors"}`
for invalid input and its "Error General" `{"error", "message"}` for every other failure;
the project-wide handlers (unknown path, 500, ...) and the request body cap answer that
shape under /api/tenant/ too.
"""

import logging
from http import HTTPStatus

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """A business rule said no. Carries what the client needs to understand why."""

    # Sent as Retry-After when set (the error is temporary).
    retry_after_seconds: int | None = None
    # The tenant portal's (English) wording, when it differs from `message`.
    tenant_message: str | None = None

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        status_code: int = status.HTTP_400_BAD_REQUEST,
        field_errors: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status_code = status_code
        self.field_errors = field_errors or {}


class NotFound(DomainError):
    def __init__(self, message: str = "No encontrado.", *, code: str = "not_found") -> None:
        super().__init__(message, code=code, status_code=status.HTTP_404_NOT_FOUND)


class Conflict(DomainError):
    def __init__(self, message: str, *, code: str = "conflict") -> None:
        super().__init__(message, code=code, status_code=status.HTTP_409_CONFLICT)


class Forbidden(DomainError):
    def __init__(self, message: str, *, code: str = "permission_denied") -> None:
        super().__init__(message, code=code, status_code=status.HTTP_403_FORBIDDEN)


class StorageUnavailable(DomainError):
    """File storage failed (disk full, object store unreachable): a 503 the client may retry,
    never a 500. The tenant portal speaks English, hence its own message."""

    retry_after_seconds = 30
    tenant_message = "The file could not be stored: storage is unavailable. Please try again later."

    def __init__(self) -> None:
        super().__init__(
            "No se pudo guardar el archivo: el almacenamiento no está disponible. Inténtalo de nuevo más tarde.",
            code="storage_unavailable",
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        )


class DatabaseUnavailable(DomainError):
    """The database could not answer (restarting, unreachable, a statement cancelled or
    deadlocked): a 503 the client may retry. Nothing was committed for this request."""

    retry_after_seconds = 5
    tenant_message = "The service is temporarily unavailable. Please try again in a few seconds."

    def __init__(self) -> None:
        super().__init__(
            "El servicio no está disponible temporalmente. Inténtalo de nuevo en unos segundos.",
            code="service_unavailable",
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        )


def _database_unavailable(exc) -> DatabaseUnavailable | None:
    """A DatabaseUnavailable for connection-level database errors (logged), else None."""
    if isinstance(exc, OperationalError | InterfaceError):
        logger.warning("Database unavailable: %s", type(exc).__name__)
        return DatabaseUnavailable()
    return None


def _domain_error_response(exc: DomainError, body: dict) -> Response:
    headers = {"Retry-After": str(exc.retry_after_seconds)} if exc.retry_after_seconds is not None else None
    return Response(body, status=exc.status_code, headers=headers)


def django_validation_error_to_dict(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for e in errors for m in e.messages] for field, errors in exc.error_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


def staff_exception_handler(exc, context):
    """DRF shapes for every error; domain errors keep their message, code and status."""
    exc = _database_unavailable(exc) or exc
    if isinstance(exc, DomainError):
        body = {"detail": exc.message, "code": exc.code}
        body.update(exc.field_errors)
        return _domain_error_response(exc, body)
    if isinstance(exc, DjangoValidationError):
        return Response(django_validation_error_to_dict(exc), status=status.HTTP_400_BAD_REQUEST)
    return _drf_response(exc, context, not_found=drf_exceptions.NotFound("No encontrado."))


def _drf_response(exc, context, *, not_found: drf_exceptions.NotFound):
    """DRF's own handling, with Django's 404/403 mapped first. Unknown errors are not
    swallowed: logged with the traceback, and None lets them become a plain 500."""
    if isinstance(exc, Http404):
        exc = not_found
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled error in %s", context.get("view").__class__.__name__)
    return response


# --- Tenant portal --------------------------------------------------------------------------

TENANT_API_PREFIX = "/api/tenant/"
TENANT_VALIDATION_MESSAGE = "The given data was invalid."
TENANT_STATUS_MESSAGES = {
    status.HTTP_401_UNAUTHORIZED: "Unauthenticated.",
    status.HTTP_403_FORBIDDEN: "This action is unauthorized.",
    status.HTTP_404_NOT_FOUND: "Not found.",
    status.HTTP_429_TOO_MANY_REQUESTS: "Too many requests.",
    status.HTTP_500_INTERNAL_SERVER_ERROR: "Server Error",
}
# The "Error General" shape's `error`: what went wrong, in the status's standard words
# (`message` carries the details). Written out so that they do not move with Python's
# HTTPStatus phrases (413 was renamed in 3.13).
TENANT_ERROR_TITLES = {
    status.HTTP_400_BAD_REQUEST: "Bad Request",
    status.HTTP_401_UNAUTHORIZED: "Unauthorized",
    status.HTTP_403_FORBIDDEN: "Forbidden",
    status.HTTP_404_NOT_FOUND: "Not Found",
    status.HTTP_405_METHOD_NOT_ALLOWED: "Method Not Allowed",
    status.HTTP_406_NOT_ACCEPTABLE: "Not Acceptable",
    status.HTTP_409_CONFLICT: "Conflict",
    status.HTTP_413_REQUEST_ENTITY_TOO_LARGE: "Payload Too Large",
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "Unsupported Media Type",
    status.HTTP_429_TOO_MANY_REQUESTS: "Too Many Requests",
    status.HTTP_500_INTERNAL_SERVER_ERROR: "Internal Server Error",
    status.HTTP_503_SERVICE_UNAVAILABLE: "Service Unavailable",
}


def is_tenant_path(path: str) -> bool:
    return path.startswith(TENANT_API_PREFIX) or path == TENANT_API_PREFIX.rstrip("/")


def tenant_error_body(status_code: int, message: str) -> dict[str, str]:
    """The tenant document's "Error General": `{"error": <what went wrong>, "message": <details>}`."""
    title = TENANT_ERROR_TITLES.get(status_code)
    if title is None:
        try:
            title = HTTPStatus(status_code).phrase
        except ValueError:
            title = "Error"
    return {"error": title, "message": message}


def tenant_error_response(status_code: int, message: str) -> JsonResponse:
    """The "Error General" body for answers built outside DRF (unknown paths, the body cap)."""
    return JsonResponse(tenant_error_body(status_code, message), status=status_code)


def _flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF error details (nested dicts/lists) as `{"field": ["message", ...]}`; nested
    positions are folded into their field (Laravel spells them `field.0`, clients read `field`)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, value) -> None:
        if isinstance(value, dict):
            for key, nested in value.items():
                add(field or str(key), nested)
        elif isinstance(value, list | tuple):
            for item in value:
                add(field, item)
        else:
            errors.setdefault(field or "non_field_errors", []).append(str(value))

    add(prefix, detail)
    return errors


def tenant_exception_handler(exc, context):
    """The tenant portal's shapes: 422 `{"message", "errors"}` for invalid input, `{"error",
    "message"}` with the error's status for everything else; unknown errors are logged and
    stay 500 (answered by `json_server_error`, in the same shape)."""
    exc = _database_unavailable(exc) or exc
    if isinstance(exc, DomainError):
        if exc.field_errors:
            return Response(
                {"message": exc.message, "errors": exc.field_errors}, status=status.HTTP_422_UNPROCESSABLE_ENTITY
            )
        return _domain_error_response(exc, tenant_error_body(exc.status_code, exc.tenant_message or exc.message))
    if isinstance(exc, DjangoValidationError):
        exc = drf_exceptions.ValidationError(django_validation_error_to_dict(exc))
    if isinstance(exc, drf_exceptions.ValidationError):
        return Response(
            {"message": TENANT_VALIDATION_MESSAGE, "errors": _flatten_errors(exc.detail)},
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    if isinstance(exc, SuspiciousOperation):
        # Request bodies over Django's limits (size, fields, files) surface while parsing.
        message = "The request is too large or malformed (too many fields or files, or too much data)."
        return Response(tenant_error_body(status.HTTP_400_BAD_REQUEST, message), status=status.HTTP_400_BAD_REQUEST)
    response = _drf_response(exc, context, not_found=drf_exceptions.NotFound())
    if response is None:
        return None
    response.data = tenant_error_body(response.status_code, _tenant_message(exc, response.status_code))
    return response


def _tenant_message(exc, status_code: int) -> str:
    """401 is always Sanctum's "Unauthenticated." (clients test for it); a throttle says when
    to retry; otherwise the error's own message (tenant views run in English)."""
    if status_code == status.HTTP_401_UNAUTHORIZED:
        return TENANT_STATUS_MESSAGES[status_code]
    if isinstance(exc, drf_exceptions.Throttled):
        if exc.wait is None:
            return TENANT_STATUS_MESSAGES[status_code]
        return f"Too many requests. Try again in {int(exc.wait) + 1} seconds."
    detail = getattr(exc, "detail", None)
    if isinstance(detail, str) and detail:
        return str(detail)
    return TENANT_STATUS_MESSAGES.get(status_code, "The request failed.")


def json_not_found(request, exception=None):
    """Project-wide 404 for URLs no route knows (JSON, never an HTML page)."""
    if is_tenant_path(request.path):
        return tenant_error_response(404, TENANT_STATUS_MESSAGES[404])
    return JsonResponse({"detail": "No encontrado."}, status=404)


def json_server_error(request):
    if is_tenant_path(request.path):
        return tenant_error_response(500, TENANT_STATUS_MESSAGES[500])
    return JsonResponse({"detail": "Error interno del servidor."}, status=500)


def json_bad_request(request, exception=None):
    if is_tenant_path(request.path):
        return tenant_error_response(400, "Bad request.")
    return JsonResponse({"detail": "Solicitud inválida."}, status=400)


def json_permission_denied(request, exception=None):
    if is_tenant_path(request.path):
        return tenant_error_response(403, TENANT_STATUS_MESSAGES[403])
    return JsonResponse({"detail": "No tienes permiso para realizar esta acción."}, status=403)
