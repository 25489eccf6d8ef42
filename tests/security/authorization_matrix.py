"""The authorization matrix as data: (method, URL pattern route) x role -> expected status.

One row per endpoint and HTTP method of the URL conf (`route` is the pattern's full route
as `django.urls.get_resolver()` spells it; the slash/no-slash twins made by
`tickethelp.routing.slash_optional` are one endpoint). `tests/security/test_authorization_matrix.py`
walks the URL conf and fails when an endpoint has no row or a row has no endpoint, then calls
every row as every role.

Roles (columns):
    anonymous  no Authorization header
    invalid    a Bearer header that is not a JWT signed by us
    CLIENT     a staff-API client without a resident profile (owns `w.ticket`, `w.notification`)
    tenant     a CLIENT with a resident profile (owns `w.tenant_ticket`, `w.tenant_notification`)
    TECH       the technician assigned to `w.ticket`, `w.tenant_ticket` and `w.pending.ticket`
    ADMIN      an administrator
    inactive   a token issued, then the user set `is_active=False` (an ADMIN on staff rows,
               a tenant on /api/tenant rows: the role that would otherwise be allowed)
    revoked    an access token on the deny-list after logout (idem)

Statuses follow ENDPOINTS.md and the two API documents: bad credentials are 401 everywhere
authentication runs; a wrong role is 403 on the staff API; the tenant portal refuses staff and
plain clients with 403 in its `{"error", "message"}` shape; an object the caller may not see is 404
(never reveal that it exists). Allowed calls carry real bodies and ids, so "allowed" answers
with the endpoint's success status and is never confused with a refusal.

Bodies and paths are templates over the test's world `w` (a SimpleNamespace built by the
test) and `me` (the calling role's user and refresh token, None when anonymous).
"""

from __future__ import annotations

from base64 import b64encode
from collections.abc import Callable
from dataclasses import dataclass

from tests.factories import TEST_PASSWORD
from tests.media_files import image_bytes

ROLES = ("anonymous", "invalid", "CLIENT", "tenant", "TECH", "ADMIN", "inactive", "revoked")
SIGNED_IN = ("CLIENT", "tenant", "TECH", "ADMIN")
BAD_CREDENTIALS = ("anonymous", "invalid", "inactive", "revoked")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Not JSON APIs: their refusals are rendered by the docs' own renderers.
DOCS_ROUTES = ("healthz", "api/schema/", "api/docs/", "api/redoc/")

NEW_PASSWORD = "Matriz-clave-segura-31"
# A real picture: the upload validation decodes images whole.
PNG = image_bytes("PNG")


def staff(**allowed: int) -> dict[str, int]:
    """Staff API: bad credentials 401, the roles named answer as given, any other role 403."""
    return {**dict.fromkeys(BAD_CREDENTIALS, 401), **dict.fromkeys(SIGNED_IN, 403), **allowed}


def signed_in(status: int, **overrides: int) -> dict[str, int]:
    """Staff API open to every signed-in role (object rules may override one role)."""
    return staff(**{**dict.fromkeys(SIGNED_IN, status), **overrides})


def portal(status: int) -> dict[str, int]:
    """Tenant portal: bad credentials 401, staff and plain clients 403, the tenant `status`."""
    return {**dict.fromkeys(BAD_CREDENTIALS, 401), **dict.fromkeys(SIGNED_IN, 403), "tenant": status}


def everyone(status: int, **overrides: int) -> dict[str, int]:
    """Public: the same answer for every caller (unless overridden)."""
    return {**dict.fromkeys(ROLES, status), **overrides}


# Public endpoints without authentication (login, refresh, signed links) ignore the header;
# public DRF endpoints that keep the default authentication still refuse a bad token.
PUBLIC_BUT_TOKEN_CHECKED = dict.fromkeys(("invalid", "inactive", "revoked"), 401)

Body = Callable[[object, object], dict]


