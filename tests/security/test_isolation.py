"""Isolation of every object endpoint (STYLE: "a cross-tenant / cross-user test for every
object endpoint"): someone else's ticket, attachment, notification or account is answered
exactly as the contract says — the same 404 as a missing object, unless noted — and the
attempt changes nothing: no field, history row, state-change request, notification, stored
file or e-mail.

`ENDPOINTS` is the one table of every (method, path) that carries an object id, document or
attachment in its path, in the staff API and in the tenant portal; `test_the_table_covers_
every_route_with_a_path_parameter` walks the URL resolver so that a new object route cannot
be added without a row here (or an exemption with its reason).

Role denial (a CLIENT calling an ADMIN-only route, a technician in the portal) is the
authorization matrix's business; here every intruder has the role the endpoint serves and
lacks only the object.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver, resolve
from rest_framework.test import APIClient

from conversations.models import MessageAttachment, TicketMessage
from notifications.models import Notification, NotificationPreference, PushToken
from tenants.models import Device, Tenant
from tests.conftest import client_for
from tests.factories import (
    ApartmentFactory,
    AppointmentFactory,
    BuildingFactory,
    DeviceFactory,
    TenantFactory,
    TicketFactory,
    TicketHistoryFactory,
    UserFactory,
)
from tests.tenants.conftest import make_notification
from tests.tickets.conftest import PNG
from tickethelp.permissions import IsAdmin
from tickets.attachment_urls import attachment_signature
from tickets.models import StateChangeRequest, Ticket, TicketAttachment, TicketHistory
from tickets.services import ticket_change_technician
from users.models import Role, User
from visits.models import Appointment

pytestmark = pytest.mark.django_db

# --- What intruders are told ------------------------------------------------------------------

TICKET_NOT_FOUND = {"detail": "Ticket no encontrado.", "code": "ticket_not_found"}
ATTACHMENT_NOT_FOUND = {"detail": "Adjunto no encontrado.", "code": "attachment_not_found"}
SIGNED_LINK_NOT_FOUND = {"detail": "No encontrado."}
NOTIFICATION_NOT_FOUND = {"detail": "Notificación no encontrada.", "code": "notification_not_found"}
NOT_YOURS = {"detail": "Solo puedes consultar o modificar tu propio usuario.", "code": "permission_denied"}
NOT_ASSIGNED = {
    "detail": "Solo el técnico asignado puede cambiar el estado de este ticket.",
    "code": "not_assigned_technician",
}
IMPERSONATION_DENIED = {
    "detail": "No puedes actuar ni consultar datos de otro usuario.",
    "code": "impersonation_denied",
}
PORTAL_TICKET_NOT_FOUND = {"error": "Not Found", "message": "Ticket not found."}
PORTAL_NOTIFICATION_NOT_FOUND = {"error": "Not Found", "message": "Notification not found."}
PORTAL_APPOINTMENT_NOT_FOUND = {**PORTAL_TICKET_NOT_FOUND, "message": "Appointment not found."}
APPOINTMENT_NOT_FOUND = {"detail": "Cita no encontrada.", "code": "appointment_not_found"}
PUSH_TOKEN_NOT_FOUND = {"detail": "Token push no encontrado.", "code": "push_token_not_found"}

# Ids and documents that name nothing: a foreign object must be answered like these.
MISSING_ID = 2_000_000_000
MISSING_DOCUMENT = "NOPE-404"

# --- The people --------------------------------------------------------------------------------

# Residents around the owner: the same apartment, the same building, the tenant the owner's
# device is shared with, and one of another building. They are CLIENT users, so they can
# call the staff API too.
TENANT_INTRUDERS = ("flatmate", "neighbour", "shared_tenant", "other_tenant")
CLIENT_INTRUDERS = ("other_client", *TENANT_INTRUDERS)
# `former_tech` had the owner's ticket until an admin reassigned it.
TECH_INTRUDERS = ("other_tech", "former_tech")
PARTICIPANT_INTRUDERS = (*TECH_INTRUDERS, *CLIENT_INTRUDERS)
# Notifications are private to their recipient, whatever the role: admins included.
EVERYONE_ELSE = ("other_admin", *PARTICIPANT_INTRUDERS)


@dataclass
class World:
    """The owner (`resident`, a tenant and CLIENT), their ticket's technician and admin, and
    everyone who must not reach the owner's objects."""

    users: dict[str, User]
    device: Device

    def client(self, who: str) -> APIClient:
        return APIClient() if who == "anonymous" else client_for(self.users[who])


