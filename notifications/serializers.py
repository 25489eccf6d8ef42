"""Output shapes of the notifications API."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from notifications import push_tokens
from notifications.events import TECHNICIAN_NEW, TECHNICIAN_OLD
from notifications.models import Notification, NotificationType, PushPlatform, PushToken, PushTokenType
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


# --- Push tokens and notification settings (/api/me/...) ----------------------------------


class StrictBooleanField(serializers.BooleanField):
    """JSON true/false only (DRF's BooleanField also takes "yes", 1, "on", ...)."""

    default_error_messages = {"invalid": _("Must be true or false.")}

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        self.fail("invalid")
        return None  # not reached: fail() raises


class PushTokenRegisterSerializer(serializers.Serializer):
    """What the apps send: the residents' app's body (REAL-CLIENTS.md §2), on both APIs."""

    push_token = serializers.CharField(max_length=255)
    token_type = serializers.ChoiceField(choices=PushTokenType.choices)
    platform = serializers.ChoiceField(choices=PushPlatform.choices)
    device_type = serializers.CharField(max_length=50, allow_blank=True, allow_null=True)
    device_name = serializers.CharField(max_length=100, allow_blank=True, allow_null=True, required=False)
    app_ownership = serializers.CharField(max_length=30, allow_blank=True, allow_null=True, required=False)
    is_standalone = StrictBooleanField(allow_null=True, required=False)
    execution_environment = serializers.CharField(max_length=30, allow_blank=True, allow_null=True, required=False)

    def validate(self, attrs):
        error = push_tokens.token_format_error(attrs["push_token"], attrs["token_type"])
        if error is not None:
            raise serializers.ValidationError({"push_token": [error]})
        return attrs

    def device(self) -> push_tokens.DeviceInfo:
        data = self.validated_data
        return push_tokens.DeviceInfo(
            token_type=data["token_type"],
            platform=data["platform"],
            is_standalone=data.get("is_standalone"),
            **{
                name: data.get(name) or ""
                for name in ("device_type", "device_name", "app_ownership", "execution_environment")
            },
        )


class PushTokenSerializer(serializers.ModelSerializer):
    """One of the caller's own active tokens (never another user's, never retired ones)."""

    push_token = serializers.CharField(source="token", read_only=True)

    class Meta:
        model = PushToken
        fields = (
            "id",
            "push_token",
            "token_type",
            "platform",
            "device_type",
            "device_name",
            "app_ownership",
            "is_standalone",
            "execution_environment",
            "created_at",
            "last_registered_at",
        )
        read_only_fields = fields


class ChannelsSerializer(serializers.Serializer):
    in_app = serializers.BooleanField(read_only=True)
    email = serializers.BooleanField(read_only=True)
    push = serializers.BooleanField(read_only=True)


class ChannelsInputSerializer(serializers.Serializer):
    """The channels to change (any of them); `in_app` is accepted only as true."""

    in_app = StrictBooleanField(required=False)
    email = StrictBooleanField(required=False)
    push = StrictBooleanField(required=False)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                message = gettext("Unknown channel (in_app, email, push).")
                raise serializers.ValidationError({name: [message] for name in unknown})
        return super().to_internal_value(data)


class SettingChannelsMixin:
    """How both APIs' settings items write a `preferences.TypeSetting`'s channels (each API
    declares its own keys, in its own order, around `channels`, `defaults` and `locked`)."""

    @extend_schema_field(ChannelsSerializer)
    def get_channels(self, setting) -> dict:
        return setting.channels.as_dict()

    @extend_schema_field(ChannelsSerializer)
    def get_defaults(self, setting) -> dict:
        return setting.defaults.as_dict()


class NotificationSettingSerializer(SettingChannelsMixin, serializers.Serializer):
    """One type's channels for the caller: effective, default, and which cannot change."""

    codigo = serializers.CharField(source="tipo.codigo", read_only=True)
    nombre = serializers.CharField(source="tipo.nombre", read_only=True)
    descripcion = serializers.CharField(source="tipo.descripcion", read_only=True)
    channels = serializers.SerializerMethodField()
    defaults = serializers.SerializerMethodField()
    locked = serializers.ListField(child=serializers.CharField(), read_only=True)


class NotificationSettingsSerializer(serializers.Serializer):
    settings = NotificationSettingSerializer(many=True)


class NotificationSettingInputSerializer(serializers.Serializer):
    codigo = serializers.CharField(max_length=40)
    channels = ChannelsInputSerializer()


class NotificationSettingsInputSerializer(serializers.Serializer):
    """A partial or full set: only the types listed change (GET's items may be sent back
    as they are; their read-only keys are ignored)."""

    settings = NotificationSettingInputSerializer(many=True, max_length=200)

    def validate_settings(self, items):
        codigos = [item["codigo"] for item in items]
        repeated = sorted({codigo for codigo in codigos if codigos.count(codigo) > 1})
        if repeated:
            raise serializers.ValidationError(
                gettext("Each type at most once; repeated: %(codigos)s.") % {"codigos": ", ".join(repeated)}
            )
        return items
