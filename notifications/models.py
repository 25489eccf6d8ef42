"""In-app notifications, one row per recipient per event; also delivered by e-mail and by push
as the recipient's channels say (notifications.services decides, notifications.delivery sends).

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
    # Whether the event is also pushed to the recipient's phones (a user may opt out per type).
    envia_push = models.BooleanField("envía push", default=True)

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
    # Set with the row when its push channel is on; cleared by the worker once the row's
    # deliveries (one per active token of the recipient) exist. Left set = the task was lost.
    push_pendiente = models.BooleanField("push pendiente", default=False)

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
            models.Index(fields=["fecha_creacion"], name="notif_push_pending_idx", condition=Q(push_pendiente=True)),
        ]

    def __str__(self) -> str:
        return f"{self.titulo} → {self.usuario_id}"

    # How list pages read computed attributes from plain rows (tickethelp/rows.py).
    ROW_SOURCES = {"leida": (("fecha_lectura",), is_read)}

    @property
    def leida(self) -> bool:
        return is_read(self.fecha_lectura)


# --- Channels beyond the in-app row: push to phones ----------------------------------------


class PushTokenType(models.TextChoices):
    EXPO = "expo", "Expo"
    FCM = "fcm", "Firebase Cloud Messaging"


class PushPlatform(models.TextChoices):
    IOS = "ios", "iOS"
    ANDROID = "android", "Android"


class PushToken(models.Model):
    """A phone's push address. A token belongs to one user at a time: registering it again
    moves it to the caller (the phone changed hands). Retired tokens (the push service said
    the app is gone, the user removed it, or it was the oldest past the per-user bound) are
    kept inactive for the delivery log, and come back to life when registered again."""

    usuario = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_tokens", verbose_name="usuario"
    )
    token = models.CharField("token", max_length=255, unique=True)
    token_type = models.CharField("tipo de token", max_length=10, choices=PushTokenType.choices)
    platform = models.CharField("plataforma", max_length=10, choices=PushPlatform.choices)
    device_type = models.CharField("tipo de dispositivo", max_length=50, blank=True)
    device_name = models.CharField("nombre del dispositivo", max_length=100, blank=True)
    app_ownership = models.CharField("app_ownership", max_length=30, blank=True)
    is_standalone = models.BooleanField("is_standalone", null=True, blank=True)
    execution_environment = models.CharField("execution_environment", max_length=30, blank=True)
    is_active = models.BooleanField("activo", default=True)
    created_at = models.DateTimeField("registrado", default=timezone.now)
    last_registered_at = models.DateTimeField("último registro", default=timezone.now)
    retired_at = models.DateTimeField("retirado", null=True, blank=True)
    retired_reason = models.CharField("motivo del retiro", max_length=40, blank=True)

    class Meta:
        verbose_name = "token de notificaciones push"
        verbose_name_plural = "tokens de notificaciones push"
        ordering = ["-last_registered_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(token_type__in=PushTokenType.values), name="push_token_type_valid"),
            models.CheckConstraint(condition=Q(platform__in=PushPlatform.values), name="push_token_platform_valid"),
        ]
        indexes = [
            # Delivery reads a batch of recipients' active tokens; the list reads one user's.
            models.Index(fields=["usuario"], name="push_token_active_user_idx", condition=Q(is_active=True)),
        ]

    def __str__(self) -> str:
        return f"{self.token_type}:{self.token[:24]}… → {self.usuario_id}"


class DeliveryStatus(models.TextChoices):
    PENDIENTE = "PENDIENTE", "Pendiente"
    ENVIADA = "ENVIADA", "Enviada (esperando recibo)"
    ENTREGADA = "ENTREGADA", "Entregada"
    FALLIDA = "FALLIDA", "Fallida"
    OMITIDA = "OMITIDA", "Omitida"


class PushDelivery(models.Model):
    """One push of one notification to one token: the unique pair is what makes a retry
    (or a worker killed mid-batch) never push twice. `ticket_id` is the push service's
    receipt handle (Expo's ticket id), checked later for the final outcome."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="push_deliveries", verbose_name="notificación"
    )
    token = models.ForeignKey(PushToken, on_delete=models.CASCADE, related_name="deliveries", verbose_name="token")
    estado = models.CharField("estado", max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDIENTE)
    intentos = models.PositiveSmallIntegerField("intentos", default=0)
    ultimo_error = models.TextField("último error", blank=True)
    receipt_id = models.CharField("id del recibo", max_length=100, blank=True)
    fecha_creacion = models.DateTimeField("creada", default=timezone.now)
    fecha_envio = models.DateTimeField("enviada", null=True, blank=True)
    fecha_recibo = models.DateTimeField("recibo revisado", null=True, blank=True)
    # Not to be sent before this moment: the back-off after a failed attempt, or the claim of
    # the worker sending it now (a worker killed mid-send leaves it claimed until it expires).
    proximo_intento = models.DateTimeField("próximo intento", null=True, blank=True)

    class Meta:
        verbose_name = "envío push"
        verbose_name_plural = "envíos push"
        ordering = ["-fecha_creacion", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "token"], name="push_delivery_once"),
            models.CheckConstraint(condition=Q(estado__in=DeliveryStatus.values), name="push_delivery_estado_valid"),
        ]
        indexes = [
            # The worker's queues: what is still to send, and what waits for its receipt.
            models.Index(
                fields=["fecha_creacion"],
                name="push_delivery_pending_idx",
                condition=Q(estado="PENDIENTE"),
            ),
            models.Index(
                fields=["fecha_envio"],
                name="push_delivery_receipt_idx",
                condition=Q(estado="ENVIADA"),
            ),
            models.Index(fields=["token"], name="push_delivery_token_idx"),
        ]

    def __str__(self) -> str:
        return f"push {self.notification_id} → {self.token_id} ({self.estado})"


class NotificationPreference(models.Model):
    """A user's choice of channels for one notification type. In-app is always on; without a
    row the type's defaults apply (`NotificationType.envia_email` / `envia_push`)."""

    usuario = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name="usuario",
    )
    tipo = models.ForeignKey(NotificationType, on_delete=models.CASCADE, related_name="+", verbose_name="tipo")
    email = models.BooleanField("correo", default=True)
    push = models.BooleanField("push", default=True)
    fecha_actualizacion = models.DateTimeField("actualizada", auto_now=True)

    class Meta:
        verbose_name = "preferencia de notificación"
        verbose_name_plural = "preferencias de notificación"
        constraints = [models.UniqueConstraint(fields=["usuario", "tipo"], name="notification_preference_once")]

    def __str__(self) -> str:
        return f"{self.usuario_id}/{self.tipo_id}: email={self.email} push={self.push}"
