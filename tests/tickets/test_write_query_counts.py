"""Every ticket write runs the same SQL whatever the number of tickets, requests, history rows,
notifications and admins already stored, and fewer than 10 queries besides its notification
inserts (and savepoints, which are transaction bookkeeping).

Measured when written (budgeted queries / all statements captured in the test transaction):
create 7/10 (given technician) and 9/12 (auto-assigned); change-state 8/11 (direct) and 10/13
(final -> request: the SLA clocks' UPDATE of the ticket, budget 11); approve 9/12; reject
8/11; change-technician 8/11; cancel 9/12 (admin or client). The assertion is the budget,
not these numbers, so that trimming a service never breaks a test; the 1-row/50-row
comparison is exact.
"""

import pytest

from notifications.models import Notification, NotificationType
from tests.conftest import client_for
from tests.factories import (
    StateChangeRequestFactory,
    TicketFactory,
    TicketHistoryFactory,
    UserFactory,
    estado,
)
from tests.query_counts import assert_write_constant, count_write
from users.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_admin(db):
    """Admins hear of requests and cancellations: more than one recipient of those."""
    return UserFactory(role=Role.ADMIN)


@pytest.fixture
def add_rows(admin_user, second_admin, tech_user, client_user):
    """n more of everything a write could trip over, all about the same people: open and
    in-repair tickets of the technician and the client (one with a pending request), their
    history, a notification for each participant, and one more admin (the events that tell
    every admin must still insert their notifications in one statement)."""
    tipo = NotificationType.objects.get(codigo="estado_cambiado")

    def add(n):
        for _ in range(n):
            UserFactory(role=Role.ADMIN)
            ticket = TicketFactory(administrador=admin_user, tecnico=tech_user, cliente=client_user)
            TicketHistoryFactory(ticket=ticket)
            StateChangeRequestFactory(
                ticket__administrador=admin_user, ticket__tecnico=tech_user, ticket__cliente=client_user
            )
            for user in (admin_user, second_admin, tech_user, client_user):
                Notification.objects.create(usuario=user, ticket=ticket, tipo=tipo, titulo="Aviso", mensaje="Texto")

    return add


def a_ticket(admin_user, tech_user, client_user, state="open"):
    return TicketFactory(administrador=admin_user, tecnico=tech_user, cliente=client_user, estado=estado(state))


@pytest.mark.parametrize("with_technician", [True, False], ids=["given-technician", "auto-assigned"])
def test_create_ticket(as_admin, client_user, tech_user, add_rows, with_technician):
    body = {"cliente": client_user.document, "titulo": "No enciende", "descripcion": "Desde ayer."}
    if with_technician:
        body["tecnico"] = tech_user.document

    def write():
        return count_write(lambda: as_admin.post("/api/tickets/", body, format="json"), expected_status=201)

    measured = assert_write_constant(add_rows, write, "POST /api/tickets/")

    # the client and the technician were notified
    ticket_id = measured.response.json()["ticket"]["id"]
    assert Notification.objects.filter(ticket_id=ticket_id).count() == 2


def test_change_state_directly(admin_user, tech_user, client_user, add_rows):
    as_tech = client_for(tech_user)

    def write():
        ticket = a_ticket(admin_user, tech_user, client_user)
        return count_write(
            lambda: as_tech.put(f"/api/tickets/change-state/{ticket.pk}/", {"to_state": 2}, format="json")
        )

    measured = assert_write_constant(add_rows, write, "PUT change-state (direct)")

    assert measured.response.json()["new_state"] == estado("diagnosis").nombre


def test_change_state_to_a_final_state_opens_a_request(admin_user, tech_user, client_user, add_rows):
    as_tech = client_for(tech_user)

    def write():
        ticket = a_ticket(admin_user, tech_user, client_user, state="in_repair")
        payload = {"to_state": estado("finalized").pk, "reason": "Reparado."}
        return count_write(lambda: as_tech.put(f"/api/tickets/change-state/{ticket.pk}/", payload, format="json"))

    # One statement over the common budget: the request pauses the ticket's resolution clock
    # and starts its approval clock (sla), an UPDATE of the ticket this path did not do before.
    measured = assert_write_constant(add_rows, write, "PUT change-state (final -> pending request)", budget=11)

    assert measured.response.json()["status"] == "pending_approval"


@pytest.mark.parametrize(
    ("payload", "label"),
    [
        ({"action": "approve"}, "PUT approve-state (approve)"),
        ({"action": "reject", "rejection_reason": "Falta la foto."}, "PUT approve-state (reject)"),
    ],
)
def test_decide_a_request(as_admin, admin_user, tech_user, client_user, add_rows, payload, label):
    def write():
        state_request = StateChangeRequestFactory(
            ticket__administrador=admin_user, ticket__tecnico=tech_user, ticket__cliente=client_user
        )
        path = f"/api/tickets/approve-state/{state_request.pk}/"
        return count_write(lambda: as_admin.put(path, payload, format="json"))

    measured = assert_write_constant(add_rows, write, label)

    assert measured.response.json()["ticket_id"]


def test_change_technician(as_admin, admin_user, tech_user, client_user, add_rows):
    other_tech = UserFactory(role=Role.TECH)

    def write():
        ticket = a_ticket(admin_user, tech_user, client_user)
        path = f"/api/tickets/change-technician/{ticket.pk}/"
        return count_write(lambda: as_admin.put(path, {"documento_tecnico": other_tech.document}, format="json"))

    measured = assert_write_constant(add_rows, write, "PUT change-technician")

    assert measured.response.json()["nuevo_tecnico"]["documento"] == other_tech.document


@pytest.mark.parametrize("by", ["admin", "client"])
def test_cancel(admin_user, tech_user, client_user, add_rows, by):
    client = client_for(admin_user if by == "admin" else client_user)

    def write():
        ticket = a_ticket(admin_user, tech_user, client_user, state="diagnosis")
        path = f"/api/tickets/cancel/{ticket.pk}/"
        return count_write(lambda: client.put(path, {"reason": "Ya no hace falta."}, format="json"))

    measured = assert_write_constant(add_rows, write, f"PUT cancel (by {by})")

    assert measured.response.json()["new_state"] == estado("canceled").nombre
