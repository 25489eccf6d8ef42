"""Decisions that must happen once, under real concurrency on PostgreSQL.

Each thread uses its own database connection (closed at the end of the thread) and all of
them start together at a barrier, so the row locks of the services are what serialises them.
"""

import threading
from collections import Counter

import pytest
from django.db import connection

from tests.conftest import client_for
from tests.factories import StateChangeRequestFactory, TicketFactory, UserFactory, estado
from tickets import services
from tickets.models import RequestStatus, StateChangeRequest, Ticket, TicketHistory
from users.models import Role

THREADS = 8


def run_together(work) -> list:
    """Run work(i) in THREADS threads started at once; returns their results (or exceptions)."""
    barrier = threading.Barrier(THREADS)
    results: list = [None] * THREADS

    def target(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = work(index)
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_approvals_and_rejections_decide_a_request_once():
    # given a pending request and eight admins, half approving and half rejecting
    state_request = StateChangeRequestFactory()
    admins = UserFactory.create_batch(THREADS, role=Role.ADMIN)
    clients = [client_for(admin) for admin in admins]

    def decide(index: int) -> int:
        body = {"action": "approve"} if index % 2 == 0 else {"action": "reject", "rejection_reason": "No"}
        return clients[index].put(f"/api/tickets/approve-state/{state_request.pk}/", body, format="json").status_code

    # when they all decide at the same moment
    statuses = run_together(decide)

    # then exactly one decision is taken, the others are told it was already decided
    assert Counter(statuses) == {200: 1, 409: THREADS - 1}, statuses
    state_request.refresh_from_db()
    winner = statuses.index(200)
    assert state_request.decided_by == admins[winner]
    assert TicketHistory.objects.filter(ticket=state_request.ticket).count() == 1
    ticket = Ticket.objects.select_related("estado").get(pk=state_request.ticket_id)
    if state_request.status == RequestStatus.APPROVED:
        assert winner % 2 == 0
        assert ticket.estado.codigo == "finalized"
    else:
        assert winner % 2 == 1
        assert ticket.estado.codigo == "in_repair"


@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_final_state_requests_leave_one_pending():
    tech = UserFactory(role=Role.TECH)
    ticket = TicketFactory(tecnico=tech, estado=estado("in_repair"))
    clients = [client_for(tech) for _ in range(THREADS)]

    statuses = run_together(
        lambda i: clients[i].put(f"/api/tickets/change-state/{ticket.pk}/", {"to_state": 4}, format="json").status_code
    )

    assert Counter(statuses) == {200: 1, 409: THREADS - 1}, statuses
    assert StateChangeRequest.objects.filter(ticket=ticket, status=RequestStatus.PENDING).count() == 1


@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_creations_get_distinct_codes_and_spread_the_load():
    # given two idle technicians and one client
    admin = UserFactory(role=Role.ADMIN)
    client = UserFactory(role=Role.CLIENT)
    techs = UserFactory.create_batch(2, role=Role.TECH)

    def create(index: int) -> Ticket:
        return services.ticket_create(actor=admin, cliente=client, titulo=f"Concurrente {index}", descripcion="x")

    # when eight tickets are created at once (each auto-assigned)
    results = run_together(create)

    # then every ticket has its own code, and the least-busy rule saw the others' tickets
    assert not [r for r in results if isinstance(r, Exception)], results
    codes = list(Ticket.objects.values_list("code", flat=True))
    assert len(codes) == THREADS
    assert len(set(codes)) == THREADS
    assert all(code and code.startswith("TK-") for code in codes)
    assert Counter(Ticket.objects.values_list("tecnico_id", flat=True)) == {techs[0].pk: 4, techs[1].pk: 4}
