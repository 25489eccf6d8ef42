"""tickethelp.compiled: a change's writes as one statement on PostgreSQL, one by one elsewhere,
with the same rows written either way."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import Notification, NotificationType
from tests.factories import StateChangeRequestFactory, TicketFactory, UserFactory, estado
from tickethelp import compiled
from tickets.models import HistoryAction, RequestStatus, StateChangeRequest, Ticket, TicketHistory

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = connection.vendor == "postgresql"


def a_change(ticket: Ticket) -> tuple[list[compiled.Write], list[Notification]]:
    """A state change's writes: the ticket's UPDATE, its history row, two notifications."""
    ticket.estado = estado("diagnosis")
    history = TicketHistory(
        ticket=ticket, actor=ticket.tecnico, action=HistoryAction.STATE_CHANGED, description="Abierto → Diagnóstico."
    )
    tipo = NotificationType.objects.get(codigo="estado_cambiado")
    notifications = [
        Notification(
            usuario=user, ticket=ticket, tipo=tipo, titulo="Aviso", mensaje="Texto", datos_adicionales={"n": n}
        )
        for n, user in enumerate((ticket.cliente, ticket.tecnico))
    ]
    writes = [
        compiled.update(ticket, ["estado", "updated_at"]),
        compiled.insert([history]),
        compiled.insert(notifications),
    ]
    return writes, notifications


def test_a_change_is_written_in_one_statement_on_postgresql_and_one_by_one_elsewhere():
    # given a ticket last updated a day ago
    ticket = TicketFactory(estado=estado("open"))
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=timezone.now() - timedelta(days=1))
    writes, notifications = a_change(ticket)

    # when
    with CaptureQueriesContext(connection) as queries:
        compiled.run_together(writes)

    # then PostgreSQL got one statement (the others one per write), and the rows are written
    assert len(queries.captured_queries) == (1 if ON_POSTGRESQL else 3)
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.estado.codigo == "diagnosis"
    assert stored.updated_at > timezone.now() - timedelta(minutes=1)
    assert stored.updated_at == ticket.updated_at  # the instance has the time it wrote
    assert list(TicketHistory.objects.filter(ticket=ticket).values_list("description", "actor_id")) == [
        ("Abierto → Diagnóstico.", ticket.tecnico_id)
    ]
    # the last write's rows have their keys, in order, as bulk_create gives them
    assert all(notification.pk and not notification._state.adding for notification in notifications)
    assert {n.pk: (n.usuario_id, n.datos_adicionales) for n in Notification.objects.filter(ticket=ticket)} == {
        n.pk: (n.usuario_id, n.datos_adicionales) for n in notifications
    }


def test_update_all_and_update_write_what_the_orm_would():
    # given two pending requests (of two tickets)
    decided, cancelled = StateChangeRequestFactory(), StateChangeRequestFactory()
    admin = UserFactory(role="ADMIN")
    now = timezone.now()
    decided.status = RequestStatus.APPROVED
    decided.decided_by = admin
    decided.decided_at = now

    # when one write saves a decided request and another closes the pending ones of a ticket
    with CaptureQueriesContext(connection) as queries:
        compiled.run_together(
            [
                compiled.update(decided, ["status", "decided_by", "decided_at"]),
                compiled.update_all(
                    StateChangeRequest.objects.filter(ticket_id=cancelled.ticket_id, status=RequestStatus.PENDING),
                    status=RequestStatus.REJECTED,
                    decided_by=admin,
                    decided_at=now,
                    rejection_reason="El ticket fue cancelado.",
                ),
            ]
        )

    # then both applied
    assert len(queries.captured_queries) == (1 if ON_POSTGRESQL else 2)
    rows = StateChangeRequest.objects.order_by("pk").values_list(
        "status", "decided_by_id", "decided_at", "rejection_reason"
    )
    assert list(rows) == [
        (RequestStatus.APPROVED, admin.pk, now, ""),
        (RequestStatus.REJECTED, admin.pk, now, "El ticket fue cancelado."),
    ]


def test_nothing_to_write_runs_nothing():
    with CaptureQueriesContext(connection) as queries:
        compiled.run_together([])
        compiled.run_together([None])
    assert queries.captured_queries == []


@pytest.mark.parametrize("model", [Ticket, TicketHistory, StateChangeRequest, Notification])
def test_the_models_written_together_have_no_save_signal_receivers(model):
    # The PostgreSQL path sends no pre_save/post_save: a receiver added to one of these models
    # would silently not run there (then it must run in the service, or not go through here).
    assert not pre_save.has_listeners(model)
    assert not post_save.has_listeners(model)
