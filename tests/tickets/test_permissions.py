"""Permission matrix: anonymous / CLIENT / TECH / ADMIN x every tickets endpoint.

The ticket of every case belongs to the `client_user` fixture and is assigned to `tech_user`,
so CLIENT and TECH are that ticket's participants (outsiders are covered per endpoint)."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import client_for
from tests.factories import StateChangeRequestFactory, TicketAttachmentFactory, TicketFactory, UserFactory, estado
from tests.tickets.conftest import PNG
from tickets.models import StateChangeRequest, Ticket, TicketAttachment
from users.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(admin_user, tech_user, client_user):
    ticket = TicketFactory(administrador=admin_user, tecnico=tech_user, cliente=client_user)
    in_repair = TicketFactory(
        administrador=admin_user, tecnico=tech_user, cliente=client_user, estado=estado("in_repair")
    )
    state_request = StateChangeRequestFactory(ticket=TicketFactory(tecnico=tech_user, estado=estado("in_repair")))
    stored = default_storage.save(f"tickets/{ticket.pk}/matrix.png", ContentFile(PNG))
    attachment = TicketAttachmentFactory(ticket=ticket, uploaded_by=admin_user, file=stored, size=len(PNG))
    return {
        "ticket": ticket,
        "in_repair": in_repair,
        "request": state_request,
        "attachment": attachment,
        "other_tech": UserFactory(role=Role.TECH),
        "client": client_user,
    }


def png():
    return {"file": SimpleUploadedFile("a.png", PNG, content_type="image/png")}


# (name, method, path builder, body builder, format, {role: expected status})
DENY = {"anonymous": 401, "CLIENT": 403, "TECH": 403}
MATRIX = [
    ("estados-list", "get", lambda w: "/api/estados/", None, "json", {**DENY, "ADMIN": 200}),
    (
        "estados-create",
        "post",
        lambda w: "/api/estados/",
        lambda w: {"codigo": "closed", "nombre": "Cerrado", "es_final": True, "portal_status": "closed"},
        "json",
        {**DENY, "ADMIN": 201},
    ),
    ("tickets-list", "get", lambda w: "/api/tickets/", None, "json", {**DENY, "ADMIN": 200}),
    (
        "tickets-create",
        "post",
        lambda w: "/api/tickets/",
        lambda w: {"cliente": w["client"].document, "titulo": "T", "descripcion": "D"},
        "json",
        {**DENY, "ADMIN": 201},
    ),
    (
        "least-busy",
        "get",
        lambda w: "/api/tickets/least-busy-technician/",
        None,
        "json",
        {**DENY, "ADMIN": 200},
    ),
    (
        "change-technician-put",
        "put",
        lambda w: f"/api/tickets/change-technician/{w['ticket'].pk}/",
        lambda w: {"documento_tecnico": w["other_tech"].document},
        "json",
        {**DENY, "ADMIN": 200},
    ),
    (
        "change-technician-patch",
        "patch",
        lambda w: f"/api/tickets/change-technician/{w['ticket'].pk}/",
        lambda w: {"documento_tecnico": w["other_tech"].document},
        "json",
        {**DENY, "ADMIN": 200},
    ),
    (
        "active-technicians",
        "get",
        lambda w: "/api/tickets/active-technicians/",
        None,
        "json",
        {**DENY, "TECH": 200, "ADMIN": 200},
    ),
    (
        "change-state",
        "put",
        lambda w: f"/api/tickets/change-state/{w['ticket'].pk}/",
        lambda w: {"to_state": 2},
        "json",
        {**DENY, "TECH": 200, "ADMIN": 403},
    ),
    (
        "approve-state",
        "put",
        lambda w: f"/api/tickets/approve-state/{w['request'].pk}/",
        lambda w: {"action": "approve"},
        "json",
        {**DENY, "ADMIN": 200},
    ),
    ("pending-approvals", "get", lambda w: "/api/tickets/pending-approvals/", None, "json", {**DENY, "ADMIN": 200}),
    (
        "consulta",
        "get",
        lambda w: "/api/tickets/consulta/",
        None,
        "json",
        {"anonymous": 401, "CLIENT": 200, "TECH": 200, "ADMIN": 200},
    ),
    (
        "cancel",
        "put",
        lambda w: f"/api/tickets/cancel/{w['ticket'].pk}/",
        lambda w: {},
        "json",
        {"anonymous": 401, "CLIENT": 200, "TECH": 403, "ADMIN": 200},
    ),
    (
        "history",
        "get",
        lambda w: f"/api/tickets/{w['ticket'].pk}/history/",
        None,
        "json",
        {"anonymous": 401, "CLIENT": 200, "TECH": 200, "ADMIN": 200},
    ),
    (
        "attachments-list",
        "get",
        lambda w: f"/api/tickets/{w['ticket'].pk}/attachments/",
        None,
        "json",
        {"anonymous": 401, "CLIENT": 200, "TECH": 200, "ADMIN": 200},
    ),
    (
        "attachments-create",
        "post",
        lambda w: f"/api/tickets/{w['ticket'].pk}/attachments/",
        lambda w: png(),
        "multipart",
        {"anonymous": 401, "CLIENT": 403, "TECH": 201, "ADMIN": 201},
    ),
    (
        "attachment-download",
        "get",
        lambda w: f"/api/tickets/{w['ticket'].pk}/attachments/{w['attachment'].pk}/download/",
        None,
        "json",
        {"anonymous": 401, "CLIENT": 200, "TECH": 200, "ADMIN": 200},
    ),
]
CASES = [
    pytest.param(method, path, body, fmt, role, expected[role], id=f"{name}-{role}")
    for name, method, path, body, fmt, expected in MATRIX
    for role in ("anonymous", "CLIENT", "TECH", "ADMIN")
]


def snapshot() -> tuple:
    return (
        list(Ticket.objects.order_by("pk").values_list("pk", "estado_id", "tecnico_id")),
        list(StateChangeRequest.objects.order_by("pk").values_list("pk", "status")),
        TicketAttachment.objects.count(),
    )


@pytest.mark.parametrize(("method", "path", "body", "fmt", "role", "expected"), CASES)
def test_permission_matrix(role_clients, world, method, path, body, fmt, role, expected):
    before = snapshot()
    kwargs = {"format": fmt}
    if body is not None:
        kwargs["data"] = body(world)

    response = getattr(role_clients[role], method)(path(world), **kwargs)

    assert response.status_code == expected, getattr(response, "data", None)
    if expected >= 400:
        assert snapshot() == before  # a denied call changes nothing
        assert "detail" in response.json()


@pytest.mark.parametrize(
    "path",
    [
        "/api/estados",
        "/api/tickets",
        "/api/tickets/consulta",
        "/api/tickets/least-busy-technician",
        "/api/tickets/active-technicians",
        "/api/tickets/pending-approvals",
    ],
)
def test_paths_answer_without_their_trailing_slash(as_admin, tech_user, path):
    assert as_admin.get(path).status_code == 200


def test_write_paths_answer_without_their_trailing_slash(as_tech, ticket):
    response = as_tech.put(f"/api/tickets/change-state/{ticket.pk}", {"to_state": 2}, format="json")

    assert response.status_code == 200


def test_inactive_user_token_is_refused(tech_user, ticket):
    client = client_for(tech_user)
    tech_user.is_active = False
    tech_user.save(update_fields=["is_active"])

    assert client.get("/api/tickets/consulta/").status_code == 401
