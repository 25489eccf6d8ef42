"""Writes on notifications: one row per recipient per event, delivered by background tasks.

Rows are written inside the caller's transaction (they commit or roll back with the change
that caused them); the channels of each row (in-app always; e-mail and push per the user's
preferences over the type's defaults) are decided here, and their delivery tasks are queued
only after that commit. The flow is one-way: services -> tasks -> delivery (per channel).
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend

from notifications import preferences, tasks
from notifications.models import (
    DeliveryStatus,
    Notification,
    NotificationStatus,
    NotificationType,
    PushDelivery,
)
from tickethelp import compiled
from tickethelp.exceptions import NotFound
from users.models import Role, User

logger = logging.getLogger(__name__)

# Notifications per re-queued push task (each task sends its pushes 100 per request).
PUSH_TASK_CHUNK = 500


@dataclass(frozen=True)
class Announcement:
    """One event's message to its recipients (one notification each)."""

    codigo: str
    recipients: Iterable[User | None]
    titulo: str
    mensaje: str
    datos: dict | None = None


def notify_all(
    announcements: Sequence[Announcement], *, ticket=None, along: Sequence[compiled.Write] = ()
) -> list[Notification]:
    """Every announcement's notifications in one INSERT (their types and the recipients'
    channel preferences read in one query): one row per distinct active recipient of each.
    The caller's own writes of the change (`along`: the ticket's UPDATE, its history row)
    and, on the database queue, the delivery tasks go in that same statement
    (tickethelp.compiled) on PostgreSQL; `along` runs alone when nobody is notified. The
    tasks are one for the e-mails and one for the pushes; on other queues or databases they
    are queued as `_queue_with_the_write` says. A row without e-mail is delivered by being
    written (ENVIADA), so nothing waits for a mail forever."""
    now = timezone.now()
    recipients: list[tuple[Announcement, list[User]]] = []
    for announcement in announcements:
        unique: dict[int, User] = {}
        for user in announcement.recipients:
            if user is not None and user.is_active:
                unique.setdefault(user.pk, user)
        recipients.append((announcement, list(unique.values())))
    types, channels = preferences.types_with_channels(
        codigos={announcement.codigo for announcement in announcements},
        user_ids=[user.pk for _, users in recipients for user in users],
    )
    pending = []
    for announcement, users in recipients:
        tipo = types.get(announcement.codigo)
        if tipo is None:
            raise NotificationType.DoesNotExist(f"Unknown notification type {announcement.codigo!r}.")
        if not tipo.es_activo:
            continue
        for user in users:
            chosen = channels[(user.pk, tipo.pk)]
            pending.append(
                Notification(
                    usuario=user,
                    ticket=ticket,
                    tipo=tipo,
                    titulo=announcement.titulo[:200],
                    mensaje=announcement.mensaje,
                    datos_adicionales=announcement.datos or {},
                    push_pendiente=chosen.push,
                    **({} if chosen.email else {"estado": NotificationStatus.ENVIADA, "fecha_envio": now}),
                )
            )
    if not pending:
        compiled.run_together(along)
        return []
    written = compiled.insert(pending, name="notifications", returning=["fecha_envio", "push_pendiente"])
    # On the database queue on PostgreSQL the delivery tasks are in the same statement too:
    # committed with the notifications, never without them (in a transaction or not).
    riding = tasks.riding_on(
        "notifications",
        email=any(row.fecha_envio is None for row in pending),
        push=any(row.push_pendiente for row in pending),
    )
    compiled.run_together([*along, written, riding.write if riding else None], keys_of=written)
    email_ids = [row.pk for row in pending if row.fecha_envio is None]
    push_ids = [row.pk for row in pending if row.push_pendiente]
    if riding:
        riding.announce(email_ids, push_ids)
    elif email_ids or push_ids:
        _queue_with_the_write(email_ids, push_ids)
    return pending


def notify(
    *,
    codigo: str,
    recipients: Iterable[User | None],
    titulo: str,
    mensaje: str,
    ticket=None,
    datos: dict | None = None,
) -> list[Notification]:
    """One announcement (see `notify_all`)."""
    return notify_all([Announcement(codigo, recipients, titulo, mensaje, datos)], ticket=ticket)


def notify_account(*, user: User, kind: str, titulo: str, mensaje: str) -> list[Notification]:
    """An account notification (bienvenida, password_reset), registered with users.services."""
    return notify(codigo=kind, recipients=[user], titulo=titulo, mensaje=mensaje, datos={"evento": kind})