@dataclass(frozen=True)
class Row:
    method: str
    route: str
    expect: dict[str, int]
    path: str = ""  # default: "/" + route (routes without converters)
    body: Body | None = None
    format: str = "json"

    def __post_init__(self):
        assert self.method in METHODS, self.method
        assert set(self.expect) == set(ROLES), f"{self}: every role needs a status"

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, route_key(self.route))

    @property
    def audience(self) -> str:
        if self.route.startswith("api/tenant/"):
            return "portal"
        return "docs" if self.route in DOCS_ROUTES else "staff"

    def __str__(self) -> str:
        return f"{self.method} {self.route}"


def route_key(route: str) -> str:
    """The slash / no-slash twins of a route are one endpoint."""
    return route[:-1] if route.endswith("/") else route


def _login(w, me):
    return {"email": w.target.email, "password": TEST_PASSWORD}


def _own_refresh(w, me):
    return {"refresh": me.refresh if me else w.target_refresh}


def _png(w, me):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("matriz.png", PNG, content_type="image/png")}


CHANGE_TECHNICIAN = lambda w, me: {"documento_tecnico": w.other_tech.document}  # noqa: E731
OWNER_BODY = lambda w, me: {"name": "Propietario matriz", "email": "matriz-owner@example.com"}  # noqa: E731
BUILDING_BODY = lambda w, me: {"name": "Edificio matriz", "owner": w.owner.pk}  # noqa: E731
DOORMAN_BODY = lambda w, me: {"building": w.building.pk, "name": "Portero matriz", "shift": "night"}  # noqa: E731
APARTMENT_BODY = lambda w, me: {"building": w.building.pk, "name": "Matriz-1"}  # noqa: E731
TENANT_BODY = lambda w, me: {"apartment": w.apartment.pk, "phone": "+57 1 000"}  # noqa: E731
DEVICE_TYPE_BODY = lambda w, me: {"name": "Secadora"}  # noqa: E731
DEVICE_BODY = lambda w, me: {"name": "Consola", "owners": [w.tenant.pk]}  # noqa: E731
PUSH_TOKEN_BODY = lambda w, me: {  # noqa: E731
    "push_token": "ExponentPushToken[matriz-nuevo]",
    "token_type": "expo",
    "platform": "ios",
    "device_type": "phone",
}
SLA_POLICY = "api/sla-policies/<int:policy_id>/"
SLA_POLICY_PATH = "/api/sla-policies/{w.spare_sla_policy.pk}/"
SLA_TARGETS = {"first_response_minutes": 30, "resolution_minutes": 600, "approval_minutes": 60}
SLA_POLICY_BODY = lambda w, me: {"priority": "low", "category": "matriz", **SLA_TARGETS}  # noqa: E731
SLA_SPARE_BODY = lambda w, me: {"priority": "medium", "category": "matriz-spare", **SLA_TARGETS}  # noqa: E731


def management(resource: str, *, body: Body, create_body: Body | None = None) -> list[Row]:
    """ADMIN-only ViewSet: list/create on `api/<resource>/`, the rest on `api/<resource>/<int:pk>/`."""
    detail = f"/api/{resource}/{{w.spare_{resource.replace('-', '_')}.pk}}/"
    route = f"api/{resource}/<int:pk>/"
    return [
        Row("GET", f"api/{resource}/", staff(ADMIN=200)),
        Row("POST", f"api/{resource}/", staff(ADMIN=201), body=create_body or body),
        Row("GET", route, staff(ADMIN=200), path=detail),
        Row("PUT", route, staff(ADMIN=200), path=detail, body=body),
        Row("PATCH", route, staff(ADMIN=200), path=detail, body=body),
        Row("DELETE", route, staff(ADMIN=204), path=detail),
    ]