@pytest.fixture
def world(db, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    building = BuildingFactory()
    apartment = ApartmentFactory(building=building)
    tenants = {
        "resident": TenantFactory(apartment=apartment),
        "flatmate": TenantFactory(apartment=apartment),
        "neighbour": TenantFactory(apartment=ApartmentFactory(building=building)),
        "shared_tenant": TenantFactory(),
        "other_tenant": TenantFactory(),
    }
    device = DeviceFactory(owners=[tenants["resident"]], shared_with=[tenants["shared_tenant"]])
    users = {key: tenant.user for key, tenant in tenants.items()}
    users |= {
        "other_client": UserFactory(role=Role.CLIENT),
        "technician": UserFactory(role=Role.TECH),
        "other_tech": UserFactory(role=Role.TECH),
        "former_tech": UserFactory(role=Role.TECH),
        "admin": UserFactory(role=Role.ADMIN),
        "other_admin": UserFactory(role=Role.ADMIN),
    }
    return World(users=users, device=device)


# --- How the owner's objects are made ----------------------------------------------------------


def stored_attachment(ticket: Ticket, uploaded_by: User) -> TicketAttachment:
    """An attachment whose file really is in the storage (so a download could serve it)."""
    attachment = TicketAttachment(
        ticket=ticket, uploaded_by=uploaded_by, original_name="fuga.png", mime_type="image/png", size=len(PNG)
    )
    attachment.file.save("upload.png", ContentFile(PNG), save=False)
    attachment.save()
    return attachment


def resident_ticket(world: World) -> dict:
    """An open ticket the resident opened about their device (shared with `shared_tenant`),
    first assigned to `former_tech`, then reassigned by the admin to `technician`: with
    history, a stored attachment and notifications."""
    resident, technician, admin = world.users["resident"], world.users["technician"], world.users["admin"]
    former = world.users["former_tech"]
    ticket = TicketFactory(cliente=resident, tecnico=former, administrador=admin, device=world.device)
    TicketHistoryFactory(ticket=ticket)
    ticket_change_technician(ticket_id=ticket.pk, actor=admin, tecnico=technician)
    attachment = stored_attachment(ticket, technician)
    message = TicketMessage.objects.create(ticket=ticket, author=technician, body="Paso mañana.")
    message_attachment = MessageAttachment(
        message=message, original_name="fuga.png", mime_type="image/png", size=len(PNG)
    )
    message_attachment.file.save("upload.png", ContentFile(PNG), save=False)
    message_attachment.save()
    make_notification(resident, ticket=ticket)
    make_notification(technician, ticket=ticket)
    return {
        "ticket": ticket.pk,
        "attachment": attachment.pk,
        "message_attachment": message_attachment.pk,
        "sig": attachment_signature(attachment.pk, user_id=resident.pk),
        "tecnico_document": technician.document,
    }


def resident_visit(world: World, status: str = "scheduled") -> dict:
    """A visit of the technician to the resident's ticket (see `resident_ticket`)."""
    values = resident_ticket(world)
    visit = AppointmentFactory(ticket_id=values["ticket"], technician=world.users["technician"], status=status)
    return {**values, "appointment": visit.pk}


def resident_visit_started(world: World) -> dict:
    return resident_visit(world, "in_progress")


def resident_visit_awaiting_feedback(world: World) -> dict:
    return resident_visit(world, "awaiting_feedback")


def resident_notification(world: World) -> dict:
    """An unread notification of the resident about their ticket."""
    ticket = TicketFactory(cliente=world.users["resident"], tecnico=world.users["technician"])
    return {"notification": make_notification(world.users["resident"], ticket=ticket).pk}


def technician_notification(world: World) -> dict:
    """A notification of the technician about the resident's ticket: private to the
    technician, even for the ticket's own client and its admin."""
    ticket = TicketFactory(
        cliente=world.users["resident"], tecnico=world.users["technician"], administrador=world.users["admin"]
    )
    return {"notification": make_notification(world.users["technician"], ticket=ticket).pk}


RESIDENT_PHONE = "ExponentPushToken[resident-phone]"


def resident_push_token(world: World) -> dict:
    """The resident's phone: theirs alone to list and remove, whatever the caller's role."""
    token = PushToken.objects.create(
        usuario=world.users["resident"], token=RESIDENT_PHONE, token_type="expo", platform="android"
    )
    return {"push_token": token.pk}


def resident_account(world: World) -> dict:
    """The resident's own user row, addressed by document."""
    return {"document": world.users["resident"].document}


def intruder_objects(world: World, intruder: str) -> dict:
    """A ticket of the intruder's own (client or technician of it) with a stored attachment,
    for paths that mix the intruder's ids with the owner's."""
    user = world.users.get(intruder)
    if user is None:  # anonymous: owns nothing
        return {}
    own = TicketFactory(tecnico=user) if user.role == Role.TECH else TicketFactory(cliente=user)
    attachment = stored_attachment(own, user)
    return {"own_ticket": own.pk, "own_sig": attachment_signature(attachment.pk, user_id=user.pk)}


def png_upload() -> dict:
    return {"file": SimpleUploadedFile("intruso.png", PNG, content_type="image/png")}


# --- The table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # documented spelling; {names} come from `make` (and from `intruder_objects`)
    make: Callable[[World], dict]  # builds the owner's object, returns the path values
    intruders: tuple[str, ...]
    denied: tuple[int, dict]  # what every intruder gets
    owner: str = "resident"  # who does reach it (the control that the path is right)
    owner_path: str | None = None  # when intruders use ids of their own in the path
    body: Callable[[], dict] | None = None
    multipart: bool = False
    ok: int = 200
    like_missing: bool = True  # the intruder's answer is the one a missing object gets

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path} on {self.make.__name__}"


