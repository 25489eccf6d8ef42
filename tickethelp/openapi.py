"""OpenAPI building blocks shared by every app (documentation only, nothing here runs on a
request): the error bodies of both API audiences with an example each, and a shorthand
for examples, so an operation states its failures in one line:

    responses={200: TicketListResponseSerializer, **staff_errors(400, 401, 403)}

The bodies are the ones `tickethelp.exceptions` produces: the staff API keeps DRF's shapes
(`{"detail", "code"}`, or `{"field": ["message"]}` for invalid input); the tenant portal
answers its document's "Error General" `{"error", "message"}`, and 422 `{"message", "errors"}`
for invalid input.
"""

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers


class ApiErrorSerializer(serializers.Serializer):
    """Staff API error: DRF's `detail`, plus the domain error's `code` when there is one."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False)


class TenantErrorSerializer(serializers.Serializer):
    """Tenant portal error, every status but 422 ("Error General" of tenant-portal-api.txt)."""

    error = serializers.CharField(help_text='What went wrong: the status\'s standard words, e.g. "Not Found".')
    message = serializers.CharField(help_text="The details, in the endpoint's own words.")


class TenantValidationErrorSerializer(serializers.Serializer):
    """Tenant portal invalid input (422): a summary and the messages per field."""

    message = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


# Invalid input: a list of messages per field (`non_field_errors` for the rest); a domain
# error adds its `detail` and `code`. A list field (e.g. a device's `owners`) reports its
# invalid items by position, `{"owners": {"0": ["message"]}}`, as DRF does.
_MESSAGES_SCHEMA = {"type": "array", "items": {"type": "string"}}
FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "additionalProperties": {
        "oneOf": [_MESSAGES_SCHEMA, {"type": "object", "additionalProperties": _MESSAGES_SCHEMA}],
    },
}

STAFF_ERRORS: dict[int, tuple[Any, str, dict]] = {
    400: (
        FIELD_ERRORS_SCHEMA,
        "Datos o parámetros inválidos: mensajes por campo",
        {"email": ["Introduzca una dirección de correo electrónico válida."]},
    ),
    401: (
        ApiErrorSerializer,
        "Sin autenticar: falta el token Bearer, es inválido, expiró o fue revocado",
        {"detail": "Las credenciales de autenticación no se proveyeron."},
    ),
    403: (
        ApiErrorSerializer,
        "El rol del usuario no permite esta acción",
        {"detail": "Solo un administrador puede realizar esta acción."},
    ),
    404: (ApiErrorSerializer, "No existe o no es visible para este usuario", {"detail": "No encontrado."}),
    409: (
        ApiErrorSerializer,
        "El estado actual no permite la operación",
        {"detail": "El ticket está en un estado final y no admite cambios.", "code": "ticket_final"},
    ),
    429: (
        ApiErrorSerializer,
        "Demasiados intentos; reintentar más tarde",
        {"detail": "Solicitud fue regulada (throttled). Se espera que esté disponible en 60 segundos."},
    ),
    503: (
        ApiErrorSerializer,
        "No disponible temporalmente (base de datos o almacenamiento de archivos); reintentar tras `Retry-After`",
        {
            "detail": "No se pudo guardar el archivo: el almacenamiento no está disponible. "
            "Inténtalo de nuevo más tarde.",
            "code": "storage_unavailable",
        },
    ),
}

TENANT_ERRORS: dict[int, tuple[Any, str, dict]] = {
    400: (
        TenantErrorSerializer,
        "Malformed request",
        {"error": "Bad Request", "message": "The request is too large or malformed."},
    ),
    401: (
        TenantErrorSerializer,
        "Missing, invalid, expired or revoked token",
        {"error": "Unauthorized", "message": "Unauthenticated."},
    ),
    403: (
        TenantErrorSerializer,
        "The user has no tenant profile or is inactive",
        {"error": "Forbidden", "message": "This action is only available to tenants."},
    ),
    404: (
        TenantErrorSerializer,
        "Not found, or not the tenant's own",
        {"error": "Not Found", "message": "Ticket not found."},
    ),
    405: (
        TenantErrorSerializer,
        "The path does not answer this method",
        {"error": "Method Not Allowed", "message": 'Method "DELETE" not allowed.'},
    ),
    409: (
        TenantErrorSerializer,
        "The ticket's state does not allow it",
        {"error": "Conflict", "message": "Only open tickets or tickets in diagnosis can be cancelled."},
    ),
    413: (
        TenantErrorSerializer,
        "The request body exceeds MAX_REQUEST_BODY_MB (refused before it is read)",
        {"error": "Payload Too Large", "message": "El cuerpo de la solicitud supera el máximo de 110 MB."},
    ),
    422: (
        TenantValidationErrorSerializer,
        "Invalid input: messages per field",
        {"message": "The given data was invalid.", "errors": {"title": ["This field is required."]}},
    ),
    429: (
        TenantErrorSerializer,
        "Too many attempts",
        {"error": "Too Many Requests", "message": "Too many requests. Try again in 60 seconds."},
    ),
    500: (
        TenantErrorSerializer,
        "Unexpected server error (logged)",
        {"error": "Internal Server Error", "message": "Server Error"},
    ),
    503: (
        TenantErrorSerializer,
        "Temporarily unavailable (database or file storage); retry after `Retry-After`",
        {
            "error": "Service Unavailable",
            "message": "The file could not be stored: storage is unavailable. Please try again later.",
        },
    ),
}


def _errors(
    catalogue: dict[int, tuple[Any, str, dict]], codes: tuple[int, ...], overrides: dict[int, dict]
) -> dict[int, OpenApiResponse]:
    responses = {}
    for code in codes:
        body, description, example = catalogue[code]
        value = overrides.get(code, example)
        responses[code] = OpenApiResponse(
            body, description=description, examples=[OpenApiExample(f"Error {code}", value=value)]
        )
    return responses


def staff_errors(*codes: int, examples: dict[int, dict] | None = None) -> dict[int, OpenApiResponse]:
    """The staff API's error responses for `codes`, each with its body and an example
    (`examples={404: {...}}` replaces the generic example with the endpoint's own words)."""
    return _errors(STAFF_ERRORS, codes, examples or {})


def tenant_errors(*codes: int, examples: dict[int, dict] | None = None) -> dict[int, OpenApiResponse]:
    """The tenant portal's error responses for `codes` (see `staff_errors`)."""
    return _errors(TENANT_ERRORS, codes, examples or {})


def request_example(name: str, value: Any, *, summary: str = "", media_type: str | None = None) -> OpenApiExample:
    """A request body example (shown on the JSON body unless `media_type` says otherwise)."""
    return OpenApiExample(name, value=value, summary=summary, request_only=True, media_type=media_type)


def response_example(name: str, value: Any, *, status: int = 200, summary: str = "") -> OpenApiExample:
    return OpenApiExample(name, value=value, summary=summary, response_only=True, status_codes=[str(status)])
