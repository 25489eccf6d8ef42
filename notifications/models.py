"""In-app notifications, one row per recipient per event, each also delivered by e-mail.

`estado` is what the API documents: PENDIENTE (written with the change that caused it) ->
ENVIADA once the e-mail went out, or FALLIDA after the last retry (the error is kept), and
LEIDA once the user reads it. Delivery itself is tracked by `fecha_envio`, so reading a
notification before its e-mail left neither loses nor repeats the e-mail.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


def is_read(fecha_lectura) -> bool:
    return fecha_lectura is not None


class NotificationType(models.Model):
    """Catalog of event kinds; stable codes are seeded by a data migration."""

    codigo = models.SlugField("código", max_length=40, unique=True)
    nombre = models.CharField("nombre", max_length=100)
    descripcion = models.CharField("descripción", max_length=255, blank=True)
    es_activo = models.BooleanField("activo", default=True)
    # Whether the event also goes out by e-mail (in-app notifications always exist).
    envia_email = models.BooleanField("envía correo", default=True)

    class Meta:
        verbose_name = "tipo de notificación"
        verbose_name_plural = "tipos de notificación"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.nombre


class NotificationStatus(models.TextChoices):
    PENDIENTE = "PENDIENTE", "Pendiente"
    ENVIADA = "ENVIADA", "Enviada"
    FALLIDA = "FALLIDA", "Fallida"
    LEIDA = "LEIDA", "Leída"


class Notification(models.Model):
    usuario = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name="usuario"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
        verbose_name="ticket",
    )
    tipo = models.ForeignKey(NotificationType, on_delete=models.PROTECT, related_name="+", verbose_name="tipo")
    titulo = models.CharField("título", max_length=200)
    mensaje = models.TextField("mensaje", max_length=4000)
    estado = models.CharField(
        "estado", max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDIENTE
    )
    fecha_creacion = models.DateTimeField("creada", default=timezone.now)
    fecha_envio = models.DateTimeField("enviada", null=True, blank=True)
    fecha_lectura = models.DateTimeField("leída", null=True, blank=True)
    intentos = models.PositiveSmallIntegerField("intentos de envío", default=0)
    ultimo_error = models.TextField("último error", blank=True)
    datos_adicionales = models.JSONField("datos adicionales", default=dict, blank=True)

    class Meta:
        verbose_name = "notificación"
        verbose_name_plural = "notificaciones"
        ordering = ["-fecha_creacion", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(estado__in=NotificationStatus.values), name="notifications_estado_valid"
            ),
            models.CheckConstraint(
                condition=~Q(estado=NotificationStatus.LEIDA) | Q(fecha_lectura__isnull=False),
                name="notifications_read_has_date",
            ),
        ]
        indexes = [
            # The user's list (newest first) and its filters; stats aggregate the same range.
            models.Index(fields=["usuario", "-fecha_creacion", "-id"], name="notif_user_recent_idx"),
            # Stats: counted per estado from this index alone (index-only scan, no table reads).
            models.Index(fields=["usuario", "estado"], include=["fecha_lectura"], name="notif_user_estado_read_idx"),
            models.Index(fields=["usuario", "tipo"], name="notif_user_tipo_idx"),
            # Re-queuing looks only at what has not been delivered yet.
            models.Index(
                fields=["fecha_creacion"], name="notif_undelivered_idx", condition=Q(fecha_envio__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.titulo} → {self.usuario_id}"

    # How list pages read computed attributes from plain rows (tickethelp/rows.py).
    ROW_SOURCES = {"leida": (("fecha_lectura",), is_read)}

    @property
    def leida(self) -> bool:
        return is_read(self.fecha_lectura)
