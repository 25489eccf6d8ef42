"""notifications.tasks.enqueue_deliveries: a write's e-mail and push tasks, queued together."""

from contextlib import nullcontext

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.compat import task_enqueued
from django_tasks_db.models import DBTaskResult, get_date_max

from notifications import services, tasks
from notifications.models import NotificationPreference, NotificationType
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def enqueued():
    """The task results the `task_enqueued` signal announced."""
    seen = []

    def receiver(sender, task_result, **kwargs):
        seen.append(task_result)

    task_enqueued.connect(receiver)
    yield seen
    task_enqueued.disconnect(receiver)


def test_on_the_database_queue_both_tasks_are_one_insert(settings, enqueued):
    # given the database task queue
    settings.TASKS = DB_TASKS

    # when a write queues its e-mails and its pushes
    with CaptureQueriesContext(connection) as queries:
        tasks.enqueue_deliveries(email_ids=[3, 1], push_ids=[2, 1, 2])

    # then one INSERT wrote both rows, as the backend's own enqueue would have (ready now,
    # the push ids sorted and unique), and each was announced
    assert len(queries.captured_queries) == 1
    assert queries.captured_queries[0]["sql"].startswith("INSERT")
    rows = {row.task_path: row for row in DBTaskResult.objects.all()}
    assert {path: row.args_kwargs for path, row in rows.items()} == {
        "notifications.tasks.deliver_notifications": {"args": [], "kwargs": {"notification_ids": [3, 1]}},
        "notifications.tasks.deliver_push": {"args": [], "kwargs": {"notification_ids": [1, 2]}},
    }
    assert {(row.status, row.run_after, row.queue_name, row.backend_name) for row in rows.values()} == {
        ("READY", get_date_max(), "default", "default")
    }
    assert set(DBTaskResult.objects.ready().values_list("task_path", flat=True)) == set(rows)
    assert sorted(result.id for result in enqueued) == sorted(str(row.id) for row in rows.values())


@pytest.mark.parametrize(
    ("email_ids", "push_ids", "queued"),
    [
        ([1], [], {"notifications.tasks.deliver_notifications"}),
        ([], [1], {"notifications.tasks.deliver_push"}),
        ([], [], set()),
    ],
)
def test_one_kind_alone_is_queued_as_the_backend_queues_it(settings, email_ids, push_ids, queued):
    settings.TASKS = DB_TASKS

    with CaptureQueriesContext(connection) as queries:
        tasks.enqueue_deliveries(email_ids=email_ids, push_ids=push_ids)

    assert len(queries.captured_queries) == len(queued)
    assert set(DBTaskResult.objects.values_list("task_path", flat=True)) == queued


def test_another_backend_runs_each_task_as_it_always_did(monkeypatch):
    # given the immediate backend of development and tests
    ran = []
    monkeypatch.setattr(
        tasks.email, "notification_deliver", lambda notification_id: ran.append(("email", notification_id))
    )
    monkeypatch.setattr(tasks.push, "push_prepare", lambda notification_ids: ran.append(("prepare", notification_ids)))
    monkeypatch.setattr(tasks.push, "push_send", lambda notification_ids: (0, None))

    # when
    tasks.enqueue_deliveries(email_ids=[5], push_ids=[6])

    # then both ran at once, nothing was written to the task table
    assert ran == [("email", 5), ("prepare", [6])]
    assert not DBTaskResult.objects.exists()


@pytest.mark.postgresql(reason="the tasks ride in the notifications' statement on PostgreSQL only")
@pytest.mark.parametrize("in_a_transaction", [True, False])
def test_the_tasks_of_a_write_go_in_its_notifications_statement(settings, enqueued, in_a_transaction):
    # given the database task queue and three recipients: one without pushes, one without e-mail
    settings.TASKS = DB_TASKS
    users = UserFactory.create_batch(3)
    tipo = NotificationType.objects.get(codigo="estado_cambiado")
    NotificationPreference.objects.create(usuario=users[1], tipo=tipo, email=True, push=False)
    NotificationPreference.objects.create(usuario=users[2], tipo=tipo, email=False, push=True)

    # when they are notified
    with CaptureQueriesContext(connection) as queries, transaction.atomic() if in_a_transaction else nullcontext():
        rows = services.notify(codigo="estado_cambiado", recipients=users, titulo="Aviso", mensaje="Texto")

    # then two statements: the types with the choices, and the notifications with their tasks
    statements = [query["sql"] for query in queries.captured_queries if "SAVEPOINT" not in query["sql"]]
    assert len(statements) == 2
    assert 'INSERT INTO "django_tasks_database_dbtaskresult"' in statements[1]
    by_user = {row.usuario_id: row.pk for row in rows}
    assert len(by_user) == 3
    assert all(by_user.values())
    # each task names exactly its notifications, as enqueue_deliveries would have
    stored = {row.task_path: row.args_kwargs for row in DBTaskResult.objects.all()}
    assert stored == {
        "notifications.tasks.deliver_notifications": {
            "args": [],
            "kwargs": {"notification_ids": sorted([by_user[users[0].pk], by_user[users[1].pk]])},
        },
        "notifications.tasks.deliver_push": {
            "args": [],
            "kwargs": {"notification_ids": sorted([by_user[users[0].pk], by_user[users[2].pk]])},
        },
    }
    assert set(DBTaskResult.objects.ready().values_list("task_path", flat=True)) == set(stored)
    assert {result.task.module_path: result.kwargs for result in enqueued} == {
        path: args["kwargs"] for path, args in stored.items()
    }
