"""TicketCount: kept exact by the database triggers, whatever changes the tickets, and used
for list totals and technician loads instead of counting the tickets."""

import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from tests.conftest import client_for
from tests.factories import TicketFactory, UserFactory, estado
from tickets import services
from tickets.models import Ticket, TicketCount
from users.models import Role

pytestmark = pytest.mark.django_db


def counted() -> dict:
    """{(tecnico_id, estado_id): total} from the counters, zero rows left out."""
    return {(row.tecnico_id, row.estado_id): row.total for row in TicketCount.objects.all() if row.total}


def actual() -> dict:
    rows = Ticket.objects.order_by().values("tecnico_id", "estado_id").annotate(n=Count("id"))
    return {(row["tecnico_id"], row["estado_id"]): row["n"] for row in rows}


def test_every_kind_of_ticket_change_keeps_the_counters_exact(admin_user, tech_user, client_user):
    other_tech = UserFactory(role=Role.TECH)
    # given tickets created through the service, assigned and not
    first = services.ticket_create(
        actor=admin_user, cliente=client_user, titulo="a", descripcion="b", tecnico=tech_user
    )
    second = services.ticket_create(
        actor=admin_user, cliente=client_user, titulo="c", descripcion="d", auto_assign=False
    )
    third = services.ticket_create(
        actor=admin_user, cliente=client_user, titulo="e", descripcion="f", tecnico=tech_user
    )
    assert counted() == actual() == {(tech_user.pk, 1): 2, (None, 1): 1}

    # when they change technician, state, go through an approval, get cancelled and deleted
    services.ticket_change_technician(ticket_id=second.pk, actor=admin_user, tecnico=other_tech)
    services.ticket_change_state(ticket_id=first.pk, actor=tech_user, to_state_id=2)
    outcome = services.ticket_change_state(ticket_id=first.pk, actor=tech_user, to_state_id=4)
    services.state_request_decide(request_id=outcome.request.pk, actor=admin_user, approve=True)
    services.ticket_cancel(ticket_id=third.pk, actor=admin_user)
    Ticket.objects.filter(pk=second.pk).update(estado=estado("in_repair"))  # a bulk update (admin, SQL)
    TicketFactory(tecnico=other_tech, estado=estado("diagnosis"))
    Ticket.objects.filter(pk=third.pk).delete()

    # then the counters still match the tickets exactly
    assert counted() == actual() == {(tech_user.pk, 4): 1, (other_tech.pk, 3): 1, (other_tech.pk, 2): 1}


def test_recount_repairs_counters_that_drifted(tech_user):
    # given counters that no longer match (e.g. rows loaded with triggers disabled)
    TicketFactory.create_batch(3, tecnico=tech_user)
    TicketCount.objects.update(total=99)
    TicketCount.objects.create(tecnico=None, estado=estado("canceled"), total=7)

    # when an operator recounts
    call_command("recount_tickets", stdout=io.StringIO())

    # then they are exact again
    assert counted() == actual() == {(tech_user.pk, 1): 3}


@pytest.mark.parametrize(
    "query",
    ["", "?estado=2", "?es_final=false", "?es_final=true", "?estado_codigo=open", "?sin_tecnico=true", "TECH"],
)
def test_list_totals_come_from_the_counters_and_match_the_tickets(as_admin, tech_user, query):
    # given tickets in several states, with and without technician
    TicketFactory.create_batch(3, tecnico=tech_user)
    TicketFactory.create_batch(2, tecnico=tech_user, estado=estado("diagnosis"))
    TicketFactory.create_batch(2, tecnico=None, estado=estado("finalized"))
    TicketFactory(tecnico=UserFactory(role=Role.TECH))
    if query == "TECH":
        query = f"?tecnico={tech_user.document}&es_final=false"
    expected = {
        "": 8,
        "?estado=2": 2,
        "?es_final=false": 6,
        "?es_final=true": 2,
        "?estado_codigo=open": 4,
        "?sin_tecnico=true": 2,
    }.get(query, 5)

    # when the list is read
    with CaptureQueriesContext(connection) as queries:
        response = as_admin.get(f"/api/tickets/{query}")

    # then the total is right and no query counted the tickets table
    assert response.status_code == 200
    assert response.json()["total_tickets"] == expected
    assert not [q for q in queries.captured_queries if 'COUNT(*) AS "__count" FROM "tickets_ticket"' in q["sql"]]


def test_filters_the_counters_cannot_answer_still_count_the_tickets(as_admin, tech_user):
    # given tickets of two priorities
    TicketFactory.create_batch(2, tecnico=tech_user, priority="high")
    TicketFactory(tecnico=tech_user, priority="low")

    # when filtering by priority (not in the counters) together with a countable filter
    response = as_admin.get(f"/api/tickets/?priority=high&tecnico={tech_user.document}")

    # then the total is the real count
    assert response.json()["total_tickets"] == 2


def test_consulta_of_a_technician_counts_from_the_counters(tech_user):
    # given a technician's open and closed tickets, and someone else's
    TicketFactory.create_batch(2, tecnico=tech_user)
    TicketFactory(tecnico=tech_user, estado=estado("finalized"))
    TicketFactory(tecnico=UserFactory(role=Role.TECH))

    # when the technician reads their tickets
    response = client_for(tech_user).get("/api/tickets/consulta/")

    # then the total is theirs
    assert response.json()["total_tickets"] == 3


def test_technician_loads_come_from_the_counters(as_admin, tech_user):
    # given a busy technician and an idle one
    idle = UserFactory(role=Role.TECH, last_name="Zz")
    TicketFactory.create_batch(3, tecnico=tech_user)
    TicketFactory(tecnico=tech_user, estado=estado("finalized"))

    # when the loads are read
    body = as_admin.get("/api/tickets/active-technicians/").json()
    least_busy = as_admin.get("/api/tickets/least-busy-technician/").json()

    # then open and total tickets are per technician
    loads = {row["document"]: (row["tickets_abiertos"], row["total_tickets"]) for row in body["tecnicos"]}
    assert loads == {tech_user.document: (3, 4), idle.document: (0, 0)}
    assert least_busy["document"] == idle.document


@pytest.mark.django_db(transaction=True)
def test_concurrent_reassignments_in_opposite_directions_keep_exact_counts():
    # given two technicians with tickets, and admins moving tickets between them both ways at once
    admin = UserFactory(role=Role.ADMIN)
    tech_a, tech_b = UserFactory(role=Role.TECH), UserFactory(role=Role.TECH)
    a_tickets = TicketFactory.create_batch(6, tecnico=tech_a)
    b_tickets = TicketFactory.create_batch(6, tecnico=tech_b)
    errors = []

    def move(tickets, to):
        try:
            for ticket in tickets:
                services.ticket_change_technician(ticket_id=ticket.pk, actor=admin, tecnico=to)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=move, args=(a_tickets, tech_b)),
        threading.Thread(target=move, args=(b_tickets, tech_a)),
    ]

    # when they run concurrently
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then nothing failed (no deadlock) and the counters match
    assert errors == []
    assert counted() == actual() == {(tech_a.pk, 1): 6, (tech_b.pk, 1): 6}