ENDPOINTS = [
    # Staff API, tickets. Only the assigned technician moves a ticket; another technician is
    # told so: 403 NOT_ASSIGNED, the answer the app documents (OpenAPI example) and
    # tests/tickets/test_workflow.py pins. Unlike a 404 it tells a technician that the id
    # exists (not what it holds); ids are sequential, so little is revealed.
    Endpoint(
        "put",
        "/api/tickets/change-state/{ticket}/",
        resident_ticket,
        TECH_INTRUDERS,
        (403, NOT_ASSIGNED),
        owner="technician",
        body=lambda: {"to_state": 2, "reason": "Intruso"},
        like_missing=False,
    ),
    # ... nor by naming the assigned technician in the query (identity comes from the token).
    Endpoint(
        "put",
        "/api/tickets/change-state/{ticket}/?user_document={tecnico_document}",
        resident_ticket,
        TECH_INTRUDERS,
        (403, IMPERSONATION_DENIED),
        owner="technician",
        body=lambda: {"to_state": 2, "reason": "Intruso"},
    ),
    Endpoint(
        "put",
        "/api/tickets/cancel/{ticket}/",
        resident_ticket,
        CLIENT_INTRUDERS,
        (404, TICKET_NOT_FOUND),
        body=lambda: {"reason": "Intruso"},
    ),
    Endpoint("get", "/api/tickets/{ticket}/history/", resident_ticket, PARTICIPANT_INTRUDERS, (404, TICKET_NOT_FOUND)),
    Endpoint(
        "get", "/api/tickets/{ticket}/attachments/", resident_ticket, PARTICIPANT_INTRUDERS, (404, TICKET_NOT_FOUND)
    ),
    Endpoint(
        "post",
        "/api/tickets/{ticket}/attachments/",
        resident_ticket,
        PARTICIPANT_INTRUDERS,
        (404, TICKET_NOT_FOUND),
        owner="technician",
        body=png_upload,
        multipart=True,
        ok=201,
    ),
    Endpoint(
        "get",
        "/api/tickets/{ticket}/attachments/{attachment}/download/",
        resident_ticket,
        PARTICIPANT_INTRUDERS,
        (404, TICKET_NOT_FOUND),
    ),
    # The owner's attachment id under a ticket the intruder does take part in.
    Endpoint(
        "get",
        "/api/tickets/{own_ticket}/attachments/{attachment}/download/",
        resident_ticket,
        PARTICIPANT_INTRUDERS,
        (404, ATTACHMENT_NOT_FOUND),
        owner_path="/api/tickets/{ticket}/attachments/{attachment}/download/",
    ),
    # The conversation (participants only; a message's file under a ticket of one's own is
    # no more reachable than under the owner's).
    Endpoint("get", "/api/tickets/{ticket}/messages/", resident_ticket, PARTICIPANT_INTRUDERS, (404, TICKET_NOT_FOUND)),
    Endpoint(
        "post",
        "/api/tickets/{ticket}/messages/",
        resident_ticket,
        PARTICIPANT_INTRUDERS,
        (404, TICKET_NOT_FOUND),
        body=lambda: {"body": "Intruso"},
        ok=201,
    ),
    Endpoint(
        "get",
        "/api/tickets/{ticket}/message-attachments/{message_attachment}/download/",
        resident_ticket,
        PARTICIPANT_INTRUDERS,
        (404, TICKET_NOT_FOUND),
    ),
    Endpoint(
        "get",
        "/api/tickets/{own_ticket}/message-attachments/{message_attachment}/download/",
        resident_ticket,
        PARTICIPANT_INTRUDERS,
        (404, ATTACHMENT_NOT_FOUND),
        owner_path="/api/tickets/{ticket}/message-attachments/{message_attachment}/download/",
    ),
    # Expiring links: the signature is the only credential, so no signature, or the valid
    # signature of the intruder's own attachment, is a 404.
    Endpoint(
        "get",
        "/api/files/attachments/{attachment}",
        resident_ticket,
        ("anonymous", "other_tenant", "other_tech"),
        (404, SIGNED_LINK_NOT_FOUND),
        owner_path="/api/files/attachments/{attachment}?sig={sig}",
    ),
    Endpoint(
        "get",
        "/api/files/attachments/{attachment}?sig={own_sig}",
        resident_ticket,
        ("other_tenant", "other_client", "other_tech"),
        (404, SIGNED_LINK_NOT_FOUND),
        owner_path="/api/files/attachments/{attachment}?sig={sig}",
    ),
    # Staff API, notifications: only ever the recipient's, whatever the caller's role or part
    # in the ticket the notification is about.
    *(
        Endpoint(method, path, make, intruders, (404, NOTIFICATION_NOT_FOUND), owner=owner)
        for make, owner, intruders in (
            (resident_notification, "resident", EVERYONE_ELSE),
            (technician_notification, "technician", ("resident", "admin", *TECH_INTRUDERS)),
        )
        for method, path in (
            ("get", "/api/notifications/{notification}/"),
            ("post", "/api/notifications/{notification}/mark-read/"),
            ("put", "/api/notifications/{notification}/mark-read/"),
            ("patch", "/api/notifications/{notification}/mark-read/"),
        )
    ),
    # Staff API, "self or ADMIN" user routes: the users contract answers another user with
    # 403 — and an unknown document with the same 403, so existence is not disclosed either.
    # PUT is the web front end's alias of PATCH and answers alike.
    Endpoint("get", "/api/me/{document}/", resident_account, PARTICIPANT_INTRUDERS, (403, NOT_YOURS)),
    *(
        Endpoint(
            method,
            "/api/me/{document}/",
            resident_account,
            PARTICIPANT_INTRUDERS,
            (403, NOT_YOURS),
            body=lambda: {"first_name": "Intruso"},
        )
        for method in ("patch", "put")
    ),
    *(
        Endpoint(
            method,
            "/api/users/update-profile-picture/{document}/",
            resident_account,
            PARTICIPANT_INTRUDERS,
            (403, NOT_YOURS),
            body=lambda: {"profile_picture": "https://evil.example.com/x.png"},
        )
        for method in ("patch", "put")
    ),
    # Technicians' visits: a ticket's visits are its participants'; a visit's actions are its
    # technician's (and ADMINs'): another or the former technician gets the missing-id 404.
    Endpoint(
        "get", "/api/tickets/{ticket}/appointments/", resident_ticket, PARTICIPANT_INTRUDERS, (404, TICKET_NOT_FOUND)
    ),
    Endpoint(
        "post",
        "/api/tickets/{ticket}/appointments/",
        resident_ticket,
        PARTICIPANT_INTRUDERS,
        (404, TICKET_NOT_FOUND),
        owner="technician",
        body=lambda: {"title": "Intruso", "scheduled_for": "2040-01-01T10:00:00Z"},
        ok=201,
    ),
    *(
        Endpoint(
            "post",
            f"/api/appointments/{{appointment}}/{action}/",
            make,
            TECH_INTRUDERS,
            (404, APPOINTMENT_NOT_FOUND),
            owner="technician",
            body=body,
        )
        for action, make, body in (
            ("start", resident_visit, None),
            ("complete", resident_visit_started, lambda: {"completion_notes": "Intruso"}),
            ("cancel", resident_visit, lambda: {"reason": "Intruso"}),
            ("no-show", resident_visit, lambda: {"reason": "Intruso"}),
            ("reschedule", resident_visit, lambda: {"scheduled_for": "2040-02-01T10:00:00Z"}),
        )
    ),
    Endpoint(
        "get",
        "/api/tenant/tickets/{ticket}/appointments",
        resident_ticket,
        TENANT_INTRUDERS,
        (404, PORTAL_TICKET_NOT_FOUND),
    ),
    Endpoint(
        "post",
        "/api/tenant/appointments/{appointment}/member-feedback",
        resident_visit_awaiting_feedback,
        TENANT_INTRUDERS,
        (404, PORTAL_APPOINTMENT_NOT_FOUND),
        body=lambda: {"service_rating": 5},
    ),
    # Tenant portal: a resident sees only their own tickets and notifications (PRODUCT §6),
    # not those of their flatmates, neighbours or of whoever shares the device.
    Endpoint("get", "/api/tenant/tickets/{ticket}", resident_ticket, TENANT_INTRUDERS, (404, PORTAL_TICKET_NOT_FOUND)),
    Endpoint(
        "get",
        "/api/tenant/tickets/{ticket}/attachments",
        resident_ticket,
        TENANT_INTRUDERS,
        (404, PORTAL_TICKET_NOT_FOUND),
    ),
    Endpoint(
        "post",
        "/api/tenant/tickets/{ticket}/cancel",
        resident_ticket,
        TENANT_INTRUDERS,
        (404, PORTAL_TICKET_NOT_FOUND),
        body=lambda: {"reason": "Intruso"},
    ),
    Endpoint(
        "post",
        "/api/tenant/tickets/{ticket}/send-message-to-technical",
        resident_ticket,
        TENANT_INTRUDERS,
        (404, PORTAL_TICKET_NOT_FOUND),
        body=lambda: {"message": "Intruso"},
    ),
    Endpoint(
        "get",
        "/api/tenant/tickets/{ticket}/messages",
        resident_ticket,
        TENANT_INTRUDERS,
        (404, PORTAL_TICKET_NOT_FOUND),
    ),
    Endpoint(
        "post",
        "/api/tenant/notifications/{notification}/read",
        resident_notification,
        TENANT_INTRUDERS,
        (404, PORTAL_NOTIFICATION_NOT_FOUND),
    ),
    # A phone's token is its owner's alone: admins included, nobody else removes it.
    Endpoint(
        "delete",
        "/api/me/push-tokens/{push_token}/",
        resident_push_token,
        EVERYONE_ELSE,
        (404, PUSH_TOKEN_NOT_FOUND),
        ok=204,
    ),
]

