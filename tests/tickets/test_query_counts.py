"""Every list endpoint runs the same number of SQL queries for 1 row and for 50 rows."""

import pytest

from tests.conftest import client_for
from tests.factories import (
    StateChangeRequestFactory,
    TicketAttachmentFactory,
    TicketFactory,
    TicketHistoryFactory,
    UserFactory,
    estado,
)
from tests.query_counts import assert_constant
from users.models import Role

pytestmark = pytest.mark.django_db


def test_tickets_list(as_admin):
    def add(n):
        for i in range(n):
            TicketFactory(estado=estado("diagnosis"), tecnico=None if i % 2 else UserFactory(role=Role.TECH))

    assert_constant(as_admin, "/api/tickets/?estado=2", add)
    assert as_admin.get("/api/tickets/").json()["total_tickets"] == 50


@pytest.mark.parametrize("role", [Role.ADMIN, Role.TECH, Role.CLIENT])
def test_consulta(role):
    user = UserFactory(role=role)
    field = {Role.ADMIN: "administrador", Role.TECH: "tecnico", Role.CLIENT: "cliente"}[role]

    def add(n):
        TicketFactory.create_batch(n, **{field: user})

    client = client_for(user)
    assert_constant(client, "/api/tickets/consulta/", add)
    assert client.get("/api/tickets/consulta/").json()["total_tickets"] == 50


def test_consulta_of_another_user_as_admin(as_admin):
    client_user = UserFactory(role=Role.CLIENT)

    def add(n):
        TicketFactory.create_batch(n, cliente=client_user)

    path = f"/api/tickets/consulta/?user_document={client_user.document}"
    assert_constant(as_admin, path, add)


def test_pending_approvals(as_admin):
    def add(n):
        StateChangeRequestFactory.create_batch(n)

    path = "/api/tickets/pending-approvals/"
    assert_constant(as_admin, path, add)
    assert as_admin.get(path).json()["total_pending"] == 50


def test_active_technicians(as_admin):
    def add(n):
        for tech in UserFactory.create_batch(n, role=Role.TECH):
            TicketFactory(tecnico=tech)

    path = "/api/tickets/active-technicians/"
    assert_constant(as_admin, path, add)
    assert as_admin.get(path).json()["total_tecnicos"] == 50


def test_estados(as_admin, estados):
    created = []

    def add(n):
        model = estados["open"].__class__
        for _ in range(n):
            index = len(created)
            created.append(model.objects.create(codigo=f"extra-{index}", nombre=f"Extra {index}"))

    assert_constant(as_admin, "/api/estados/", add)


def test_history(as_client, client_user):
    ticket = TicketFactory(cliente=client_user)

    def add(n):
        TicketHistoryFactory.create_batch(n, ticket=ticket)

    path = f"/api/tickets/{ticket.pk}/history/"
    assert_constant(as_client, path, add)
    assert as_client.get(path).json()["total_history"] == 50


def test_attachments(as_tech, tech_user):
    ticket = TicketFactory(tecnico=tech_user)

    def add(n):
        for _ in range(n):
            TicketAttachmentFactory(ticket=ticket, uploaded_by=UserFactory(role=Role.ADMIN))

    path = f"/api/tickets/{ticket.pk}/attachments/"
    assert_constant(as_tech, path, add)
    assert as_tech.get(path).json()["total_attachments"] == 50


@pytest.mark.parametrize(
    ("query", "matching"),
    [
        ("", 50),
        ("?es_final=false", 50),
        ("?sin_tecnico=true", 25),
        ("?estado_codigo=diagnosis&priority=medium", 50),
        ("?search=Ticket&fecha_desde=2000-01-01", 50),
        ("?limit=100&offset=0", 50),
    ],
)
def test_tickets_list_with_each_filter(as_admin, query, matching):
    made = []  # every other ticket has no technician

    def add(n):
        for _ in range(n):
            tecnico = None if len(made) % 2 else UserFactory(role=Role.TECH)
            made.append(TicketFactory(estado=estado("diagnosis"), tecnico=tecnico))

    response = assert_constant(as_admin, f"/api/tickets/{query}", add)
    assert response.json()["total_tickets"] == matching
    assert len(response.json()["tickets"]) == matching


@pytest.mark.parametrize("role", [Role.ADMIN, Role.TECH, Role.CLIENT])
def test_consulta_with_filters(role):
    user = UserFactory(role=role)
    field = {Role.ADMIN: "administrador", Role.TECH: "tecnico", Role.CLIENT: "cliente"}[role]

    def add(n):
        TicketFactory.create_batch(n, estado=estado("diagnosis"), **{field: user})

    client = client_for(user)
    response = assert_constant(client, "/api/tickets/consulta/?es_final=false&estado_codigo=diagnosis", add)
    assert len(response.json()["tickets"]) == 50


@pytest.mark.parametrize("role", [Role.TECH, Role.ADMIN])
def test_consulta_of_a_technician_or_admin_as_admin(as_admin, role):
    subject = UserFactory(role=role)
    field = "tecnico" if role == Role.TECH else "administrador"

    def add(n):
        TicketFactory.create_batch(n, **{field: subject})

    path = f"/api/tickets/consulta/?user_document={subject.document}"
    assert assert_constant(as_admin, path, add).json()["total_tickets"] == 50


def test_active_technicians_as_technician(as_tech):
    def add(n):
        for tech in UserFactory.create_batch(n, role=Role.TECH):
            TicketFactory.create_batch(2, tecnico=tech)

    response = assert_constant(as_tech, "/api/tickets/active-technicians/", add)
    assert response.json()["total_tecnicos"] == 51  # the caller is an active technician too


def test_least_busy_technician(as_admin):
    def add(n):
        for tech in UserFactory.create_batch(n, role=Role.TECH):
            TicketFactory.create_batch(2, tecnico=tech)

    response = assert_constant(as_admin, "/api/tickets/least-busy-technician/", add)
    assert response.json()["document"]


def test_history_as_admin_and_technician(as_admin, as_tech, tech_user):
    ticket = TicketFactory(tecnico=tech_user)

    def add(n):
        for _ in range(n):
            TicketHistoryFactory(ticket=ticket, actor=UserFactory(role=Role.ADMIN))

    path = f"/api/tickets/{ticket.pk}/history/"
    assert assert_constant(as_admin, path, add).json()["total_history"] == 50
    assert as_tech.get(path).json()["total_history"] == 50


def test_attachments_as_client(as_client, client_user):
    ticket = TicketFactory(cliente=client_user)

    def add(n):
        for _ in range(n):
            TicketAttachmentFactory(ticket=ticket, uploaded_by=UserFactory(role=Role.TECH))

    path = f"/api/tickets/{ticket.pk}/attachments/"
    assert assert_constant(as_client, path, add).json()["total_attachments"] == 50
