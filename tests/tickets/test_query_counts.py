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
from users.models import Role

pytestmark = pytest.mark.django_db

# Generous ceiling; the real check is that 1 row and 50 rows cost exactly the same.
MAX_QUERIES = 8


def count_queries(django_assert_max_num_queries, client, path) -> int:
    with django_assert_max_num_queries(MAX_QUERIES) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.json()
    return len(captured)


def assert_constant(django_assert_max_num_queries, django_assert_num_queries, client, path, add_rows):
    # given one row
    add_rows(1)
    with_one = count_queries(django_assert_max_num_queries, client, path)

    # when there are 50
    add_rows(49)

    # then the same number of queries runs
    with django_assert_num_queries(with_one):
        response = client.get(path)
    assert response.status_code == 200


def test_tickets_list(django_assert_max_num_queries, django_assert_num_queries, as_admin):
    def add(n):
        for i in range(n):
            TicketFactory(estado=estado("diagnosis"), tecnico=None if i % 2 else UserFactory(role=Role.TECH))

    assert_constant(django_assert_max_num_queries, django_assert_num_queries, as_admin, "/api/tickets/?estado=2", add)
    assert as_admin.get("/api/tickets/").json()["total_tickets"] == 50


@pytest.mark.parametrize("role", [Role.ADMIN, Role.TECH, Role.CLIENT])
def test_consulta(django_assert_max_num_queries, django_assert_num_queries, role):
    user = UserFactory(role=role)
    field = {Role.ADMIN: "administrador", Role.TECH: "tecnico", Role.CLIENT: "cliente"}[role]

    def add(n):
        TicketFactory.create_batch(n, **{field: user})

    client = client_for(user)
    assert_constant(django_assert_max_num_queries, django_assert_num_queries, client, "/api/tickets/consulta/", add)
    assert client.get("/api/tickets/consulta/").json()["total_tickets"] == 50


def test_consulta_of_another_user_as_admin(django_assert_max_num_queries, django_assert_num_queries, as_admin):
    client_user = UserFactory(role=Role.CLIENT)

    def add(n):
        TicketFactory.create_batch(n, cliente=client_user)

    path = f"/api/tickets/consulta/?user_document={client_user.document}"
    assert_constant(django_assert_max_num_queries, django_assert_num_queries, as_admin, path, add)


def test_pending_approvals(django_assert_max_num_queries, django_assert_num_queries, as_admin):
    def add(n):
        StateChangeRequestFactory.create_batch(n)

    path = "/api/tickets/pending-approvals/"
    assert_constant(django_assert_max_num_queries, django_assert_num_queries, as_admin, path, add)
    assert as_admin.get(path).json()["total_pending"] == 50


def test_active_technicians(django_assert_max_num_queries, django_assert_num_queries, as_admin):
    def add(n):
        for tech in UserFactory.create_batch(n, role=Role.TECH):
            TicketFactory(tecnico=tech)

    path = "/api/tickets/active-technicians/"
    assert_constant(django_assert_max_num_queries, django_assert_num_queries, as_admin, path, add)
    assert as_admin.get(path).json()["total_tecnicos"] == 50


def test_estados(django_assert_max_num_queries, django_assert_num_queries, as_admin, estados):
    created = []

    def add(n):
        model = estados["open"].__class__
        for _ in range(n):
            index = len(created)
            created.append(model.objects.create(codigo=f"extra-{index}", nombre=f"Extra {index}"))

    assert_constant(django_assert_max_num_queries, django_assert_num_queries, as_admin, "/api/estados/", add)


def test_history(django_assert_max_num_queries, django_assert_num_queries, as_client, client_user):
    ticket = TicketFactory(cliente=client_user)

    def add(n):
        TicketHistoryFactory.create_batch(n, ticket=ticket)

    path = f"/api/tickets/{ticket.pk}/history/"
    assert_constant(django_assert_max_num_queries, django_assert_num_queries, as_client, path, add)
    assert as_client.get(path).json()["total_history"] == 50


def test_attachments(django_assert_max_num_queries, django_assert_num_queries, as_tech, tech_user):
    ticket = TicketFactory(tecnico=tech_user)

    def add(n):
        for _ in range(n):
            TicketAttachmentFactory(ticket=ticket, uploaded_by=UserFactory(role=Role.ADMIN))

    path = f"/api/tickets/{ticket.pk}/attachments/"
    assert_constant(django_assert_max_num_queries, django_assert_num_queries, as_tech, path, add)
    assert as_tech.get(path).json()["total_attachments"] == 50
