"""The e-mail channel: one e-mail per notification, sent at most once."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from notifications.models import Notification, NotificationStatus
from users.models import User
from users.passwords import generate_password

logger = logging.getLogger(__name__)

# E-mails whose body carries a fresh password: it is generated at send time, applied only
# once the mail went out, and never stored (not in the row, not in the task queue).
ACCOUNT_TYPES = {"bienvenida", "password_reset"}


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
