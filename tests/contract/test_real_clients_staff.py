"""The staff API as the real web front end reads it (REAL-CLIENTS.md §1): the document's
Ticket keys with the document's types in every answer that returns tickets, least-busy's
`id` as the technician's document, the notification keys it shows, the 403 that points a
non-admin to their tickets, and all of it at a constant query count (1 vs 50 rows)."""

from datetime import datetime

import pytest

from notifications.models import Notification
from tests.conftest import client_for
from tests.factories import StateChangeRequestFactory, TicketFactory, UserFactory, estado
from tests.query_counts import assert_constant
from tickets import services
from tickets.models import Ticket
from users.models import Role

pytestmark = pytest.mark.django_db

USER_DETAIL_KEYS = {"document", "email", "first_name", "last_name", "full_name"}
ESTADO_DETAIL_KEYS = {"id", "codigo", "nombre", "es_final", "portal_status"}
NOTIFICATION_USER_KEYS = {"document", "first_name", "last_name", "email"}


def assert_document_ticket(row: dict, ticket: Ticket) -> None:
    """`row` is `ticket` with the document's keys and types, and the details beside them."""
    ticket.refresh_from_db()
    # users by document (string or null), the state by id (int)
    for role in ("administrador", "tecnico", "cliente"):
        user = getattr(ticket, role)
        assert row[role] == (user.document if user else None), role
        assert row[role] is None or isinstance(row[role], str), role
        assert (row[f"{role}_detalle"] or {}).get("document") == row[role], role
        assert row[f"{role}_detalle"] is None or set(row[f"{role}_detalle"]) == USER_DETAIL_KEYS, role
    assert type(row["estado"]) is int
    assert row["estado"] == ticket.estado_id
    assert set(row["estado_detalle"]) == ESTADO_DETAIL_KEYS
    assert row["estado_detalle"]["codigo"] == ticket.estado.codigo
    assert type(row["id"]) is int
    assert row["id"] == ticket.pk
    for key in ("titulo", "descripcion", "equipo"):
        assert row[key] == getattr(ticket, key), key
    # ISO 8601 date-times
    for key, value in (
        ("fecha", ticket.fecha),
        ("creado_en", ticket.created_at),
        ("actualizado_en", ticket.updated_at),
    ):
        assert datetime.fromisoformat(row[key]) == value, key


@pytest.fixture
def tickets(admin_user, tech_user, client_user):
    """A ticket with every user, and one with neither technician nor administrator."""
    return {
        "full": TicketFactory(administrador=admin_user, tecnico=tech_user, cliente=client_user),
        "bare": TicketFactory(administrador=None, tecnico=None, cliente=client_user, estado=estado("diagnosis")),
    }


# --- Ticket object ---------------------------------------------------------------------------


def test_the_admin_list_answers_the_documents_ticket(as_admin, tickets):
    # when the admin reads the list
    response = as_admin.get("/api/tickets/")

    # then every ticket has the document's keys and types
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["tickets"]}
    assert rows.keys() == {tickets["full"].pk, tickets["bare"].pk}
    for ticket in tickets.values():
        assert_document_ticket(rows[ticket.pk], ticket)
    assert rows[tickets["bare"].pk]["tecnico"] is None
    assert rows[tickets["bare"].pk]["administrador"] is None


@pytest.mark.parametrize("reader", ["client", "tech", "admin_for_client"])
def test_consulta_answers_the_documents_ticket(reader, admin_user, tech_user, client_user, tickets):
    # given the client's tickets, read by the client, the assigned technician or an admin
    users = {"client": client_user, "tech": tech_user, "admin_for_client": admin_user}
    path = "/api/tickets/consulta/"
    if reader == "admin_for_client":
        path += f"?user_document={client_user.document}"

    # when
    response = client_for(users[reader]).get(path)

    # then
    assert response.status_code == 200
    expected = [tickets["full"]] if reader == "tech" else list(tickets.values())
    rows = {row["id"]: row for row in response.json()["tickets"]}
    assert rows.keys() == {ticket.pk for ticket in expected}
    for ticket in expected:
        assert_document_ticket(rows[ticket.pk], ticket)


