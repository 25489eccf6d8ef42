"""tickethelp.compiled: a change's writes as one statement on PostgreSQL, one by one elsewhere,
with the same rows written either way."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Exists
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import Notification, NotificationType
from tests.factories import StateChangeRequestFactory, TicketFactory, UserFactory, estado
from tickethelp import compiled
from tickets.models import Estado, HistoryAction, RequestStatus, StateChangeRequest, Ticket, TicketHistory

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


# --- CompiledQuery ---------------------------------------------------------------------------

TICKET_WITH_RELATIONS = ("estado", "tecnico", "cliente", "administrador")


def the_orms(ticket_id: int) -> Ticket | None:
    return Ticket.objects.select_related(*TICKET_WITH_RELATIONS).filter(pk=ticket_id).first()


def described(ticket: Ticket) -> dict:
    """Every field of the ticket and of each loaded relation (None for an empty one)."""

    def fields(obj):
        return None if obj is None else {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}

    assert all(ticket._meta.get_field(name).is_cached(ticket) for name in TICKET_WITH_RELATIONS)
    return {"ticket": fields(ticket), **{name: fields(getattr(ticket, name)) for name in TICKET_WITH_RELATIONS}}


def test_a_compiled_query_gives_the_rows_the_orm_gives_for_each_call():
    # given a ticket with every relation, one without technician nor admin
    full = TicketFactory(estado=estado("in_repair"), administrador=UserFactory(role="ADMIN"))
    bare = TicketFactory(estado=estado("open"), tecnico=None, administrador=None)
    query = compiled.CompiledQuery(
        lambda ticket_id: Ticket.objects.select_related(*TICKET_WITH_RELATIONS).filter(pk=ticket_id).order_by()
    )

    # when it is read for each ticket, and for one that does not exist
    with CaptureQueriesContext(connection) as queries:
        found = [query.first(full.pk), query.first(bare.pk), query.first(bare.pk + 1000)]

    # then each call ran one statement with its own argument, and the instances are the ORM's
    assert len(queries.captured_queries) == 3
    assert found[2] is None
    assert [described(ticket) for ticket in found[:2]] == [described(the_orms(full.pk)), described(the_orms(bare.pk))]
    assert (found[1].tecnico, found[1].administrador) == (None, None)
    assert not found[0]._state.adding


def test_a_compiled_query_compiles_once_and_keeps_constants_and_annotations():
    # given a state and a ticket with a pending request, one without
    pending = StateChangeRequestFactory()
    other = TicketFactory()
    query = compiled.CompiledQuery(
        lambda estado_id, ticket_id: (
            Estado.objects.filter(pk=estado_id)
            .annotate(
                has_pending=Exists(StateChangeRequest.objects.filter(ticket_id=ticket_id, status=RequestStatus.PENDING))
            )
            .order_by("pk")[:1]
        )
    )
    compiles = []
    real_compile = query._compile
    query._compile = lambda using: compiles.append(using) or real_compile(using)

    # when it is asked three times with different arguments
    first = query.first(estado("finalized").pk, pending.ticket_id)
    second = query.first(estado("open").pk, other.pk)
    third = query.first(estado("open").pk, pending.ticket_id)

    # then it was compiled once, each answer is its arguments' (the constant 'pending' kept)
    assert compiles == ["default"]
    assert [(first.codigo, first.has_pending), (second.codigo, second.has_pending), (third.has_pending)] == [
        ("finalized", True),
        ("open", False),
        True,
    ]


def test_a_query_whose_argument_does_not_reach_the_sql_is_refused():
    query = compiled.CompiledQuery(lambda ticket_id: Ticket.objects.filter(pk=1))
    with pytest.raises(ValueError, match="each argument must appear once"):
        query.first(5)


@pytest.mark.parametrize("ticket_id", [2**63, -(2**63) - 1, 10**25])
def test_an_argument_no_column_holds_finds_nothing_as_with_the_orm(ticket_id):
    # given an id from a URL that no integer column can hold
    TicketFactory()
    query = compiled.CompiledQuery(lambda ticket_id: Ticket.objects.filter(pk=ticket_id).order_by())

    # then the answer is the ORM's: nothing (no overflow error)
    assert query.first(ticket_id) is None


def test_rows_inserted_with_their_own_keys_are_left_saved_as_bulk_create_leaves_them():
    # given a history row with its key chosen beforehand, written before another write
    ticket = TicketFactory()
    keyed = TicketHistory(
        pk=(TicketHistory.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000,
        ticket=ticket,
        actor=ticket.tecnico,
        action=HistoryAction.STATE_CHANGED,
        description="keyed",
    )
    other = TicketHistory(ticket=ticket, actor=ticket.tecnico, action=HistoryAction.STATE_CHANGED, description="other")

    # when both are written together (the last one gets its key from the database)
    compiled.run_together([compiled.insert([keyed]), compiled.insert([other])])

    # then both instances are saved rows of this database
    for row in (keyed, other):
        assert row._state.adding is False
        assert row._state.db == connection.alias
    assert other.pk is not None
