"""Background entry points of notification delivery (django-tasks), thin on purpose: each
calls its channel in `notifications.delivery` and, when the channel asks for a retry,
queues itself again after the back-off. Queued by `notifications.services`: with the write on
the database queue, after its commit on any other."""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connections, router
from django.db.models.expressions import RawSQL
from django.db.models.signals import pre_save
from django.utils import timezone
from django_tasks import task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import normalize_json, task_enqueued

from notifications.delivery import email, push
from tickethelp import compiled

logger = logging.getLogger(__name__)


def _later(task_, delay_seconds: float):
    """The task deferred by `delay_seconds`, or None when the backend cannot defer (the
    immediate backend of tests/dev would otherwise retry at once, in a loop)."""
    if delay_seconds <= 0:
        return task_
    if not task_.get_backend().supports_defer:
        return None
    return task_.using(run_after=timezone.now() + timedelta(seconds=delay_seconds))


def enqueue_email(notification_ids: Iterable[int], *, delay_seconds: float = 0) -> None:
    """One task for the batch's e-mails (a queued task is an INSERT: one per recipient cost
    a write one per recipient); each e-mail is still sent, retried and recorded on its own.
    Without deferral (immediate backend) a retry runs at once: bounded by
    NOTIFICATION_MAX_ATTEMPTS."""
    ids = list(notification_ids)
    if ids:
        deferred = _later(deliver_notifications, delay_seconds) or deliver_notifications
        deferred.enqueue(notification_ids=ids)


def enqueue_push(notification_ids: Iterable[int], *, delay_seconds: float = 0) -> None:
    """One task for a whole batch of notifications' pushes."""
    ids = sorted(set(notification_ids))
    deferred = _later(deliver_push, delay_seconds)
    if ids and deferred is not None:
        deferred.enqueue(notification_ids=ids)


def enqueue_deliveries(*, email_ids: Iterable[int], push_ids: Iterable[int]) -> None:
    """`enqueue_email` and `enqueue_push` of one write, due now. On the database queue both
    tasks are one INSERT (each queued on its own cost a statement apiece)."""
    email_ids, push_ids = list(email_ids), sorted(set(push_ids))
    queued = [
        (task_, {"notification_ids": ids})
        for task_, ids in ((deliver_notifications, email_ids), (deliver_push, push_ids))
        if ids
    ]
    backend = deliver_notifications.get_backend()
    if len(queued) == 2 and isinstance(backend, DatabaseBackend) and deliver_push.get_backend() is backend:
        _enqueue_in_one_insert(backend, queued)
    else:
        for task_, kwargs in queued:
            task_.enqueue(**kwargs)


def _task_rows(backend: DatabaseBackend, queued: list) -> list:
    """The rows `DatabaseBackend.enqueue` writes for these (task, kwargs), as it builds them."""
    from django_tasks_db.models import DBTaskResult  # a model: not imported before the apps are ready

    rows = []
    for task_, args_kwargs in queued:
        backend.validate_task(task_)
        row = DBTaskResult(
            id=backend._get_id(),  # private, but the backend's own id for a new task
            args_kwargs=args_kwargs,
            priority=task_.priority,
            task_path=task_.module_path,
            queue_name=task_.queue_name,
            run_after=task_.run_after,
            backend_name=backend.alias,
        )
        # bulk_create sends no pre_save; the backend's handler of it gives `run_after` its
        # "no deferral" value, and any other handler expects it as well.
        pre_save.send(sender=DBTaskResult, instance=row, raw=False, using=DBTaskResult.objects.db, update_fields=None)
        rows.append(row)
    return rows


def _announce(backend: DatabaseBackend, rows: list) -> None:
    for row in rows:
        task_enqueued.send(type(backend), task_result=row.task_result)


def _enqueue_in_one_insert(backend: DatabaseBackend, queued: list) -> None:
    """What `DatabaseBackend.enqueue` does for each task (same row, same signals), with the
    rows written by one bulk INSERT. The rows are what the worker claims, one by one, so
    each task still runs once."""
    rows = _task_rows(backend, [(task_, normalize_json({"args": [], "kwargs": kwargs})) for task_, kwargs in queued])
    type(rows[0])._default_manager.bulk_create(rows)
    _announce(backend, rows)


