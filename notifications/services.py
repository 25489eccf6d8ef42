"""Writes on notifications: one row per recipient per event, delivered by a background task.

Rows are written inside the caller's transaction (they commit or roll back with the change
that caused them); their e-mails are queued only after that commit.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend

from notifications.models import Notification, NotificationStatus, NotificationType
from tickethelp.exceptions import NotFound
from users.models import Role, User
from users.passwords import generate_password

logger = logging.getLogger(__name__)

# E-mails whose body carries a fresh password: it is generated at send time, applied only
# once the mail went out, and never stored (not in the row, not in the task queue).
ACCOUNT_TYPES = {"bienvenida", "password_reset"}


@dataclass(frozen=True)
class Announcement:
    """One event's message to its recipients (one notification each)."""

    codigo: str
    recipients: Iterable[User | None]
    titulo: str
    mensaje: str
    datos: dict | None = None


def notify_all(announcements: Sequence[Announcement], *, ticket=None) -> list[Notification]:
    """Every announcement's notifications in one INSERT (their types read in one query): one
    row per distinct active recipient of each; e-mails queued after commit. A type that sends
    no e-mail is delivered by being written (ENVIADA), so nothing waits for a mail forever."""
    now = timezone.now()
    codigos = {announcement.codigo for announcement in announcements}
    types = {tipo.codigo: tipo for tipo in NotificationType.objects.filter(codigo__in=codigos)}
    pending: list[Notification] = []
    for announcement in announcements:
        tipo = types.get(announcement.codigo)
        if tipo is None:
            raise NotificationType.DoesNotExist(f"Unknown notification type {announcement.codigo!r}.")
        if not tipo.es_activo:
            continue
        unique: dict[int, User] = {}
        for user in announcement.recipients:
            if user is not None and user.is_active:
                unique.setdefault(user.pk, user)
        pending += [
            Notification(
                usuario=user,
                ticket=ticket,
                tipo=tipo,
                titulo=announcement.titulo[:200],
                mensaje=announcement.mensaje,
                datos_adicionales=announcement.datos or {},
                **({} if tipo.envia_email else {"estado": NotificationStatus.ENVIADA, "fecha_envio": now}),
            )
            for user in unique.values()
        ]
    if not pending:
        return []
    rows = Notification.objects.bulk_create(pending)
    ids = [row.pk for row in rows if row.tipo.envia_email]
    if ids:
        _queue_with_the_write(ids)
    return rows


def _queue_with_the_write(ids: list[int]) -> None:
    """The e-mails of a write's notifications run after its commit, whichever the queue.

    On the database queue (production) the task row is written in the write's own
    transaction: the worker cannot see it before the commit, a rolled-back write leaves no
    task, and the write commits once instead of twice (queued after commit, the task's
    INSERT was a transaction of its own). Any other queue (the in-process one of
    development and tests runs the task at once) is handed the task after commit."""
    from notifications.tasks import deliver_notifications

    if transaction.get_connection().in_atomic_block and isinstance(
        deliver_notifications.get_backend(), DatabaseBackend
    ):
        queue_delivery(ids)
    else:
        transaction.on_commit(lambda: queue_delivery(ids))


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


def queue_delivery(notification_ids: Iterable[int], *, delay_seconds: float = 0) -> None:
    """Hand notifications to the task queue (deferred when the backend supports it)."""
    from notifications.tasks import deliver_notifications

    notification_ids = list(notification_ids)
    if not notification_ids:
        return
    task = deliver_notifications
    if delay_seconds > 0 and task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + timedelta(seconds=delay_seconds))
    task.enqueue(notification_ids=notification_ids)  # one task (one INSERT) for the batch


def active_admins() -> list[User]:
    return list(User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk"))


# --- Delivery ------------------------------------------------------------------------------


def _render_email(notification: Notification, extra: dict) -> EmailMultiAlternatives:
    context = {"notification": notification, "user": notification.usuario, "ticket": notification.ticket, **extra}
    codigo = notification.tipo.codigo
    text = render_to_string([f"notifications/email/{codigo}.txt", "notifications/email/base.txt"], context)
    html = render_to_string([f"notifications/email/{codigo}.html", "notifications/email/base.html"], context)
    message = EmailMultiAlternatives(
        subject=f"[TicketHelp] {notification.titulo}",
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.usuario.email],
    )
    message.attach_alternative(html, "text/html")
    return message


def retry_delay_seconds(attempt: int) -> float:
    """Exponential back-off: base, 2x base, 4x base, ... after the 1st, 2nd, 3rd failure."""
    return settings.NOTIFICATION_RETRY_BASE_SECONDS * (2 ** max(attempt - 1, 0))


def notification_deliver(*, notification_id: int) -> float | None:
    """Send one notification's e-mail, at most once. Returns the delay before a retry, if any.

    The row is locked while sending, so two workers can never send the same e-mail."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("usuario", "tipo", "ticket")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.fecha_envio is not None:
            return None
        password = generate_password() if notification.tipo.codigo in ACCOUNT_TYPES else None
        notification.intentos += 1
        try:
            _render_email(notification, {"password": password}).send()
        except Exception as exc:  # any failure of the mail path is recorded, then retried
            notification.ultimo_error = f"{type(exc).__name__}: {exc}"[:2000]
            retry = notification.intentos < settings.NOTIFICATION_MAX_ATTEMPTS
            if not retry and notification.estado != NotificationStatus.LEIDA:
                notification.estado = NotificationStatus.FALLIDA
            notification.save(update_fields=["intentos", "ultimo_error", "estado"])
            logger.warning("Notification %s: attempt %s failed: %s", notification_id, notification.intentos, exc)
            return retry_delay_seconds(notification.intentos) if retry else None
        if password is not None:
            user = User.objects.select_for_update().get(pk=notification.usuario_id)
            user.set_password(password)
            user.must_change_password = True
            user.save(update_fields=["password", "must_change_password"])
        notification.fecha_envio = timezone.now()
        notification.ultimo_error = ""
        if notification.estado != NotificationStatus.LEIDA:
            notification.estado = NotificationStatus.ENVIADA
        notification.save(update_fields=["intentos", "ultimo_error", "estado", "fecha_envio"])
    return None


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
        transaction.on_commit(lambda: queue_delivery(chosen))
    return len(chosen)


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
