"""GET /api/tickets/consulta/: per-role scoping and the `?user_document=` rule."""

import pytest

from tests.conftest import client_for
from tests.factories import TicketFactory, UserFactory
from users.models import Role

pytestmark = pytest.mark.django_db

CONSULTA_URL = "/api/tickets/consulta/"


def ids(response) -> set[int]:
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["tickets"]}


def test_client_sees_only_own_tickets(as_client, client_user):
    own = TicketFactory(cliente=client_user)
    TicketFactory()

    response = as_client.get(CONSULTA_URL)

    assert ids(response) == {own.pk}
    assert response.json()["message"] == "Lista de tickets"
    assert response.json()["total_tickets"] == 1


def test_technician_sees_only_assigned_tickets(as_tech, tech_user):
    assigned = TicketFactory(tecnico=tech_user)
    TicketFactory()

    assert ids(as_tech.get(CONSULTA_URL)) == {assigned.pk}


def test_admin_sees_all_or_those_of_a_user_document(as_admin):
    client = UserFactory(role=Role.CLIENT)
    tech = UserFactory(role=Role.TECH)
    of_client = TicketFactory(cliente=client)
    of_tech = TicketFactory(tecnico=tech)

    assert ids(as_admin.get(CONSULTA_URL)) == {of_client.pk, of_tech.pk}
    assert ids(as_admin.get(CONSULTA_URL, {"user_document": client.document})) == {of_client.pk}
    assert ids(as_admin.get(CONSULTA_URL, {"user_document": tech.document})) == {of_tech.pk}


def test_empty_result_is_exactly_the_documented_message(as_client):
    TicketFactory()

    response = as_client.get(CONSULTA_URL)

    assert response.status_code == 200
    assert response.json() == {"message": "No tienes tickets registrados."}


def test_a_non_admin_cannot_read_another_users_tickets(client_user):
    other = UserFactory(role=Role.CLIENT)
    TicketFactory(cliente=other)
    tech = UserFactory(role=Role.TECH)

    as_client = client_for(client_user).get(CONSULTA_URL, {"user_document": other.document})
    as_tech = client_for(tech).get(CONSULTA_URL, {"user_document": other.document})
    own_document = client_for(client_user).get(CONSULTA_URL, {"user_document": client_user.document})

    assert as_client.status_code == 403
    assert as_tech.status_code == 403
    assert own_document.json() == {"message": "No tienes tickets registrados."}


def test_admin_user_document_unknown_is_404(as_admin):
    assert as_admin.get(CONSULTA_URL, {"user_document": "99999999"}).status_code == 404


def test_consulta_is_filterable_and_paginated(as_client, client_user):
    TicketFactory.create_batch(3, cliente=client_user)

    page = as_client.get(CONSULTA_URL, {"page_size": 2}).json()
    bad = as_client.get(CONSULTA_URL, {"estado": "x"})

    assert page["total_tickets"] == 3
    assert len(page["tickets"]) == 2
    assert bad.status_code == 400
    assert "estado" in bad.json()