CASES = [
    pytest.param(endpoint, intruder, id=f"{endpoint} by {intruder}")
    for endpoint in ENDPOINTS
    for intruder in endpoint.intruders
]

# Object routes outside the table. An ADMIN legitimately acts on anyone's object there and
# IsAdmin refuses every other role (checked below; the authorization matrix covers the
# refusals).
ADMIN_ONLY_ROUTES = {
    "user-detail",
    "user-delete",
    "user-deactivate",
    "user-activate",
    "user-update",
    "admin-detail",
    "technician-detail",
    "client-lookup",
    "me-admin-change-password",
    "ticket-change-technician",
    "ticket-approve-state",
    "mgmt-owner-detail",
    "mgmt-building-detail",
    "mgmt-doorman-detail",
    "mgmt-apartment-detail",
    "mgmt-tenant-profile-detail",
    "mgmt-device-type-detail",
    "mgmt-device-detail",
    "sla-policy-detail",
}
# Not object routes at all.
EXEMPT_ROUTES = {
    # The portal's catch-all: answers 404 to every unknown /api/tenant/... path.
    "tenant-not-found": "no object behind it",
    # The staff API's catch-all: answers 404 to every other unknown /api/... path.
    "api-not-found": "no object behind it",
}
# The Django admin site: a staff session edits every object there, by design.
EXEMPT_PREFIXES = ("admin/",)


