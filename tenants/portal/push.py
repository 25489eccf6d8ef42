"""The residents' app's phones and notification settings (REAL-CLIENTS.md §2).

Routes: POST /api/tenant/register-push-token, POST /api/tenant/remove-push-token,
GET /api/tenant/push-tokens, GET/PUT /api/tenant/notification-settings. The rules live in
`notifications.push_tokens` and `notifications.preferences` (shared with the staff API's
/api/me/push-tokens/ and /api/me/notification-settings/).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings

from notifications import preferences, push_tokens
from notifications.serializers import (
    ChannelsInputSerializer,
    PushTokenRegisterSerializer,
    PushTokenSerializer,
    SettingChannelsMixin,
)
from notifications.throttles import PushTokenRegisterThrottle
from tenants.portal.serializers import UtcDateTimeField
from tenants.portal.views import AUTH_ERRORS, TAGS, TenantAPIView
from tickethelp.exceptions import TENANT_VALIDATION_MESSAGE, DomainError
from tickethelp.openapi import request_example, response_example, tenant_errors

PUSH_REGISTERED_MESSAGE = "Push token registered successfully"
PUSH_REMOVED_MESSAGE = "Push token removed successfully"
SETTINGS_UPDATED = "Notification settings updated"


class PortalPushTokenSerializer(PushTokenSerializer):
    created_at = UtcDateTimeField()
    last_registered_at = UtcDateTimeField()


class PortalRemovePushTokenSerializer(serializers.Serializer):
    push_token = serializers.CharField(max_length=255)


class PortalSuccessMessageSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()


class PortalPushTokensResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    push_tokens = PortalPushTokenSerializer(many=True)
    count = serializers.IntegerField()


class PortalNotificationSettingSerializer(SettingChannelsMixin, serializers.Serializer):
    notification_type = serializers.CharField(source="tipo.codigo", read_only=True)
    name = serializers.CharField(source="tipo.nombre", read_only=True)
    description = serializers.CharField(source="tipo.descripcion", read_only=True)
    channels = serializers.SerializerMethodField()
    defaults = serializers.SerializerMethodField()
    locked = serializers.ListField(child=serializers.CharField(), read_only=True)


class PortalNotificationSettingsResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    settings = PortalNotificationSettingSerializer(many=True)


class PortalNotificationSettingsUpdatedSerializer(PortalNotificationSettingsResponseSerializer):
    message = serializers.CharField()


class PortalNotificationSettingInputSerializer(serializers.Serializer):
    notification_type = serializers.CharField(max_length=40)
    channels = ChannelsInputSerializer()


class PortalNotificationSettingsInputSerializer(serializers.Serializer):
    """A partial or full set: only the types listed change (GET's items may be sent back)."""

    settings = PortalNotificationSettingInputSerializer(many=True, max_length=200)

    def validate_settings(self, items):
        codes = [item["notification_type"] for item in items]
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        if repeated:
            raise serializers.ValidationError(f"Each notification type at most once; repeated: {', '.join(repeated)}.")
        return items


def _dotted(detail, prefix: str = "") -> dict[str, list[str]]:
    """Nested DRF errors as `{"settings.2.channels.email": [...]}`: which item and which field."""
    if isinstance(detail, dict):
        errors: dict[str, list[str]] = {}
        for key, nested in detail.items():
            # A list's own error (not one of its items') belongs to the list's field.
            if prefix and key == api_settings.NON_FIELD_ERRORS_KEY:
                path = prefix
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            errors.update(_dotted(nested, path))
        return errors
    if isinstance(detail, list) and detail and all(isinstance(item, dict) for item in detail):
        errors = {}
        for index, nested in enumerate(detail):
            errors.update(_dotted(nested, f"{prefix}.{index}"))
        return errors
    items = detail if isinstance(detail, list) else [detail]
    return {prefix or "non_field_errors": [str(item) for item in items]}


def _invalid(errors: dict[str, list[str]]) -> DomainError:
    return DomainError(TENANT_VALIDATION_MESSAGE, code="invalid", field_errors=errors)


def _validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise _invalid(_dotted(serializer.errors))
    return serializer.validated_data


# --- OpenAPI examples ----------------------------------------------------------------------

REGISTER_REQUEST = request_example(
    "The app's registration",
    {
        "push_token": "ExponentPushToken[xXxXxXxXxXxXxXxXxXxXxX]",
        "token_type": "expo",
        "platform": "android",
        "device_type": "phone",
        "device_name": "Pixel 7",
        "app_ownership": "standalone",
        "is_standalone": True,
        "execution_environment": "standalone",
    },
)
REGISTERED_RESPONSE = response_example("Registered", {"success": True, "message": PUSH_REGISTERED_MESSAGE})
REMOVE_REQUEST = request_example("Log out of the phone", {"push_token": "ExponentPushToken[xXxXxXxXxXxXxXxXxXxXxX]"})
REMOVED_RESPONSE = response_example("Removed", {"success": True, "message": PUSH_REMOVED_MESSAGE})
TOKENS_RESPONSE = response_example(
    "My phones",
    {
        "success": True,
        "push_tokens": [
            {
                "id": 7,
                "push_token": "ExponentPushToken[xXxXxXxXxXxXxXxXxXxXxX]",
                "token_type": "expo",
                "platform": "android",
                "device_type": "phone",
                "device_name": "Pixel 7",
                "app_ownership": "standalone",
                "is_standalone": True,
                "execution_environment": "standalone",
                "created_at": "2026-03-05T13:12:40.000000Z",
                "last_registered_at": "2026-03-06T12:00:02.000000Z",
            }
        ],
        "count": 1,
    },
)
_SETTINGS = [
    {
        "notification_type": "estado_cambiado",
        "name": "Estado cambiado",
        "description": "El ticket pasó a otro estado.",
        "channels": {"in_app": True, "email": True, "push": False},
        "defaults": {"in_app": True, "email": True, "push": True},
        "locked": ["in_app"],
    },
    {
        "notification_type": "password_reset",
        "name": "Restablecimiento de contraseña",
        "description": "Contraseña temporal enviada por correo.",
        "channels": {"in_app": True, "email": True, "push": True},
        "defaults": {"in_app": True, "email": True, "push": True},
        "locked": ["in_app", "email"],
    },
]
SETTINGS_RESPONSE = response_example("Settings", {"success": True, "settings": _SETTINGS})
SETTINGS_REQUEST = request_example(
    "No pushes for state changes",
    {"settings": [{"notification_type": "estado_cambiado", "channels": {"push": False}}]},
)
SETTINGS_UPDATED_RESPONSE = response_example(
    "Updated", {"success": True, "message": SETTINGS_UPDATED, "settings": _SETTINGS}
)


# --- Views ---------------------------------------------------------------------------------


class TenantRegisterPushTokenView(TenantAPIView):
    throttle_classes = [PushTokenRegisterThrottle]

    @extend_schema(
        operation_id="tenant_register_push_token",
        tags=TAGS,
        request=PushTokenRegisterSerializer,
        responses={200: PortalSuccessMessageSerializer, **AUTH_ERRORS, **tenant_errors(422, 429)},
        examples=[REGISTER_REQUEST, REGISTERED_RESPONSE],
    )
    def post(self, request):
        serializer = PushTokenRegisterSerializer(data=request.data)
        if not serializer.is_valid():
            raise _invalid(_dotted(serializer.errors))
        push_tokens.push_token_register(
            user=request.user, token=serializer.validated_data["push_token"], device=serializer.device()
        )
        return Response({"success": True, "message": PUSH_REGISTERED_MESSAGE})


class TenantRemovePushTokenView(TenantAPIView):
    @extend_schema(
        operation_id="tenant_remove_push_token",
        tags=TAGS,
        request=PortalRemovePushTokenSerializer,
        responses={200: PortalSuccessMessageSerializer, **AUTH_ERRORS, **tenant_errors(422)},
        examples=[REMOVE_REQUEST, REMOVED_RESPONSE],
    )
    def post(self, request):
        data = _validated(PortalRemovePushTokenSerializer, request.data)
        # The same answer whether the token was the caller's, unknown or someone else's.
        push_tokens.push_token_remove(user=request.user, token=data["push_token"])
        return Response({"success": True, "message": PUSH_REMOVED_MESSAGE})


class TenantPushTokensView(TenantAPIView):
    @extend_schema(
        operation_id="tenant_push_tokens",
        tags=TAGS,
        responses={200: PortalPushTokensResponseSerializer, **AUTH_ERRORS},
        examples=[TOKENS_RESPONSE],
    )
    def get(self, request):
        tokens = PortalPushTokenSerializer(push_tokens.push_token_list(user=request.user), many=True).data
        return Response({"success": True, "push_tokens": tokens, "count": len(tokens)})


class TenantNotificationSettingsView(TenantAPIView):
    @extend_schema(
        operation_id="tenant_notification_settings",
        tags=TAGS,
        responses={200: PortalNotificationSettingsResponseSerializer, **AUTH_ERRORS},
        examples=[SETTINGS_RESPONSE],
    )
    def get(self, request):
        settings = PortalNotificationSettingSerializer(preferences.settings_for(user=request.user), many=True).data
        return Response({"success": True, "settings": settings})

    @extend_schema(
        operation_id="tenant_notification_settings_update",
        tags=TAGS,
        request=PortalNotificationSettingsInputSerializer,
        responses={200: PortalNotificationSettingsUpdatedSerializer, **AUTH_ERRORS, **tenant_errors(422)},
        examples=[SETTINGS_REQUEST, SETTINGS_UPDATED_RESPONSE],
    )
    def put(self, request):
        items = _validated(PortalNotificationSettingsInputSerializer, request.data)["settings"]
        try:
            result = preferences.settings_update(
                user=request.user, changes=preferences.changes_from_items(items, key="notification_type")
            )
        except preferences.PreferenceError as exc:
            raise _invalid(_settings_errors(items, exc.errors)) from None
        settings = PortalNotificationSettingSerializer(result, many=True).data
        return Response({"success": True, "message": SETTINGS_UPDATED, "settings": settings})


def _settings_errors(items: list[dict], errors: dict[str, dict[str, list[str]]]) -> dict[str, list[str]]:
    """The service's `{code: {field: messages}}` as `settings.<index>.<field>` keys."""
    dotted: dict[str, list[str]] = {}
    for index, item in enumerate(items):
        for field, messages in errors.get(item["notification_type"], {}).items():
            name = "notification_type" if field == preferences.CODIGO_FIELD else f"channels.{field}"
            dotted[f"settings.{index}.{name}"] = messages
    return dotted