def test_create_answers_the_documents_ticket(as_admin, admin_user, tech_user, client_user):
    # given the document's create body
    body = {
        "administrador": admin_user.document,
        "tecnico": tech_user.document,
        "cliente": client_user.document,
        "estado": estado("open").pk,
        "titulo": "Texto",
        "descripcion": "Texto largo",
        "equipo": "Equipo",
        "fecha": "2025-11-03T12:00:00Z",
    }

    # when
    response = as_admin.post("/api/tickets/", body, format="json")

    # then the created ticket comes back with the same keys and types it was sent with
    assert response.status_code == 201
    row = response.json()["ticket"]
    ticket = Ticket.objects.get(pk=row["id"])
    assert_document_ticket(row, ticket)
    assert {key: row[key] for key in ("administrador", "tecnico", "cliente", "estado")} == {
        key: body[key] for key in ("administrador", "tecnico", "cliente", "estado")
    }


def test_pending_approvals_items_carry_the_documents_ticket(as_admin):
    # given a pending request
    request = StateChangeRequestFactory()

    # when
    response = as_admin.get("/api/tickets/pending-approvals/")

    # then its ticket is the document's ticket
    assert response.status_code == 200
    [item] = response.json()["requests"]
    assert item["ticket_id"] == request.ticket_id
    assert_document_ticket(item["ticket"], request.ticket)


# --- Least-busy technician -------------------------------------------------------------------


def test_least_busy_answers_id_as_the_technicians_document(as_admin):
    # given a busy and an idle technician
    busy = UserFactory(role=Role.TECH)
    idle = UserFactory(role=Role.TECH)
    TicketFactory(tecnico=busy)

    # when
    response = as_admin.get("/api/tickets/least-busy-technician/")

    # then `id` is the document the front end posts back as `tecnico`
    assert response.status_code == 200
    assert response.json()["id"] == idle.document
    assert response.json()["document"] == idle.document


def test_least_busys_id_is_accepted_back_as_a_tickets_tecnico(as_admin, client_user):
    # given the least-busy technician's id
    UserFactory(role=Role.TECH)
    technician_id = as_admin.get("/api/tickets/least-busy-technician/").json()["id"]

    # when the front end posts it back as `tecnico`
    body = {"cliente": client_user.document, "tecnico": technician_id, "titulo": "a", "descripcion": "b"}
    response = as_admin.post("/api/tickets/", body, format="json")

    # then the ticket is assigned to that technician
    assert response.status_code == 201
    assert Ticket.objects.get(pk=response.json()["ticket"]["id"]).tecnico.document == technician_id


# --- Notifications ---------------------------------------------------------------------------


@pytest.fixture
def change(admin_user):
    """A ticket moved from one technician to another (the service writes the notifications)."""
    old = UserFactory(role=Role.TECH, first_name="Olga", last_name="Antigua")
    new = UserFactory(role=Role.TECH, first_name="Nico", last_name="Nuevo")
    ticket = TicketFactory(tecnico=old)
    services.ticket_change_technician(ticket_id=ticket.pk, actor=admin_user, tecnico=new)
    return {"old": old, "new": new, "ticket": ticket}


def technician_change_paths(user) -> dict[str, callable]:
    """Each notification read, as a function from the response to the user's notifications."""
    notification = Notification.objects.get(usuario=user)
    return {
        "/api/notifications/": lambda body: body,
        "/api/notifications/user-notifications/": lambda body: body["notifications"],
        f"/api/notifications/{notification.pk}/": lambda body: [body],
    }


@pytest.mark.parametrize("who", ["new", "old"])
def test_notifications_name_the_recipient_the_type_and_both_technicians(change, who):
    # given the technician-change notification of the new or of the old technician
    user = change[who]
    client = client_for(user)
    expected_technicians = {
        "new_technician_info": {"documento": change["new"].document, "nombre": "Nico Nuevo"},
        "old_technician_info": {"documento": change["old"].document, "nombre": "Olga Antigua"},
    }

    for path, items in technician_change_paths(user).items():
        # when it is read in the list, the history and the detail
        response = client.get(path)

        # then it carries the keys the front end reads
        assert response.status_code == 200, path
        [item] = items(response.json())
        assert item["usuario"] == {
            "document": user.document,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
        }, path
        assert (item["tipo_codigo"], item["tipo_nombre"]) == ("tecnico_cambiado", "Técnico cambiado"), path
        assert {key: item[key] for key in expected_technicians} == expected_technicians, path
        assert item["estado"] == "PENDIENTE"


def test_a_first_assignment_has_no_old_technician(admin_user):
    # given a ticket without technician that gets one
    new = UserFactory(role=Role.TECH, first_name="Nico", last_name="Nuevo")
    ticket = TicketFactory(tecnico=None)
    services.ticket_change_technician(ticket_id=ticket.pk, actor=admin_user, tecnico=new)

    # when the technician reads it
    [item] = client_for(new).get("/api/notifications/").json()

    # then the new technician is named and the old one is null
    assert item["new_technician_info"] == {"documento": new.document, "nombre": "Nico Nuevo"}
    assert item["old_technician_info"] is None