# --- Helpers -----------------------------------------------------------------------------------


def spellings(url: str) -> list[str]:
    """The documented spelling and its twin with/without the final slash (PRODUCT §7)."""
    path, _, query = url.partition("?")
    twin = path[:-1] if path.endswith("/") else f"{path}/"
    return [url, f"{twin}?{query}" if query else twin]


def call(client: APIClient, endpoint: Endpoint, url: str):
    body = endpoint.body() if endpoint.body else None
    return getattr(client, endpoint.method)(url, body, format="multipart" if endpoint.multipart else "json")


def stored_files() -> list[tuple[str, bytes]]:
    root = Path(settings.MEDIA_ROOT)
    return sorted((str(path.relative_to(root)), path.read_bytes()) for path in root.rglob("*") if path.is_file())


def database_state() -> dict:
    """Every row an object endpoint could touch, every stored file and every e-mail sent."""
    models = (
        User,
        Tenant,
        Device,
        Device.owners.through,
        Device.shared_with.through,
        Ticket,
        TicketHistory,
        StateChangeRequest,
        TicketAttachment,
        Notification,
        TicketMessage,
        MessageAttachment,
        Appointment,
        PushToken,
        NotificationPreference,
    )
    state = {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}
    state["files"] = stored_files()
    state["mails"] = [(message.to, message.subject) for message in mail.outbox]
    return state


