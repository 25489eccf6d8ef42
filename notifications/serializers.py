"""Output shapes of the notifications API."""

from rest_framework import serializers

from notifications.events import TECHNICIAN_NEW, TECHNICIAN_OLD
from notifications.models import Notification, NotificationType
from tickethelp.serializers import FastOutputMixin
from users.models import User


class NotificationTypeSerializer(FastOutputMixin, serializers.ModelSerializer):
    class Meta:
        model = NotificationType
        fields = ("id", "codigo", "nombre", "descripcion", "es_activo")
        read_only_fields = fields


class NotificationUserSerializer(FastOutputMixin, serializers.ModelSerializer):
    """The recipient, as the staff front end reads it (`usuario.first_name`, ...)."""

    class Meta:
        model = User
        fields = ("document", "first_name", "last_name", "email")
        read_only_fields = fields


class TechnicianInfoSerializer(FastOutputMixin, serializers.Serializer):
    """A technician named in a technician-change notification (kept in `datos_adicionales`
    when it was written: the technician then, not whoever holds the ticket today)."""

    documento = serializers.CharField(read_only=True)
    nombre = serializers.CharField(read_only=True)


def technician_info(key: str) -> TechnicianInfoSerializer:
    """`datos_adicionales[key]`: set on technician changes only, null on every other kind."""
    return TechnicianInfoSerializer(source=f"datos_adicionales.{key}", read_only=True, allow_null=True, default=None)


class NotificationSerializer(FastOutputMixin, serializers.ModelSerializer):
    tipo = NotificationTypeSerializer(read_only=True)
    tipo_nombre = serializers.CharField(source="tipo.nombre", read_only=True)
    tipo_codigo = serializers.CharField(source="tipo.codigo", read_only=True)
    usuario = NotificationUserSerializer(read_only=True)
    ticket_code = serializers.CharField(source="ticket.code", read_only=True, default=None)
    leida = serializers.BooleanField(read_only=True)
    new_technician_info = technician_info(TECHNICIAN_NEW)
    old_technician_info = technician_info(TECHNICIAN_OLD)

    class Meta:
        model = Notification
        fields = (
            "id",
            "ticket",
            "ticket_code",
            "tipo",
            "tipo_nombre",
            "tipo_codigo",
            "usuario",
            "titulo",
            "mensaje",
            "estado",
            "leida",
            "fecha_creacion",
            "fecha_envio",
            "fecha_lectura",
            "datos_adicionales",
            "new_technician_info",
            "old_technician_info",
        )
        read_only_fields = fields


class NotificationStatsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    pendientes = serializers.IntegerField()
    enviadas = serializers.IntegerField()
    leidas = serializers.IntegerField()
    fallidas = serializers.IntegerField()
    no_leidas = serializers.IntegerField()


class NotificationHistorySerializer(serializers.Serializer):
    message = serializers.CharField()
    total_notifications = serializers.IntegerField()
    notifications = NotificationSerializer(many=True)


class MarkReadSerializer(serializers.Serializer):
    message = serializers.CharField()
    notification = NotificationSerializer()


class MarkAllReadSerializer(serializers.Serializer):
    message = serializers.CharField()
    updated = serializers.IntegerField()
