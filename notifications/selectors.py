"""Reads on notifications: always scoped to one user."""

from django.db.models import Count, Q, QuerySet

from notifications.models import Notification, NotificationStatus, NotificationType
from tickethelp.exceptions import NotFound
from users.models import User


def notification_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(usuario=user).select_related("tipo", "ticket").order_by("-fecha_creacion", "-id")


def notification_get(*, user: User, notification_id: int) -> Notification:
    notification = notification_list(user=user).filter(pk=notification_id).first()
    if notification is None:
        raise NotFound("Notificación no encontrada.", code="notification_not_found")
    return notification


def notification_stats(*, user: User) -> dict[str, int]:
    """All counters in one aggregate query."""
    return Notification.objects.filter(usuario=user).aggregate(
        total=Count("id"),
        pendientes=Count("id", filter=Q(estado=NotificationStatus.PENDIENTE)),
        enviadas=Count("id", filter=Q(estado=NotificationStatus.ENVIADA)),
        leidas=Count("id", filter=Q(fecha_lectura__isnull=False)),
        fallidas=Count("id", filter=Q(estado=NotificationStatus.FALLIDA)),
        no_leidas=Count("id", filter=Q(fecha_lectura__isnull=True)),
    )


def notification_types_active() -> QuerySet[NotificationType]:
    return NotificationType.objects.filter(es_activo=True).order_by("id")