def missing(values: dict) -> dict:
    """The same path values with the owner's object replaced by one that does not exist."""
    replaced = dict(values)
    for key in ("ticket", "attachment", "message_attachment", "notification", "appointment", "push_token"):
        if key in replaced:
            replaced[key] = MISSING_ID
    if "document" in replaced:
        replaced["document"] = MISSING_DOCUMENT
    return replaced


def body_of(response):
    return response.json() if response["Content-Type"].startswith("application/json") else response.content


# --- Intruders ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("endpoint", "intruder"), CASES)
def test_an_intruder_gets_the_contract_answer_and_changes_nothing(world, endpoint, intruder):
    # given the owner's object and an intruder with objects of their own
    values = endpoint.make(world) | intruder_objects(world, intruder)
    client = world.client(intruder)
    before = database_state()

    # when the intruder calls the endpoint, in both spellings of its path
    responses = [call(client, endpoint, url) for url in spellings(endpoint.path.format(**values))]

    # then each call gets the contract's refusal and nothing at all changed
    for response in responses:
        assert (response.status_code, body_of(response)) == endpoint.denied
    assert database_state() == before


@pytest.mark.parametrize(("endpoint", "intruder"), [case for case in CASES if case.values[0].like_missing])
def test_a_foreign_object_is_answered_like_a_missing_one(world, endpoint, intruder):
    # given the owner's object and an intruder
    values = endpoint.make(world) | intruder_objects(world, intruder)
    client = world.client(intruder)

    # when the intruder addresses it, and then an object that does not exist
    foreign = call(client, endpoint, endpoint.path.format(**values))
    absent = call(client, endpoint, endpoint.path.format(**missing(values)))

    # then both answers are the same: the object's existence is not disclosed
    assert (foreign.status_code, body_of(foreign)) == (absent.status_code, body_of(absent)) == endpoint.denied


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_the_owner_does_reach_the_object(world, endpoint):
    # given the owner's object
    values = endpoint.make(world)

    # when its owner calls the endpoint (the control that the table's paths are right)
    response = call(world.client(endpoint.owner), endpoint, (endpoint.owner_path or endpoint.path).format(**values))

    # then it is served
    assert response.status_code == endpoint.ok, body_of(response)


# --- The table covers every object route ----------------------------------------------------------


def url_patterns(resolver: URLResolver, prefix: str = ""):
    """(route, pattern) of every URL pattern, through every include()."""
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern, route)
        else:
            yield route, pattern


def route_name(name: str | None) -> str | None:
    """Both spellings of a path (see tickethelp.routing) are one route."""
    return name.removesuffix("-alt") if name else name


def methods_of(pattern) -> set[str]:
    callback = pattern.callback
    if hasattr(callback, "actions"):  # a ViewSet
        return set(callback.actions)
    view = callback.view_class
    return {method for method in view.http_method_names if hasattr(view, method)} - {"options", "head"}


def object_routes() -> dict[str, object]:
    """Name -> pattern of every route with a path parameter (an id, a document...)."""
    found = {}
    for route, pattern in url_patterns(get_resolver()):
        if pattern.pattern.regex.groups and not route.startswith(EXEMPT_PREFIXES):
            name = route_name(pattern.name)
            assert name, f"unnamed object route {route}"
            found[name] = pattern
    return found