ROWS: list[Row] = [
    # --- operations and API docs ------------------------------------------------------------
    # /healthz is a plain Django view (no DRF authentication): a header never matters.
    Row("GET", "healthz", everyone(200)),
    # drf-spectacular's views are public (SERVE_PERMISSIONS AllowAny) but keep DRF's default
    # authentication, so a token that is sent must be valid.
    Row("GET", "api/schema/", everyone(200, **PUBLIC_BUT_TOKEN_CHECKED)),
    Row("GET", "api/docs/", everyone(200, **PUBLIC_BUT_TOKEN_CHECKED)),
    Row("GET", "api/redoc/", everyone(200, **PUBLIC_BUT_TOKEN_CHECKED)),
    # --- users: authentication (no authentication runs: a stale header is ignored) ----------
    Row("POST", "api/users/auth/login/", everyone(200), body=_login),
    Row("POST", "api/users/auth/refresh/", everyone(200), body=lambda w, me: {"refresh": w.target_refresh}),
    Row("POST", "api/users/auth/logout/", signed_in(200), body=_own_refresh),
    Row(
        "POST",
        "api/users/auth/change-password/",
        signed_in(200),
        body=lambda w, me: {"old_password": TEST_PASSWORD, "new_password": NEW_PASSWORD},
    ),
    Row("GET", "api/users/auth/validate-token/", signed_in(200)),
    Row("GET", "api/users/auth/user-data/", signed_in(200)),
    # --- users: administration (ADMIN); `w.target` is a CLIENT without tickets -------------
    Row("GET", "api/users/", staff(ADMIN=200)),
    Row(
        "POST",
        "api/users/create/",
        staff(ADMIN=201),
        body=lambda w, me: {
            "document": "MATRIX-1",
            "email": "matrix@example.com",
            "first_name": "Matriz",
            "role": "CLIENT",
        },
    ),
    Row("GET", "api/users/<str:document>/", staff(ADMIN=200), path="/api/users/{w.target.document}/"),
    Row("DELETE", "api/users/delete/<str:document>", staff(ADMIN=204), path="/api/users/delete/{w.target.document}"),
    Row(
        "POST",
        "api/users/deactivate/<str:document>",
        staff(ADMIN=200),
        path="/api/users/deactivate/{w.target.document}",
    ),
    Row(
        "POST",
        "api/users/activate/<str:document>/",
        staff(ADMIN=200),
        path="/api/users/activate/{w.target.document}/",
    ),
    # self or ADMIN: the document is the CLIENT's own (PUT: the web front end's alias of PATCH)
    *(
        Row(
            method,
            "api/users/update-profile-picture/<str:document>/",
            staff(CLIENT=200, ADMIN=200),
            path="/api/users/update-profile-picture/{w.client.document}/",
            body=lambda w, me: {"profile_picture": "https://cdn.example.com/matriz.png"},
        )
        for method in ("PATCH", "PUT")
    ),
    *(
        Row(
            method,
            "api/users/update-user/<str:document>/",
            staff(ADMIN=200),
            path="/api/users/update-user/{w.target.document}/",
            body=lambda w, me: {"first_name": "Cambiado"},
        )
        for method in ("PATCH", "PUT")
    ),
    Row("GET", "api/admins/", staff(ADMIN=200)),
    Row("GET", "api/admins/<str:document>/", staff(ADMIN=200), path="/api/admins/{w.admin.document}/"),
    Row("GET", "api/technicians/", staff(ADMIN=200)),
    Row("GET", "api/technicians/<str:document>/", staff(ADMIN=200), path="/api/technicians/{w.tech.document}/"),
    Row("GET", "api/clients/", staff(ADMIN=200)),
    Row("GET", "api/clients/<str:document>/", staff(ADMIN=200), path="/api/clients/{w.target.document}/"),
    # --- own profile -------------------------------------------------------------------------
    Row("GET", "api/me/", signed_in(200)),
    *(
        Row(method, "api/me/", signed_in(200), body=lambda w, me: {"first_name": "Cambiado"})
        for method in ("PATCH", "PUT")
    ),
    # The matrix's tokens are not of a recent password login: the current password is needed.
    Row(
        "POST",
        "api/me/change-password/",
        signed_in(200),
        body=lambda w, me: {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD},
    ),
    Row(
        "POST",
        "api/me/change-password/<str:document>/",
        staff(ADMIN=200),
        path="/api/me/change-password/{w.client.document}/",
        body=lambda w, me: {"new_password": NEW_PASSWORD},
    ),
    Row("GET", "api/me/<str:document>/", staff(CLIENT=200, ADMIN=200), path="/api/me/{w.client.document}/"),
    *(
        Row(
            method,
            "api/me/<str:document>/",
            staff(CLIENT=200, ADMIN=200),
            path="/api/me/{w.client.document}/",
            body=lambda w, me: {"first_name": "Cambiado"},
        )
        for method in ("PATCH", "PUT")
    ),
    # --- tickets (`w.ticket`: open, client = CLIENT, technician = TECH) ------------------------
    Row("GET", "api/estados/", staff(ADMIN=200)),
    Row(
        "POST",
        "api/estados/",
        staff(ADMIN=201),
        body=lambda w, me: {"codigo": "closed", "nombre": "Cerrado", "es_final": True, "portal_status": "closed"},
    ),
    Row("GET", "api/tickets/", staff(ADMIN=200)),
    Row(
        "POST",
        "api/tickets/",
        staff(ADMIN=201),
        body=lambda w, me: {"cliente": w.client.document, "titulo": "Matriz", "descripcion": "No enciende."},
    ),
    Row("GET", "api/tickets/consulta/", signed_in(200)),
    Row("GET", "api/tickets/least-busy-technician/", staff(ADMIN=200)),
    Row("GET", "api/tickets/active-technicians/", staff(TECH=200, ADMIN=200)),
    Row(
        "PUT",
        "api/tickets/change-technician/<int:ticket_id>/",
        staff(ADMIN=200),
        path="/api/tickets/change-technician/{w.ticket.pk}/",
        body=CHANGE_TECHNICIAN,
    ),
    Row(
        "PATCH",
        "api/tickets/change-technician/<int:ticket_id>/",
        staff(ADMIN=200),
        path="/api/tickets/change-technician/{w.ticket.pk}/",
        body=CHANGE_TECHNICIAN,
    ),
    # only the assigned technician moves a ticket (an ADMIN approves, never moves)
    Row(
        "PUT",
        "api/tickets/change-state/<int:ticket_id>/",
        staff(TECH=200),
        path="/api/tickets/change-state/{w.ticket.pk}/",
        body=lambda w, me: {"to_state": 2, "reason": "Diagnóstico"},
    ),
    Row(
        "PUT",
        "api/tickets/approve-state/<int:request_id>/",
        staff(ADMIN=200),
        path="/api/tickets/approve-state/{w.pending.pk}/",
        body=lambda w, me: {"action": "approve"},
    ),
    Row("GET", "api/tickets/pending-approvals/", staff(ADMIN=200)),
    # owning CLIENT or ADMIN; another client (the tenant) does not even see the ticket
    Row(
        "PUT",
        "api/tickets/cancel/<int:ticket_id>/",
        staff(CLIENT=200, ADMIN=200, tenant=404),
        path="/api/tickets/cancel/{w.ticket.pk}/",
        body=lambda w, me: {"reason": "Ya no hace falta."},
    ),
    # participants only: ADMIN, the assigned TECH, the owning CLIENT; anyone else 404
    Row(
        "GET",
        "api/tickets/<int:ticket_id>/history/",
        signed_in(200, tenant=404),
        path="/api/tickets/{w.ticket.pk}/history/",
    ),
    Row(
        "GET",
        "api/tickets/<int:ticket_id>/attachments/",
        signed_in(200, tenant=404),
        path="/api/tickets/{w.ticket.pk}/attachments/",
    ),
    Row(
        "POST",
        "api/tickets/<int:ticket_id>/attachments/",
        staff(TECH=201, ADMIN=201, tenant=404),
        path="/api/tickets/{w.ticket.pk}/attachments/",
        body=_png,
        format="multipart",
    ),
    Row(
        "GET",
        "api/tickets/<int:ticket_id>/attachments/<int:attachment_id>/download/",
        signed_in(200, tenant=404),
        path="/api/tickets/{w.ticket.pk}/attachments/{w.attachment.pk}/download/",
    ),
    # the conversation: participants only; the owning CLIENT writes public messages
    Row(
        "GET",
        "api/tickets/<int:ticket_id>/messages/",
        signed_in(200, tenant=404),
        path="/api/tickets/{w.ticket.pk}/messages/",
    ),
    Row(
        "POST",
        "api/tickets/<int:ticket_id>/messages/",
        signed_in(201, tenant=404),
        path="/api/tickets/{w.ticket.pk}/messages/",
        body=lambda w, me: {"body": "Mensaje de la matriz"},
    ),
    Row(
        "GET",
        "api/tickets/<int:ticket_id>/message-attachments/<int:attachment_id>/download/",
        signed_in(200, tenant=404),
        path="/api/tickets/{w.ticket.pk}/message-attachments/{w.message_attachment.pk}/download/",
    ),
    # the signature is the only credential (no authentication runs)
    Row(
        "GET",
        "api/files/attachments/<int:attachment_id>",
        everyone(200),
        path="/api/files/attachments/{w.attachment.pk}?sig={w.signature}",
    ),
    # --- notifications (`w.notification` belongs to CLIENT; nobody else sees it) ---------------
    Row("GET", "api/notifications/", signed_in(200)),
    Row("GET", "api/notifications/stats/", signed_in(200)),
    Row("GET", "api/notifications/types/", signed_in(200)),
    Row("GET", "api/notifications/user-notifications/", signed_in(200)),
    Row("POST", "api/notifications/mark-all-read/", signed_in(200)),
    Row(
        "GET",
        "api/notifications/<int:notification_id>/",
        signed_in(404, CLIENT=200),
        path="/api/notifications/{w.notification.pk}/",
    ),
    *[
        Row(
            method,
            "api/notifications/<int:notification_id>/mark-read/",
            signed_in(404, CLIENT=200),
            path="/api/notifications/{w.notification.pk}/mark-read/",
        )
        for method in ("POST", "PUT", "PATCH")
    ],
    # --- the caller's phones and channel settings (`w.push_token` belongs to CLIENT) -------------
    Row("GET", "api/me/push-tokens/", signed_in(200)),
    Row("POST", "api/me/push-tokens/", signed_in(201), body=PUSH_TOKEN_BODY),
    Row(
        "DELETE",
        "api/me/push-tokens/<int:token_id>/",
        signed_in(404, CLIENT=204),
        path="/api/me/push-tokens/{w.push_token.pk}/",
    ),
    Row("GET", "api/me/notification-settings/", signed_in(200)),
    Row(
        "PUT",
        "api/me/notification-settings/",
        signed_in(200),
        body=lambda w, me: {"settings": [{"codigo": "estado_cambiado", "channels": {"push": False}}]},
    ),
    # --- reports (ADMIN) -------------------------------------------------------------------------
    *[
        Row("GET", f"api/reports/stats/{name}/", staff(ADMIN=200), path=f"/api/reports/stats/{name}/{query}")
        for name, query in (
            ("general-stats", ""),
            ("performance-ranking", ""),
            ("clients-evolution", "?year=2025"),
            ("distribucion-estados", ""),
            ("tiempo-resolucion", ""),
            ("antiguedad-tickets", ""),
            ("flujo-tickets", ""),
            ("aprobaciones-pendientes", ""),
            ("tickets-portal", ""),
        )
    ],
    # --- technicians' visits (`w.visit`: scheduled, `w.visit_started`: in progress, both on
    # `w.ticket` with TECH; `w.tenant_visit`: awaiting the tenant's feedback) ------------------
    Row(
        "GET",
        "api/tickets/<int:ticket_id>/appointments/",
        signed_in(200, tenant=404),
        path="/api/tickets/{w.ticket.pk}/appointments/",
    ),
    Row(
        "POST",
        "api/tickets/<int:ticket_id>/appointments/",
        staff(TECH=201, ADMIN=201, tenant=404),
        path="/api/tickets/{w.ticket.pk}/appointments/",
        body=lambda w, me: {"title": "Matriz", "scheduled_for": "2040-01-01T10:00:00Z"},
    ),
    Row("GET", "api/appointments/", staff(TECH=200, ADMIN=200)),
    Row(
        "POST",
        "api/appointments/<int:appointment_id>/start/",
        staff(TECH=200, ADMIN=200),
        path="/api/appointments/{w.visit.pk}/start/",
    ),
    Row(
        "POST",
        "api/appointments/<int:appointment_id>/complete/",
        staff(TECH=200, ADMIN=200),
        path="/api/appointments/{w.visit_started.pk}/complete/",
        body=lambda w, me: {"completion_notes": "Listo."},
    ),
    *[
        Row(
            "POST",
            f"api/appointments/<int:appointment_id>/{action}/",
            staff(TECH=200, ADMIN=200),
            path=f"/api/appointments/{{w.visit.pk}}/{action}/",
            body=lambda w, me: {"reason": "Matriz"},
        )
        for action in ("cancel", "no-show")
    ],
    Row(
        "POST",
        "api/appointments/<int:appointment_id>/reschedule/",
        staff(TECH=200, ADMIN=200),
        path="/api/appointments/{w.visit.pk}/reschedule/",
        body=lambda w, me: {"scheduled_for": "2040-02-01T10:00:00Z"},
    ),
    Row("GET", "api/reports/stats/satisfaction/", staff(ADMIN=200)),
    Row(
        "GET",
        "api/tenant/tickets/<int:ticket_id>/appointments",
        portal(200),
        path="/api/tenant/tickets/{w.tenant_ticket.pk}/appointments",
    ),
    Row(
        "POST",
        "api/tenant/appointments/<int:appointment_id>/member-feedback",
        portal(200),
        path="/api/tenant/appointments/{w.tenant_visit.pk}/member-feedback",
        body=lambda w, me: {"service_rating": 5},
    ),
    # --- tenant portal ---------------------------------------------------------------------------
    # login runs no authentication: the answer depends on the credentials in the body only
    Row(
        "POST",
        "api/tenant/login",
        everyone(200),
        body=lambda w, me: {"email": w.tenant.user.email, "password": TEST_PASSWORD},
    ),
    Row("POST", "api/tenant/logout", portal(200)),
    Row("GET", "api/tenant/me", portal(200)),
    Row("GET", "api/tenant/devices", portal(200)),
    Row("GET", "api/tenant/tickets", portal(200)),
    Row(
        "POST",
        "api/tenant/tickets",
        portal(201),
        body=lambda w, me: {
            "device_id": w.device.pk,
            "category": "Hardware",
            "title": "El televisor no enciende",
            "description": "Desde esta mañana.",
            "priority": "high",
        },
        format="multipart",
    ),
    Row(
        "POST",
        "api/tenant/tickets/android",
        portal(201),
        body=lambda w, me: {
            "device_id": w.device.pk,
            "category": "Hardware",
            "title": "El televisor no enciende",
            "description": "Desde esta mañana.",
            "attachments_base64": [{"name": "foto.png", "data": "data:image/png;base64," + b64encode(PNG).decode()}],
        },
    ),
    Row("GET", "api/tenant/tickets/<int:ticket_id>", portal(200), path="/api/tenant/tickets/{w.tenant_ticket.pk}"),
    Row(
        "GET",
        "api/tenant/tickets/<int:ticket_id>/attachments",
        portal(200),
        path="/api/tenant/tickets/{w.tenant_ticket.pk}/attachments",
    ),
    Row(
        "POST",
        "api/tenant/tickets/<int:ticket_id>/cancel",
        portal(200),
        path="/api/tenant/tickets/{w.tenant_ticket.pk}/cancel",
    ),
    Row(
        "POST",
        "api/tenant/tickets/<int:ticket_id>/send-message-to-technical",
        portal(200),
        path="/api/tenant/tickets/{w.tenant_ticket.pk}/send-message-to-technical",
        body=lambda w, me: {"message": "¿A qué hora vienen?"},
    ),
    Row(
        "GET",
        "api/tenant/tickets/<int:ticket_id>/messages",
        portal(200),
        path="/api/tenant/tickets/{w.tenant_ticket.pk}/messages",
    ),
    Row("GET", "api/tenant/apartment", portal(200)),
    Row("GET", "api/tenant/building", portal(200)),
    Row("GET", "api/tenant/doormen", portal(200)),
    Row("GET", "api/tenant/owner", portal(200)),
    Row(
        "POST",
        "api/tenant/change-password",
        portal(200),
        body=lambda w, me: {
            "current_password": TEST_PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_confirmation": NEW_PASSWORD,
        },
    ),
    Row("POST", "api/tenant/reset-password-request", portal(200)),
    Row("GET", "api/tenant/notifications", portal(200)),
    Row("POST", "api/tenant/notifications/mark-all-read", portal(200)),
    Row(
        "POST",
        "api/tenant/notifications/<int:notification_id>/read",
        portal(200),
        path="/api/tenant/notifications/{w.tenant_notification.pk}/read",
    ),
    Row("POST", "api/tenant/register-push-token", portal(200), body=PUSH_TOKEN_BODY),
    Row(
        "POST",
        "api/tenant/remove-push-token",
        portal(200),
        body=lambda w, me: {"push_token": w.push_token.token},  # CLIENT's: answered alike, kept
    ),
    Row("GET", "api/tenant/push-tokens", portal(200)),
    Row("GET", "api/tenant/notification-settings", portal(200)),
    Row(
        "PUT",
        "api/tenant/notification-settings",
        portal(200),
        body=lambda w, me: {"settings": [{"notification_type": "estado_cambiado", "channels": {"push": False}}]},
    ),
    # any other /api/tenant/... path, any method: the portal's 404 (reveals nothing to anyone)
    *[
        Row(method, "api/^tenant/(?P<rest>.*)$", everyone(404), path="/api/tenant/no-such-endpoint")
        for method in METHODS
    ],
    # any other /api/... path, any method: the staff API's JSON 404
    *[Row(method, "^api/(?P<rest>.*)$", everyone(404), path="/api/no-such-endpoint") for method in METHODS],
    # --- management API (ADMIN ViewSets) ---------------------------------------------------------
    *management("owners", body=OWNER_BODY),
    *management("buildings", body=BUILDING_BODY),
    *management("doormen", body=DOORMAN_BODY),
    *management("apartments", body=APARTMENT_BODY),
    *management(
        "tenants",
        body=TENANT_BODY,
        create_body=lambda w, me: {
            "document": "CC-4242424",
            "email": "matriz-tenant@example.com",
            "first_name": "Matriz",
            "apartment": w.apartment.pk,
        },
    ),
    *management("device-types", body=DEVICE_TYPE_BODY),
    *management("devices", body=DEVICE_BODY),
    # --- service levels (ADMIN) -------------------------------------------------------------------
    Row("GET", "api/sla-policies/", staff(ADMIN=200)),
    Row("POST", "api/sla-policies/", staff(ADMIN=201), body=SLA_POLICY_BODY),
    Row("GET", SLA_POLICY, staff(ADMIN=200), path=SLA_POLICY_PATH),
    Row("PUT", SLA_POLICY, staff(ADMIN=200), path=SLA_POLICY_PATH, body=SLA_SPARE_BODY),
    Row("PATCH", SLA_POLICY, staff(ADMIN=200), path=SLA_POLICY_PATH, body=lambda w, me: {"approval_minutes": 90}),
    Row("DELETE", SLA_POLICY, staff(ADMIN=204), path=SLA_POLICY_PATH),
]


