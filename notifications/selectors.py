"""Reads on notifications: always scoped to one user."""

from django.db.models import Count, QuerySet

from notifications.models import Notification, NotificationStatus, NotificationType
from tickethelp.exceptions import NotFound
from users.models import User


def notification_list(*, user: User) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(usuario=user)
        .select_related("tipo", "ticket", "usuario")
        .order_by("-fecha_creacion", "-id")
    )


def notification_get(*, user: User, notification_id: int) -> Notification:
    notification = notification_list(user=user).filter(pk=notification_id).first()
    if notification is None:
        raise NotFound("Notificación no encontrada.", code="notification_not_found")
    return notification


def notification_stats(*, user: User) -> dict[str, int]:
    """All counters from one GROUP BY over the user's (usuario, estado, fecha_lectura) index."""
    stats = dict.fromkeys(("total", "pendientes", "enviadas", "leidas", "fallidas", "no_leidas"), 0)
    by_estado = {
        NotificationStatus.PENDIENTE: "pendientes",
        NotificationStatus.ENVIADA: "enviadas",
        NotificationStatus.FALLIDA: "fallidas",
    }
    rows = (
        Notification.objects.filter(usuario=user)
        .order_by()
        .values("estado")
        .annotate(total=Count("*"), read=Count("fecha_lectura"))  # COUNT(column) skips NULLs: the read ones
    )
    for row in rows:
        stats["total"] += row["total"]
        stats["leidas"] += row["read"]
        if row["estado"] in by_estado:
            stats[by_estado[row["estado"]]] += row["total"]
    stats["no_leidas"] = stats["total"] - stats["leidas"]
    return stats


def notification_types_active() -> QuerySet[NotificationType]:
    return NotificationType.objects.filter(es_activo=True).order_by("id")