SAMPLE_VALUES = {
    "ticket": 1,
    "own_ticket": 2,
    "attachment": 3,
    "message_attachment": 5,
    "notification": 4,
    "appointment": 5,
    "push_token": 6,
    "document": "10000001",
    "tecnico_document": "10000002",
    "sig": "s",
    "own_sig": "o",
}


def test_the_table_covers_every_route_with_a_path_parameter():
    # given every route with a path parameter, and what the table calls
    routes = object_routes()
    in_table = {
        (route_name(resolve(urlsplit(endpoint.path.format(**SAMPLE_VALUES)).path).url_name), endpoint.method)
        for endpoint in ENDPOINTS
    }

    # then every method of every object route has a row, unless it is exempt for a reason
    expected = {
        (name, method)
        for name, pattern in routes.items()
        if name not in ADMIN_ONLY_ROUTES and name not in EXEMPT_ROUTES
        for method in methods_of(pattern)
    }
    assert expected - in_table == set()
    # and no row names a route that is not an object route (or that is exempt)
    assert in_table - expected == set()
    # and every exemption names a route that still exists
    assert (ADMIN_ONLY_ROUTES | set(EXEMPT_ROUTES)) - set(routes) == set()


@pytest.mark.parametrize("name", sorted(ADMIN_ONLY_ROUTES))
def test_exempt_routes_refuse_every_role_but_admin(name):
    # given an object route left out of the table as ADMIN-only
    callback = object_routes()[name].callback
    view = getattr(callback, "cls", None) or callback.view_class

    # then IsAdmin, and only IsAdmin, guards it
    assert view.permission_classes == [IsAdmin]


# --- Phones and settings addressed by the body, not the path -------------------------------------


@pytest.mark.parametrize("intruder", TENANT_INTRUDERS)
def test_no_resident_removes_or_lists_another_residents_phone(world, intruder):
    # given the resident's phone
    resident_push_token(world)
    client = world.client(intruder)
    before = database_state()

    # when an intruder asks to remove it by its value, and lists their own phones
    removed = client.post("/api/tenant/remove-push-token", {"push_token": RESIDENT_PHONE}, format="json")
    listed = client.get("/api/tenant/push-tokens")

    # then the answer is the one an unknown token gets, nothing changed, and the list is theirs
    assert (removed.status_code, removed.json()) == (
        200,
        {"success": True, "message": "Push token removed successfully"},
    )
    assert database_state() == before
    assert listed.json() == {"success": True, "push_tokens": [], "count": 0}


@pytest.mark.parametrize("intruder", EVERYONE_ELSE)
def test_nobody_sees_or_changes_another_users_phones_or_settings_on_the_staff_api(world, intruder):
    # given the resident's phone and one channel choice of theirs
    resident_push_token(world)
    client = world.client(intruder)
    client_of_resident = world.client("resident")
    client_of_resident.put(
        "/api/me/notification-settings/",
        {"settings": [{"codigo": "estado_cambiado", "channels": {"push": False}}]},
        format="json",
    )
    resident_choice = list(NotificationPreference.objects.values_list("usuario_id", "tipo__codigo", "push"))

    # when the intruder lists phones and reads and changes settings
    listed = client.get("/api/me/push-tokens/")
    mine = client.get("/api/me/notification-settings/").json()["settings"]
    client.put(
        "/api/me/notification-settings/",
        {"settings": [{"codigo": "estado_cambiado", "channels": {"push": True, "email": False}}]},
        format="json",
    )

    # then only their own rows are read or written
    assert listed.json() == []
    assert {item["codigo"]: item["channels"]["push"] for item in mine}["estado_cambiado"] is True
    assert PushToken.objects.get(token=RESIDENT_PHONE).usuario_id == world.users["resident"].pk
    assert (world.users["resident"].pk, "estado_cambiado", False) in set(
        NotificationPreference.objects.values_list("usuario_id", "tipo__codigo", "push")
    )
    assert resident_choice == [(world.users["resident"].pk, "estado_cambiado", False)]
    resident_view = client_of_resident.get("/api/me/notification-settings/").json()["settings"]
    assert {item["codigo"]: item["channels"] for item in resident_view}["estado_cambiado"] == {
        "in_app": True,
        "email": True,
        "push": False,
    }