@dataclass(frozen=True)
class AdminFamily:
    """The Django admin as one endpoint family (one row per admin pattern would be ~100 rows
    saying the same thing): every pattern of the admin site's URL namespace, all mounted under
    `prefix`, is either the login form (public by
    design) or wrapped by `AdminSite.admin_view`, which lets in only active staff (ADMINs,
    through their session) and redirects everyone else to the login form. The test checks
    that structure for every admin pattern, probes every pattern as anonymous and as a
    signed-in non-staff user (GET and POST), and serves `pages` to an ADMIN."""

    namespace: str
    prefix: str
    login_route: str
    pages: tuple[str, ...]
    # Admin auth is the session: Bearer tokens (valid or not) do not open it.
    expect: dict[str, int]


ADMIN_FAMILY = AdminFamily(
    namespace="admin",
    prefix="admin/",
    login_route="admin/login/",
    pages=("/admin/", "/admin/users/", "/admin/users/user/", "/admin/tickets/ticket/"),
    expect={
        "anonymous": 302,  # no session
        "invalid": 302,  # a Bearer header only: ignored by the admin
        "CLIENT": 302,  # session of a non-staff user
        "tenant": 302,
        "TECH": 302,
        "ADMIN": 200,  # session of an active ADMIN
        "inactive": 302,  # session of an ADMIN since deactivated
        "revoked": 302,  # an ADMIN's Bearer token without a session
    },
)
