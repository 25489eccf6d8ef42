"""least-busy-technician, active-technicians and change-technician."""

import pytest

from tests.factories import TicketFactory, UserFactory, estado
from tickets.models import HistoryAction, Ticket, TicketHistory
from users.models import Role

pytestmark = pytest.mark.django_db

LEAST_BUSY_URL = "/api/tickets/least-busy-technician/"
ACTIVE_URL = "/api/tickets/active-technicians/"


def change_technician_url(ticket_id) -> str:
    return f"/api/tickets/change-technician/{ticket_id}/"


# --- least-busy-technician -----------------------------------------------------------------


def test_least_busy_is_the_active_technician_with_fewest_open_tickets(as_admin):
    busy = UserFactory(role=Role.TECH, last_name="Alfa")
    calm = UserFactory(role=Role.TECH, last_name="Beta")
    UserFactory(role=Role.TECH, last_name="Aaa", is_active=False)
    TicketFactory.create_batch(2, tecnico=busy)
    TicketFactory(tecnico=calm)
    TicketFactory.create_batch(3, tecnico=calm, estado=estado("finalized"))  # final ones do not count

    response = as_admin.get(LEAST_BUSY_URL)

    assert response.status_code == 200
    assert response.json() == {
        "id": calm.document,
        "document": calm.document,
        "email": calm.email,
        "first_name": calm.first_name,
        "last_name": calm.last_name,
        "number": calm.number,
        "tickets_abiertos": 1,
        "total_tickets": 4,
        "porcentaje_ocupacion": 10.0,
    }


def test_least_busy_ties_are_broken_by_total_then_name_then_id(as_admin):
    zeta = UserFactory(role=Role.TECH, last_name="Zeta", first_name="Ana")
    alfa_b = UserFactory(role=Role.TECH, last_name="Alfa", first_name="Beatriz")
    alfa_a = UserFactory(role=Role.TECH, last_name="Alfa", first_name="Ana")
    experienced = UserFactory(role=Role.TECH, last_name="Aaron")
    TicketFactory(tecnico=experienced, estado=estado("finalized"))

    first = as_admin.get(LEAST_BUSY_URL).json()["document"]
    TicketFactory(tecnico=alfa_a)
    second = as_admin.get(LEAST_BUSY_URL).json()["document"]

    assert first == alfa_a.document  # 0 open, 0 total: Alfa Ana before Alfa Beatriz and Zeta
    assert second == alfa_b.document
    assert zeta.document not in (first, second)


def test_least_busy_is_404_without_active_technicians(as_admin):
    UserFactory(role=Role.TECH, is_active=False)

    response = as_admin.get(LEAST_BUSY_URL)

    assert response.status_code == 404
    assert response.json()["detail"] == "No hay técnicos activos disponibles."


# --- active-technicians --------------------------------------------------------------------


@pytest.mark.parametrize("caller", ["as_admin", "as_tech"])
def test_active_technicians_lists_load_as_percentage_of_capacity(request, settings, caller, tech_user):
    settings.TECHNICIAN_CAPACITY = 4
    TicketFactory(tecnico=tech_user)
    TicketFactory(tecnico=tech_user, estado=estado("canceled"))
    idle = UserFactory(role=Role.TECH)
    UserFactory(role=Role.TECH, is_active=False)

    response = request.getfixturevalue(caller).get(ACTIVE_URL)

    assert response.status_code == 200
    data = response.json()
    assert data["message"] == "Lista de técnicos activos disponibles"
    assert data["total_tecnicos"] == 2
    by_document = {row["document"]: row for row in data["tecnicos"]}
    assert by_document[tech_user.document]["porcentaje_ocupacion"] == 25.0
    assert by_document[tech_user.document]["tickets_abiertos"] == 1
    assert by_document[idle.document]["porcentaje_ocupacion"] == 0.0
    assert by_document[idle.document]["id"] == idle.document
    assert set(by_document[idle.document]) == {
        "id",
        "document",
        "email",
        "first_name",
        "last_name",
        "number",
        "tickets_abiertos",
        "total_tickets",
        "porcentaje_ocupacion",
    }


# --- change-technician ---------------------------------------------------------------------


@pytest.mark.parametrize("method", ["put", "patch"])
def test_admin_changes_the_technician(as_admin, admin_user, ticket, tech_user, method):
    new_tech = UserFactory(role=Role.TECH)

    response = getattr(as_admin, method)(
        change_technician_url(ticket.pk), {"documento_tecnico": new_tech.document}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {
        "message": "Técnico actualizado correctamente",
        "ticket_id": ticket.pk,
        "nuevo_tecnico": {
            "documento": new_tech.document,
            "email": new_tech.email,
            "nombre": f"{new_tech.first_name} {new_tech.last_name}",
        },
    }
    assert Ticket.objects.get(pk=ticket.pk).tecnico == new_tech
    history = TicketHistory.objects.get(ticket=ticket)
    assert (history.action, history.actor) == (HistoryAction.TECHNICIAN_CHANGED, admin_user)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "documento_tecnico"),
        ({"documento_tecnico": ""}, "documento_tecnico"),
        ({"documento_tecnico": "99999999"}, "documento_tecnico"),
        ({"documento_tecnico": {"a": 1}}, "documento_tecnico"),
        ({"documento_tecnico": "x" * 21}, "documento_tecnico"),
    ],
)
def test_change_technician_bad_bodies_are_400(as_admin, ticket, tech_user, body, field):
    response = as_admin.put(change_technician_url(ticket.pk), body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Ticket.objects.get(pk=ticket.pk).tecnico == tech_user


def test_change_technician_refuses_non_technicians_inactive_and_same(as_admin, ticket, tech_user, client_user):
    inactive = UserFactory(role=Role.TECH, is_active=False)

    for document in (client_user.document, inactive.document, tech_user.document):
        response = as_admin.put(change_technician_url(ticket.pk), {"documento_tecnico": document}, format="json")
        assert response.status_code == 400
        assert "documento_tecnico" in response.json()
    assert not TicketHistory.objects.filter(ticket=ticket).exists()


def test_change_technician_of_a_final_ticket_is_409(as_admin):
    final = TicketFactory(estado=estado("finalized"))
    new_tech = UserFactory(role=Role.TECH)

    response = as_admin.put(change_technician_url(final.pk), {"documento_tecnico": new_tech.document}, format="json")

    assert response.status_code == 409
    assert Ticket.objects.get(pk=final.pk).tecnico != new_tech


def test_change_technician_unknown_ticket_is_404(as_admin, tech_user):
    response = as_admin.put(change_technician_url(777777), {"documento_tecnico": tech_user.document}, format="json")

    assert response.status_code == 404
