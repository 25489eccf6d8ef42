"""ticket_create on PostgreSQL: the ticket's id is drawn with its initial state, so its INSERT
goes in one statement with its history, its notifications and their delivery tasks."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Notification
from tests.factories import UserFactory, estado
from tickets import services
from tickets.models import HistoryAction, Ticket, TicketHistory, ticket_code_for
from users.models import Role

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgresql(reason="the id drawn from the sequence, the writes in one WITH: PostgreSQL's path"),
]

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_a_new_ticket_is_written_with_its_history_notifications_and_tasks_in_one_statement(settings):
    # given the database task queue, an admin, a client and a technician
    settings.TASKS = DB_TASKS
    admin, client, tech = UserFactory(role=Role.ADMIN), UserFactory(role=Role.CLIENT), UserFactory(role=Role.TECH)

    # when the admin opens a ticket for the technician
    with CaptureQueriesContext(connection) as queries:
        ticket = services.ticket_create(
            actor=admin, cliente=client, tecnico=tech, titulo="No enciende", descripcion="x"
        )

    # then three statements: the state with the next id, the notification types with the
    # recipients' choices, and every write of the change together
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 3, statements
    assert statements[0].startswith('SELECT "tickets_estado"')
    assert "nextval" in statements[0]
    together = statements[2]
    for table in ("tickets_ticket", "tickets_tickethistory", "notifications_notification"):
        assert f'INSERT INTO "{table}"' in together
    assert 'INSERT INTO "django_tasks_database_dbtaskresult"' in together
    # and the ticket is as a save() would have left it, its code the one the database's trigger gives
    assert not ticket._state.adding
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.code == ticket.code == ticket_code_for(ticket.pk)
    assert (stored.estado, stored.tecnico_id, stored.cliente_id) == (estado("open"), tech.pk, client.pk)
    assert TicketHistory.objects.get(ticket=ticket).action == HistoryAction.CREATED
    assert set(Notification.objects.filter(ticket=ticket).values_list("usuario_id", flat=True)) == {client.pk, tech.pk}
