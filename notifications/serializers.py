"""Output shapes of the notifications API."""

from rest_framework import serializers

from notifications.models import Notification, NotificationType
from tickethelp.serializers import FastOutputMixin


class NotificationTypeSerializer(FastOutputMixin, serializers.ModelSerializer):
    class Meta:
        model = NotificationType
        fields = ("id", "codigo", "nombre", "descripcion", "es_activo")
        read_only_fields = fields


class NotificationSerializer(FastOutputMixin, serializers.ModelSerializer):
    tipo = NotificationTypeSerializer(read_only=True)
    ticket_code = serializers.CharField(source="ticket.code", read_only=True, default=None)
    leida = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = (
            "id",
            "ticket",
            "ticket_code",
            "tipo",
            "titulo",
            "mensaje",
            "estado",
            "leida",
            "fecha_creacion",
            "fecha_envio",
            "fecha_lectura",
            "datos_adicionales",
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
