"""Decisions that must happen once, under real concurrency on PostgreSQL.

Each thread uses its own database connection (closed at the end of the thread) and all of
them start together at a barrier, so the row locks of the services are what serialises them.
"""

import threading
import time
from collections import Counter

import pytest
from django.db import connection, transaction

from notifications.models import Notification
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


def _waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0] > 0


def while_the_row_changes_under_its_lock(ticket: Ticket, change, write):
    """Run `write()` in a thread while another transaction holds the ticket's lock and makes
    `change(ticket_id)`; that transaction commits only once `write` waits for the lock, so the
    write's locking read is re-checked by PostgreSQL against the changed row. Returns what
    `write` returned (or raised)."""
    locked, release = threading.Event(), threading.Event()
    outcome: list = []

    def holder() -> None:
        try:
            with transaction.atomic():
                list(Ticket.objects.select_for_update().filter(pk=ticket.pk).values_list("pk"))
                change(ticket.pk)
                locked.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    def writer() -> None:
        try:
            outcome.append(write())
        except Exception as exc:
            outcome.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=holder), threading.Thread(target=writer)]
    threads[0].start()
    assert locked.wait(timeout=10)
    threads[1].start()
    deadline = time.monotonic() + 10
    while not _waiting_for_a_lock() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _waiting_for_a_lock(), "the write never waited for the ticket's lock"
    release.set()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return outcome[0]


@pytest.mark.postgresql(reason="row locks: PostgreSQL re-checks a waiting SELECT … FOR UPDATE against the new row")
@pytest.mark.django_db(transaction=True)
def test_a_state_change_waiting_for_a_state_change_reads_the_new_state():
    # given a ticket in "open" of a technician
    tech = UserFactory(role=Role.TECH)
    ticket = TicketFactory(tecnico=tech, estado=estado("open"))

    # when the technician moves it to "in_repair" while another transaction moves it to
    # "diagnosis" under the lock (the state the locking read had joined is no longer its state)
    outcome = while_the_row_changes_under_its_lock(
        ticket,
        lambda pk: Ticket.objects.filter(pk=pk).update(estado=estado("diagnosis")),
        lambda: services.ticket_change_state(ticket_id=ticket.pk, actor=tech, to_state_id=estado("in_repair").pk),
    )

    # then the write found the ticket and moved it from the state it was really in
    assert isinstance(outcome, services.StateChangeOutcome), outcome
    assert outcome.ticket.estado.codigo == "in_repair"
    history = TicketHistory.objects.get(ticket=ticket)
    assert (history.from_state.codigo, history.to_state.codigo) == ("diagnosis", "in_repair")
    assert Ticket.objects.get(pk=ticket.pk).estado.codigo == "in_repair"


@pytest.mark.postgresql(reason="row locks: PostgreSQL re-checks a waiting SELECT … FOR UPDATE against the new row")
@pytest.mark.django_db(transaction=True)
def test_a_reassignment_waiting_for_a_reassignment_names_the_technician_it_replaced():
    # given a ticket of technician A, and technicians B and C
    first, second, third = UserFactory.create_batch(3, role=Role.TECH)
    admin = UserFactory(role=Role.ADMIN)
    ticket = TicketFactory(tecnico=first, estado=estado("open"))

    # when an admin reassigns it to C while another transaction gives it to B under the lock
    # (the technician the locking read had joined is no longer its technician)
    outcome = while_the_row_changes_under_its_lock(
        ticket,
        lambda pk: Ticket.objects.filter(pk=pk).update(tecnico=second),
        lambda: services.ticket_change_technician(ticket_id=ticket.pk, actor=admin, tecnico=third),
    )

    # then the change is recorded from B to C, and B (not A) is told the ticket left them
    assert isinstance(outcome, Ticket), outcome
    history = TicketHistory.objects.get(ticket=ticket)
    assert history.description == f"Técnico cambiado: {second.get_full_name()} → {third.get_full_name()}."
    told = Notification.objects.filter(ticket=ticket, tipo__codigo="tecnico_cambiado")
    assert sorted(told.values_list("usuario_id", flat=True)) == sorted([second.pk, third.pk])
    assert Ticket.objects.get(pk=ticket.pk).tecnico_id == third.pk