def test_other_notifications_have_null_technician_info(admin_user, tech_user, client_user):
    # given a ticket created through the service (notifications for client and technician)
    services.ticket_create(actor=admin_user, cliente=client_user, tecnico=tech_user, titulo="a", descripcion="b")

    for user, codigo in ((client_user, "ticket_creado"), (tech_user, "ticket_asignado")):
        # when each reads their notification
        [item] = client_for(user).get("/api/notifications/").json()

        # then the technician keys are there, null, and the rest is filled in
        assert (item["new_technician_info"], item["old_technician_info"]) == (None, None)
        assert item["tipo_codigo"] == codigo
        assert set(item["usuario"]) == NOTIFICATION_USER_KEYS
        assert item["usuario"]["document"] == user.document


# --- 403 on the whole list -------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.TECH, Role.CLIENT])
def test_a_non_admin_reading_the_list_is_pointed_to_consulta(role):
    # given a technician or a client
    user = UserFactory(role=role)

    # when they ask for every ticket
    response = client_for(user).get("/api/tickets/")

    # then 403, in Spanish, naming where their own tickets are
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Solo los administradores ven todos los tickets; tus tickets están en /api/tickets/consulta/."
    }


def test_a_non_admin_creating_a_ticket_keeps_the_admin_only_message(as_client, client_user):
    response = as_client.post(
        "/api/tickets/", {"cliente": client_user.document, "titulo": "a", "descripcion": "b"}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Solo un administrador puede realizar esta acción."}
    assert Ticket.objects.count() == 0


# --- Query counts: 1 vs 50 rows --------------------------------------------------------------


def add_tickets(**fields):
    """n tickets, every other one without technician nor administrator."""
    made = []

    def add(n):
        for _ in range(n):
            bare = len(made) % 2 == 1
            extra = {"tecnico": None, "administrador": None} if bare else {}
            made.append(TicketFactory(**fields, **extra))

    return add


def test_list_count_is_constant(as_admin):
    response = assert_constant(as_admin, "/api/tickets/", add_tickets())
    assert len(response.json()["tickets"]) == 50
    assert {type(row["estado"]) for row in response.json()["tickets"]} == {int}


def test_consulta_count_is_constant(client_user):
    response = assert_constant(client_for(client_user), "/api/tickets/consulta/", add_tickets(cliente=client_user))
    assert len(response.json()["tickets"]) == 50
    assert {row["cliente"] for row in response.json()["tickets"]} == {client_user.document}


def test_pending_approvals_count_is_constant(as_admin):
    response = assert_constant(
        as_admin, "/api/tickets/pending-approvals/", lambda n: StateChangeRequestFactory.create_batch(n)
    )
    assert len(response.json()["requests"]) == 50
    assert {type(item["ticket"]["estado"]) for item in response.json()["requests"]} == {int}


@pytest.mark.parametrize(
    ("path", "items"),
    [
        ("/api/notifications/", lambda body: body),
        ("/api/notifications/user-notifications/?page_size=50", lambda body: body["notifications"]),
    ],
)
def test_notification_lists_count_is_constant(admin_user, path, items):
    # given a technician who receives technician-change notifications, 1 and then 50
    owner = UserFactory(role=Role.TECH)

    def add(n):
        for _ in range(n):
            ticket = TicketFactory(tecnico=UserFactory(role=Role.TECH))
            services.ticket_change_technician(ticket_id=ticket.pk, actor=admin_user, tecnico=owner)

    # when / then: as many queries for 50 as for 1, and each one names both technicians
    response = assert_constant(client_for(owner), path, add)
    rows = items(response.json())
    assert len(rows) == 50
    assert all(row["new_technician_info"]["documento"] == owner.document for row in rows)
    assert all(row["old_technician_info"]["documento"] != owner.document for row in rows)
    assert {row["usuario"]["document"] for row in rows} == {owner.document}


def test_notification_detail_count_is_constant(admin_user, change):
    # given the new technician's notification among more and more of theirs
    owner = change["new"]
    notification = Notification.objects.get(usuario=owner)

    def add(n):
        for _ in range(n):
            ticket = TicketFactory(tecnico=UserFactory(role=Role.TECH))
            services.ticket_change_technician(ticket_id=ticket.pk, actor=admin_user, tecnico=owner)

    response = assert_constant(client_for(owner), f"/api/notifications/{notification.pk}/", add)
    assert response.json()["new_technician_info"]["documento"] == owner.document
