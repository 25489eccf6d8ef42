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
# invalid items by position, `{"owners": {"0": ["message"]}}`, as DRF does; a list of
# objects nests once more per level (`{"settings": {"0": {"channels": {"push": [...]}}}}`).
_MESSAGES_SCHEMA = {"type": "array", "items": {"type": "string"}}
FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "additionalProperties": {
        "oneOf": [_MESSAGES_SCHEMA, {"type": "object", "description": "errors by position or field, nested"}],
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


# --- How the document reads: summaries, descriptions, tags, component names ------------------
#
# Every operation's summary (and, where there is more to say, its description) is written
# here, keyed by operationId, in the language of its API: Spanish for the staff API, English
# for the tenant portal. Docstrings never become descriptions (SPECTACULAR_SETTINGS'
# DISABLE_DOCSTRING_DESCRIPTIONS): they are notes for developers, in English, and a base
# class's docstring would otherwise describe every operation of its subclasses. A new
# operation without an entry here fails tests/ops/test_newcomer.py.

# Management API (ADMIN ViewSets): prefix of the operationId -> (singular, plural).
_MANAGED = {
    "buildings": ("edificio", "edificios"),
    "apartments": ("apartamento", "apartamentos"),
    "owners": ("propietario", "propietarios"),
    "doormen": ("portero", "porteros"),
    "tenants": ("residente", "residentes"),
    "devices": ("dispositivo", "dispositivos"),
    "device_types": ("tipo de dispositivo", "tipos de dispositivo"),
}
_MANAGED_ACTIONS = {
    "list": "Listar {plural}",
    "create": "Crear un {singular}",
    "retrieve": "Ver un {singular}",
    "update": "Reemplazar un {singular}",
    "partial_update": "Modificar campos de un {singular}",
    "destroy": "Eliminar un {singular}",
}

SUMMARIES: dict[str, str] = {
    # Staff API — authentication
    "users_auth_login_create": "Iniciar sesión (obtener tokens JWT)",
    "users_auth_refresh_create": "Renovar el token de acceso",
    "users_auth_logout_create": "Cerrar sesión (revocar los tokens)",
    "users_auth_validate_token_retrieve": "Validar el token y ver el usuario",
    "users_auth_user_data_retrieve": "Datos del usuario autenticado y del token",
    "users_auth_change_password_create": "Cambiar la contraseña propia",
    # Staff API — users
    "users_list": "Listar usuarios",
    "users_retrieve": "Ver un usuario por documento",
    "users_create_create": "Crear un usuario",
    "users_update_user_partial_update": "Modificar un usuario",
    "users_update_user_update": "Modificar un usuario (PUT, alias de PATCH)",
    "users_update_profile_picture_partial_update": "Cambiar la foto de perfil",
    "users_update_profile_picture_update": "Cambiar la foto de perfil (PUT, alias de PATCH)",
    "users_activate_create": "Activar un usuario",
    "users_deactivate_create": "Desactivar un usuario",
    "users_delete_destroy": "Eliminar un usuario",
    "admins_list": "Listar administradores",
    "admins_retrieve": "Ver un administrador",
    "technicians_list": "Listar técnicos",
    "technicians_retrieve": "Ver un técnico",
    "clients_list": "Listar clientes",
    "clients_retrieve": "Buscar un cliente por documento",
    # Staff API — own profile
    "me_retrieve": "Ver el perfil propio",
    "me_partial_update": "Modificar el perfil propio",
    "me_update": "Modificar el perfil propio (PUT, alias de PATCH)",
    "me_by_document_retrieve": "Ver un perfil por documento",
    "me_by_document_partial_update": "Modificar un perfil por documento",
    "me_by_document_update": "Modificar un perfil por documento (PUT, alias de PATCH)",
    "me_change_password_create": "Cambiar la contraseña propia (perfil)",
    "me_change_password_by_document": "Cambiar la contraseña de otro usuario",
    # Staff API — tickets
    "tickets_list": "Listar tickets",
    "tickets_create": "Crear un ticket",
    "tickets_consulta": "Consultar los tickets del usuario",
    "tickets_history": "Historial de un ticket",
    "tickets_least_busy_technician": "Técnico menos ocupado",
    "tickets_active_technicians": "Técnicos activos y su ocupación",
    "tickets_change_technician_update": "Cambiar el técnico de un ticket",
    "tickets_change_technician_partial_update": "Cambiar el técnico de un ticket (PATCH)",
    "tickets_change_state": "Cambiar el estado de un ticket",
    "tickets_approve_state": "Aprobar o rechazar un cambio a estado final",
    "tickets_pending_approvals": "Solicitudes pendientes de aprobación",
    "tickets_cancel": "Cancelar un ticket",
    "estados_list": "Listar estados",
    "estados_create": "Crear un estado",
    "sla_policies_list": "Listar las políticas de nivel de servicio",
    "sla_policies_create": "Crear una política de nivel de servicio",
    "sla_policies_retrieve": "Detalle de una política de nivel de servicio",
    "sla_policies_update": "Reemplazar una política de nivel de servicio",
    "sla_policies_partial_update": "Modificar una política de nivel de servicio",
    "sla_policies_destroy": "Eliminar una política de nivel de servicio",
    "tickets_attachments_list": "Listar los adjuntos de un ticket",
    "tickets_attachments_create": "Adjuntar archivos a un ticket",
    "tickets_attachments_download": "Descargar un adjunto",
    "files_attachments_download": "Descargar un adjunto con enlace firmado",
    # Staff API — notifications
    "notifications_list": "Listar notificaciones propias",
    "notifications_retrieve": "Ver una notificación",
    "notifications_stats_retrieve": "Estadísticas de notificaciones propias",
    "notifications_types_list": "Tipos de notificación",
    "notifications_user_notifications_retrieve": "Notificaciones del usuario (con total)",
    "notifications_mark_read_create": "Marcar una notificación como leída",
    "notifications_mark_read_put": "Marcar una notificación como leída (PUT)",
    "notifications_mark_read_patch": "Marcar una notificación como leída (PATCH)",
    "notifications_mark_all_read_create": "Marcar todas como leídas",
    "me_push_tokens_list": "Listar mis teléfonos (tokens push activos)",
    "me_push_tokens_create": "Registrar el token push de un teléfono",
    "me_push_tokens_destroy": "Quitar un token push propio",
    "me_notification_settings_retrieve": "Ver mis preferencias de notificación",
    "me_notification_settings_update": "Cambiar mis preferencias de notificación",
    # Staff API — reports
    "reports_stats_general_stats_retrieve": "Tickets abiertos y finalizados",
    "reports_stats_performance_ranking_list": "Ranking de desempeño de técnicos",
    "reports_stats_clients_evolution_retrieve": "Evolución mensual de clientes",
    "reports_stats_distribucion_estados_list": "Distribución por estado",
    "reports_stats_tiempo_resolucion_retrieve": "Tiempo medio de resolución",
    "reports_stats_antiguedad_tickets_list": "Tickets abiertos más antiguos",
    "reports_stats_flujo_tickets_list": "Flujo de tickets por semana o mes",
    "reports_stats_aprobaciones_pendientes_retrieve": "Antigüedad de las aprobaciones pendientes",
    "reports_stats_tickets_portal_retrieve": "Tickets del portal de residentes",
    # Tenant portal (English, like its messages)
    "tenant_login": "Log in as a resident",
    "tenant_logout": "Log out (revoke the token)",
    "tenant_me": "The resident's profile",
    "tenant_apartment": "The resident's apartment",
    "tenant_building": "The resident's building",
    "tenant_doormen": "The building's doormen",
    "tenant_owner": "The building's owner",
    "tenant_devices": "Own and shared devices",
    "tenant_tickets_list": "List own tickets",
    "tenant_tickets_create": "Open a ticket about a device",
    "tenant_tickets_create_android": "Open a ticket with base64 attachments (Android app)",
    "tenant_tickets_detail": "A ticket with its history",
    "tenant_tickets_attachments": "A ticket's attachments",
    "tenant_tickets_cancel": "Cancel a ticket",
    "tenant_change_password": "Change the password",
    "tenant_reset_password_request": "Get a temporary password by e-mail",
    "tenant_tickets_appointments": "A ticket's technician visits",
    "tenant_appointments_member_feedback": "Rate a finished visit",
    "tenant_notifications": "List notifications",
    "tenant_notifications_read": "Mark a notification as read",
    "tenant_notifications_mark_all_read": "Mark every notification as read",
    "tenant_register_push_token": "Register this phone's push token",
    "tenant_remove_push_token": "Remove a push token (log out of the phone)",
    "tenant_push_tokens": "List my phones (active push tokens)",
    "tenant_notification_settings": "My notification settings",
    "tenant_notification_settings_update": "Change my notification settings",
    # Staff API — technicians' visits
    "tickets_appointments_list": "Visitas de un ticket",
    "tickets_appointments_create": "Agendar una visita técnica",
    "appointments_list": "Agenda de visitas",
    "appointments_start": "Iniciar una visita",
    "appointments_complete": "Completar una visita",
    "appointments_cancel": "Cancelar una visita",
    "appointments_reschedule": "Reprogramar una visita",
    "appointments_no_show": "Marcar una visita como no atendida",
    "reports_stats_satisfaction_retrieve": "Satisfacción con las visitas",
    "reports_stats_sla_compliance_retrieve": "Cumplimiento de los niveles de servicio",
    # Management API
    **{
        f"{prefix}_{action}": template.format(singular=singular, plural=plural)
        for prefix, (singular, plural) in _MANAGED.items()
        for action, template in _MANAGED_ACTIONS.items()
    },
}

_MARK_READ = "Documentado como POST; PUT y PATCH hacen lo mismo, para los clientes que los usan."
_TENANTS = (
    "Un residente es un usuario CLIENT con un perfil de residente. Crearlo crea también la cuenta (con "
    "una contraseña aleatoria enviada en el correo de bienvenida) o agrega el perfil a un usuario CLIENT "
    "existente (`user_document`). Eliminarlo quita el perfil; la cuenta se conserva."
)
_DEVICES = (
    "Cada dispositivo tiene propietarios (`owners`) y residentes con quienes se comparte (`shared_with`), "
    "por id de residente; un mismo residente no puede estar en ambas listas."
)

DESCRIPTIONS: dict[str, str] = {
    "users_auth_login_create": (
        "Con `{email, password}` devuelve `access` y `refresh`. Envía `Authorization: Bearer <access>` en "
        "las demás llamadas (en esta página: botón **Authorize**). Credenciales inválidas: 401. Limitado "
        "por IP y por correo (429)."
    ),
    "users_auth_refresh_create": (
        "Devuelve un `access` nuevo. Con la rotación activa (`JWT_ROTATE_REFRESH_TOKENS`) también un "
        "`refresh` nuevo, y el usado queda revocado (`JWT_BLACKLIST_AFTER_ROTATION`)."
    ),
    "users_auth_logout_create": (
        "Revoca el `refresh` enviado y el token de acceso de esta petición: ambos responden 401 después."
    ),
    "users_create_create": (
        "La contraseña inicial es aleatoria y llega en el correo de bienvenida; el usuario debe cambiarla."
    ),
    "users_delete_destroy": "409 si el usuario tiene tickets que no están en un estado final.",
    "clients_retrieve": "Respuestas 200 y 404 con la forma documentada (`success`, `message`, `data`).",
    "tickets_consulta": "CLIENT: sus tickets; TECH: los asignados; ADMIN: todos, o los de `?user_document=`.",
    "tickets_change_state": (
        "Solo el técnico asignado. A un estado no final se aplica de inmediato; a uno final crea una "
        "solicitud (`pending_approval`) que un ADMIN aprueba o rechaza."
    ),
    "tickets_approve_state": (
        '`{"action": "approve"}` o `{"action": "reject", "rejection_reason": "..."}` (motivo obligatorio). '
        "Cada solicitud se decide una sola vez."
    ),
    "tickets_cancel": "El cliente dueño del ticket o un ADMIN, mientras el ticket está abierto o en diagnóstico.",
    "files_attachments_download": "Entrega el archivo a quien tenga un enlace firmado vigente; si no, 404.",
    "notifications_list": "Las notificaciones del usuario, la más reciente primero; el total en `X-Total-Count`.",
    "notifications_mark_read_create": _MARK_READ,
    "notifications_mark_read_put": _MARK_READ,
    "notifications_mark_read_patch": _MARK_READ,
    "reports_stats_general_stats_retrieve": (
        "`tickets_abiertos` (estados no finales) y `tickets_finalizados`; los cancelados no cuentan en ninguno."
    ),
    "reports_stats_clients_evolution_retrieve": (
        'Clientes distintos que abrieron tickets en el año, en total y por mes ("01" a "12").'
    ),
    "reports_stats_distribucion_estados_list": "Tickets abiertos en el rango, por estado (todos, también con cero).",
    "reports_stats_tiempo_resolucion_retrieve": (
        "Tiempo medio desde la apertura hasta la aprobación del estado Finalizado, en total y por técnico."
    ),
    "reports_stats_antiguedad_tickets_list": "Los tickets abiertos más antiguos, con su técnico y su cliente.",
    "reports_stats_flujo_tickets_list": "Tickets abiertos frente a finalizados, por semana o por mes.",
    "reports_stats_aprobaciones_pendientes_retrieve": (
        "Cuánto llevan esperando las solicitudes de cambio a un estado final."
    ),
    "reports_stats_tickets_portal_retrieve": "Tickets del portal de residentes por categoría, prioridad y edificio.",
    "tickets_appointments_create": (
        "ADMIN o el técnico asignado; la visita es del técnico del ticket. 409 si se cruza con otra visita "
        "activa de ese técnico o si el ticket está en un estado final."
    ),
    "appointments_list": (
        "TECH: siempre su propia agenda; ADMIN: la de `tecnico` o todas. `desde`/`hasta` (fecha-hora ISO o "
        "día AAAA-MM-DD, `hasta` incluye ese día) eligen las visitas que se cruzan con el intervalo. El total "
        "en `X-Total-Count`."
    ),
    "appointments_start": "Solo desde «programada».",
    "appointments_complete": (
        "Solo desde «en curso»; `completion_notes` obligatorio. Se pide la calificación al residente."
    ),
    "appointments_cancel": "Desde «programada» o «en curso»; `reason` obligatorio. Se avisa al cliente y al técnico.",
    "appointments_no_show": "Desde «programada» o «en curso»; `reason` obligatorio.",
    "appointments_reschedule": (
        "Solo desde «programada»: la misma visita cambia de hora (se cuenta en `reschedule_count`, queda en el "
        "historial y se avisa). 409 si se cruza con otra visita activa del técnico."
    ),
    "reports_stats_performance_ranking_list": (
        "Técnicos activos por porcentaje de éxito (finalizados / asignados), el mejor primero, con la "
        "calificación media de sus visitas."
    ),
    "reports_stats_satisfaction_retrieve": (
        "Calificaciones (1-5) de los residentes a las visitas completadas en el rango (por la fecha en que el "
        "técnico la completó): media y distribución en total, por mes (hora local) y por técnico."
    ),
    "me_push_tokens_create": (
        "Siempre 201 con el token: si estaba registrado (por el usuario o por otro: el teléfono cambió de "
        "manos) pasa a ser del usuario, activo, como recién registrado. Con más de `PUSH_TOKENS_PER_USER` "
        "activos se retira el registrado hace más tiempo. `expo`: `ExponentPushToken[...]` o "
        "`ExpoPushToken[...]`; `is_standalone` solo true/false."
    ),
    "me_push_tokens_destroy": "404 igual para un token desconocido, ya retirado o de otro usuario.",
    "me_notification_settings_retrieve": (
        "Por cada tipo activo que el usuario puede recibir: canales efectivos, los del tipo por defecto y los "
        "que no se pueden cambiar (`locked`: siempre `in_app`; también `email` en los correos de la cuenta)."
    ),
    "me_notification_settings_update": (
        "Lista parcial o completa: solo cambian los tipos enviados y, de ellos, los canales enviados. Un tipo "
        "desconocido, un valor que no es true/false, `in_app: false` o apagar un canal bloqueado es 400 "
        "(`settings[i]` nombra el error) y no cambia nada."
    ),
    "tenant_register_push_token": (
        "A token belongs to one user: registering a token known from another account moves it to this "
        "resident (the phone changed hands). The oldest token is retired past `PUSH_TOKENS_PER_USER`."
    ),
    "tenant_remove_push_token": "The same answer for a token of the caller, an unknown one or another user's.",
    "tenant_notification_settings_update": (
        "A partial or full list: only the types and channels sent change. Errors name the item, e.g. "
        "`settings.0.channels.email`; `in_app` and account e-mails (`locked`) cannot be turned off."
    ),
    "tenant_appointments_member_feedback": (
        "Only the ticket's own resident, only while the visit is `awaiting_feedback`, once; the visit is then "
        "`completed`. 409 otherwise."
    ),
    "tenant_login": (
        "Residents only (staff and other clients log in at `/api/users/auth/login/`). Send the returned "
        "`token` as `Authorization: Bearer <token>` (on this page: **Authorize**)."
    ),
    "tenant_logout": "Revokes the token of this request: it is answered 401 afterwards.",
    "tenant_tickets_create": (
        "Multipart: up to 5 files under `attachments[]`, images or videos, checked by their content. "
        '`message` is "Ticket created successfully with attachments" when files were attached, else '
        '"Ticket created successfully".'
    ),
    "tenant_reset_password_request": (
        "E-mails a random temporary password (never the e-mail address); the user must change it."
    ),
    **{f"tenants_{action}": _TENANTS for action in _MANAGED_ACTIONS},
    **{f"devices_{action}": _DEVICES for action in _MANAGED_ACTIONS},
}

# Swagger UI and ReDoc list tags in this order: signing in first.
TAGS: list[dict[str, str]] = [
    {
        "name": "Usuarios · autenticación",
        "description": (
            "Empieza aquí: `POST /api/users/auth/login/` devuelve el token `access`; pégalo en "
            "**Authorize** y las demás operaciones de esta página lo envían. Los residentes inician "
            "sesión en `POST /api/tenant/login` (Portal de residentes)."
        ),
    },
    {"name": "Usuarios · perfil propio", "description": "El perfil y la contraseña del usuario autenticado."},
    {"name": "Usuarios", "description": "Cuentas del personal y de los clientes (solo ADMIN)."},
    {"name": "Tickets", "description": "Tickets: alta, consulta e historial."},
    {
        "name": "Tickets · flujo de estados",
        "description": "Asignación de técnicos, cambios de estado y aprobación de los estados finales.",
    },
    {"name": "Tickets · estados", "description": "Catálogo de estados."},
    {
        "name": "Niveles de servicio",
        "description": "Objetivos de primera respuesta, resolución y aprobación por prioridad, en horas hábiles.",
    },
    {"name": "Tickets · adjuntos", "description": "Archivos de los tickets, validados por su contenido."},
    {
        "name": "Tickets · conversación",
        "description": "Mensajes del ticket; las notas internas solo las ven el administrador y el técnico asignado.",
    },
    {"name": "Notificaciones", "description": "Notificaciones propias, en la aplicación y por correo."},
    {
        "name": "Notificaciones · push y preferencias",
        "description": "Los teléfonos del usuario (tokens push) y qué canales quiere por tipo de notificación.",
    },
    {
        "name": "Visitas técnicas",
        "description": (
            "Visitas del técnico a un ticket: programada → en curso → esperando calificación → completada "
            "(o cancelada / no atendida). Un técnico nunca tiene dos visitas activas que se crucen."
        ),
    },
    {"name": "Reportes", "description": "Estadísticas para administradores (solo ADMIN)."},
    {
        "name": "Portal de residentes",
        "description": (
            'The residents\' mobile app (English messages). Errors are `{"message"}`, and 422 '
            '`{"message", "errors"}` for invalid input. Log in with `POST /api/tenant/login`.'
        ),
    },
    *[
        {"name": f"Gestión · {plural}", "description": f"Alta, consulta y edición de {plural} (solo ADMIN)."}
        for _singular, plural in _MANAGED.values()
    ],
]

# Operations listed first within their tag (Swagger UI and ReDoc keep the document's order).
FIRST_PATHS = ["/api/users/auth/login/", "/api/users/auth/refresh/", "/api/users/auth/logout/", "/api/tenant/login"]

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def document_operations(result: dict, generator=None, request=None, public=None) -> dict:
    """drf-spectacular postprocessing hook: summaries and descriptions from SUMMARIES and
    DESCRIPTIONS, the tags in reading order (authentication first) and readable component
    names."""
    for operation in _operations(result):
        operation_id = operation.get("operationId", "")
        if operation_id in SUMMARIES:
            operation["summary"] = SUMMARIES[operation_id]
        if operation_id in DESCRIPTIONS:
            operation["description"] = DESCRIPTIONS[operation_id]
    result["tags"] = TAGS
    first = [path for path in FIRST_PATHS if path in result.get("paths", {})]
    result["paths"] = {
        **{path: result["paths"][path] for path in first},
        **{path: item for path, item in result.get("paths", {}).items() if path not in first},
    }
    _drop_doubled_request_suffix(result)
    return result


def _operations(result: dict):
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method in _METHODS:
                yield operation


def _drop_doubled_request_suffix(result: dict) -> None:
    """`FooRequestRequest` -> `FooRequest`: with COMPONENT_SPLIT_REQUEST drf-spectacular adds
    "Request" to the request side of every serializer, also to those already named for a
    request body (PortalTicketCreateRequestSerializer)."""
    schemas = result.get("components", {}).get("schemas", {})
    renames = {
        name: name.removesuffix("Request")
        for name in schemas
        if name.endswith("RequestRequest") and name.removesuffix("Request") not in schemas
    }
    if not renames:
        return
    result["components"]["schemas"] = {renames.get(name, name): schema for name, schema in schemas.items()}
    refs = {f"#/components/schemas/{old}": f"#/components/schemas/{new}" for old, new in renames.items()}

    def rewrite(node):
        if isinstance(node, dict):
            if node.get("$ref") in refs:
                node["$ref"] = refs[node["$ref"]]
            for value in node.values():
                rewrite(value)
        elif isinstance(node, list):
            for value in node:
                rewrite(value)

    rewrite(result)