# A task's args_kwargs, as `enqueue` writes it, with the ids of the notifications the
# statement's `source` query inserts (`which` of them), ascending as the push task wants them.
IDS_OF_WRITTEN_NOTIFICATIONS = (
    "SELECT jsonb_build_object('args', '[]'::jsonb, 'kwargs', "
    "jsonb_build_object('notification_ids', jsonb_agg(id ORDER BY id))) FROM {source} WHERE {which}"
)


@dataclass(frozen=True)
class RidingDeliveries:
    """The delivery tasks of notifications written by the same statement (see `riding_on`)."""

    write: compiled.Write
    announce: Callable[[list[int], list[int]], None]  # (e-mail ids, push ids), once written


def riding_on(source: str, *, email: bool, push: bool) -> RidingDeliveries | None:
    """The INSERT of the e-mail and push tasks (`enqueue_deliveries`, due now) of the
    notifications that the WITH query `source` of the same statement inserts (returning
    their id, fecha_envio and push_pendiente): the ids are read there, in SQL, so the tasks
    go in the notifications' own statement (tickethelp.compiled). Only on the database queue
    on PostgreSQL (None elsewhere: queue with `enqueue_deliveries` once the ids are known)."""
    backend = deliver_notifications.get_backend()
    if not (email or push) or not isinstance(backend, DatabaseBackend) or deliver_push.get_backend() is not backend:
        return None
    from django_tasks_db.models import DBTaskResult

    if connections[router.db_for_write(DBTaskResult)].vendor != "postgresql":
        return None
    queued = [
        (task_, RawSQL(IDS_OF_WRITTEN_NOTIFICATIONS.format(source=source, which=which), []))  # noqa: S611 - no input in it
        for task_, which, wanted in (
            (deliver_notifications, "fecha_envio IS NULL", email),
            (deliver_push, "push_pendiente", push),
        )
        if wanted
    ]
    rows = _task_rows(backend, queued)

    def announce(email_ids: list[int], push_ids: list[int]) -> None:
        for row, ids in zip(
            rows,
            [ids for ids, wanted in ((sorted(email_ids), email), (sorted(set(push_ids)), push)) if wanted],
            strict=True,
        ):
            row.args_kwargs = normalize_json({"args": [], "kwargs": {"notification_ids": ids}})
        _announce(backend, rows)

    return RidingDeliveries(compiled.insert(rows), announce)


@task()
def deliver_notifications(*, notification_ids: list[int]) -> None:
    """The e-mails of one write, each delivered (and retried) on its own; one that crashes
    does not keep the others from going out, and the task still ends failed."""
    failure = None
    for notification_id in notification_ids:
        try:
            retry_in = email.notification_deliver(notification_id=notification_id)
        except Exception as exc:  # the rest of the batch still goes out
            logger.exception("Notification %s: delivery crashed", notification_id)
            failure = failure or exc
            continue
        if retry_in is not None:
            enqueue_email([notification_id], delay_seconds=retry_in)
    if failure is not None:
        raise failure


@task()
def deliver_notification(*, notification_id: int) -> None:
    """One e-mail: tasks queued before deliver_notifications existed."""
    retry_in = email.notification_deliver(notification_id=notification_id)
    if retry_in is not None:
        enqueue_email([notification_id], delay_seconds=retry_in)


@task()
def deliver_push(*, notification_ids: list[int]) -> None:
    """Write the pushes' delivery rows, send what is due, and come back for the rest (the
    back-off of a failed batch) and, later, for Expo's receipts."""
    push.push_prepare(notification_ids=notification_ids)
    sent, retry_in = push.push_send(notification_ids=notification_ids)
    if retry_in is not None:
        enqueue_push(notification_ids, delay_seconds=max(retry_in, 1))
    if sent:
        receipts = _later(check_push_receipts, settings.PUSH_RECEIPT_DELAY_SECONDS)
        if receipts is not None:
            receipts.enqueue()


@task()
def check_push_receipts() -> None:
    push.push_check_receipts()