def _queue_with_the_write(email_ids: list[int], push_ids: list[int]) -> None:
    """The deliveries of a write's notifications run after its commit, whichever the queue.

    On the database queue (production) the tasks are written in the write's own
    transaction: the worker cannot see them before the commit, a rolled-back write leaves
    no task, and the write commits once (queued after commit, each task's INSERT was a
    transaction of its own). Any other queue (the in-process one of development and tests
    runs a task at once) is handed the tasks after commit."""
    if transaction.get_connection().in_atomic_block and isinstance(
        tasks.deliver_notifications.get_backend(), DatabaseBackend
    ):
        queue_delivery(email_ids, push_ids)
    else:
        transaction.on_commit(lambda: queue_delivery(email_ids, push_ids))


def queue_delivery(email_ids: Iterable[int], push_ids: Iterable[int] = ()) -> None:
    """Hand notifications to the task queue: one task for the e-mails, one for the pushes,
    queued together (one INSERT on the database queue)."""
    tasks.enqueue_deliveries(email_ids=email_ids, push_ids=push_ids)


def active_admins() -> list[User]:
    return list(User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk"))


# --- Recovery ------------------------------------------------------------------------------


def notifications_requeue(*, failed: bool = True, pending_older_than: timedelta | None = None, ids=None) -> int:
    """Queue again e-mails that never went out: FALLIDA ones (attempts reset) and, optionally,
    PENDIENTE ones older than `pending_older_than` (their task was lost, e.g. a worker died)."""
    undelivered = Notification.objects.filter(fecha_envio__isnull=True)
    if ids is not None:
        undelivered = undelivered.filter(pk__in=list(ids))
    selection = Q(pk__in=[])
    if failed:
        selection |= Q(estado=NotificationStatus.FALLIDA)
    if pending_older_than is not None:
        selection |= Q(
            estado__in=[NotificationStatus.PENDIENTE, NotificationStatus.LEIDA],
            fecha_creacion__lt=timezone.now() - pending_older_than,
        )
    with transaction.atomic():
        chosen = list(undelivered.filter(selection).select_for_update(skip_locked=True).values_list("pk", flat=True))
        Notification.objects.filter(pk__in=chosen, estado=NotificationStatus.FALLIDA).update(
            estado=NotificationStatus.PENDIENTE
        )
        Notification.objects.filter(pk__in=chosen).update(intentos=0)
        transaction.on_commit(lambda: tasks.enqueue_email(chosen))
    return len(chosen)


def pushes_requeue(*, older_than: timedelta) -> int:
    """Queue again the pushes a lost task left behind (e.g. a worker killed mid-send): the
    notifications whose delivery rows were never written, and PENDIENTE pushes. A push still
    claimed (or backing off) is queued for when it is due, so a restart right after a kill
    recovers it too. Safe to repeat: a push claimed by a live worker is not due until that
    worker is done with it, and a sent one is no longer PENDIENTE."""
    now = timezone.now()
    due_at: dict[int, datetime] = dict.fromkeys(
        Notification.objects.filter(push_pendiente=True, fecha_creacion__lt=now - older_than).values_list(
            "pk", flat=True
        ),
        now,
    )
    for notification_id, due in PushDelivery.objects.filter(
        estado=DeliveryStatus.PENDIENTE, fecha_creacion__lt=now - older_than
    ).values_list("notification_id", "proximo_intento"):
        due = max(due or now, now)
        due_at[notification_id] = min(due_at.get(notification_id, due), due)
    ids = sorted(due_at, key=lambda pk: (due_at[pk], pk))
    for start in range(0, len(ids), PUSH_TASK_CHUNK):
        chunk = ids[start : start + PUSH_TASK_CHUNK]
        # Each task is due with the first of its pushes; it comes back for the later ones.
        tasks.enqueue_push(chunk, delay_seconds=(due_at[chunk[0]] - now).total_seconds())
    return len(ids)


# --- Reading -------------------------------------------------------------------------------


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("tipo", "ticket")
            .filter(pk=notification_id, usuario=user)
            .first()
        )
        if notification is None:
            raise NotFound("Notificación no encontrada.", code="notification_not_found")
        if notification.fecha_lectura is None:
            notification.fecha_lectura = timezone.now()
            notification.estado = NotificationStatus.LEIDA
            notification.save(update_fields=["fecha_lectura", "estado"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(usuario=user, fecha_lectura__isnull=True).update(
        fecha_lectura=timezone.now(), estado=NotificationStatus.LEIDA
    )
