"""Views of the "Notificaciones" section. Every query is scoped to the caller."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications import examples, preferences, push_tokens, selectors, services
from notifications.filters import NotificationFilter
from notifications.models import Notification
from notifications.serializers import (
    MarkAllReadSerializer,
    MarkReadSerializer,
    NotificationHistorySerializer,
    NotificationSerializer,
    NotificationSettingsInputSerializer,
    NotificationSettingsSerializer,
    NotificationStatsSerializer,
    NotificationTypeSerializer,
    PushTokenRegisterSerializer,
    PushTokenSerializer,
)
from notifications.throttles import PushTokenRegisterThrottle
from tickethelp.exceptions import NotFound
from tickethelp.openapi import staff_errors
from tickethelp.pagination import paginate_serialized

TAGS = ["Notificaciones"]
# Every endpoint needs a signed-in user; someone else's notification is a 404, never a 403.
NOT_FOUND = staff_errors(401, 404, examples={404: examples.NOTIFICATION_NOT_FOUND})


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        responses={200: NotificationSerializer(many=True), **staff_errors(400, 401)},
        examples=[examples.NOTIFICATION_LIST_RESPONSE, examples.TECHNICIAN_CHANGED_LIST_RESPONSE],
    )
)
class NotificationListView(ListAPIView):
    """The caller's notifications, newest first (array; total in `X-Total-Count`)."""

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Notification.objects.none()
        return selectors.notification_list(user=self.request.user)

    def list(self, request, *args, **kwargs):
        # ListAPIView's own list, with the page read as rows instead of model instances.
        queryset = self.filter_queryset(self.get_queryset())
        data = self.paginator.paginate_serialized(self.get_serializer_class(), queryset, request)
        return self.paginator.get_paginated_response(data)


class NotificationDetailView(APIView):
    @extend_schema(
        tags=TAGS,
        responses={200: NotificationSerializer, **NOT_FOUND},
        examples=[examples.NOTIFICATION_RESPONSE, examples.TECHNICIAN_CHANGED_RESPONSE],
    )
    def get(self, request, notification_id: int):
        notification = selectors.notification_get(user=request.user, notification_id=notification_id)
        return Response(NotificationSerializer(notification).data)


class NotificationStatsView(APIView):
    @extend_schema(
        tags=TAGS,
        responses={200: NotificationStatsSerializer, **staff_errors(401)},
        examples=[examples.STATS_RESPONSE],
    )
    def get(self, request):
        return Response(selectors.notification_stats(user=request.user))


class NotificationTypesView(APIView):
    @extend_schema(
        tags=TAGS,
        responses={200: NotificationTypeSerializer(many=True), **staff_errors(401)},
        examples=[examples.TYPES_RESPONSE],
    )
    def get(self, request):
        return Response(NotificationTypeSerializer(selectors.notification_types_active(), many=True).data)


class UserNotificationsView(APIView):
    @extend_schema(
        tags=TAGS,
        responses={200: NotificationHistorySerializer, **staff_errors(400, 401)},
        examples=[examples.HISTORY_RESPONSE],
    )
    def get(self, request):
        rows, total = paginate_serialized(
            NotificationSerializer, selectors.notification_list(user=request.user), request
        )
        return Response({"message": "Historial de notificaciones", "total_notifications": total, "notifications": rows})


class MarkReadView(APIView):
    """Documented as POST; PUT and PATCH do the same for clients that use them."""

    @extend_schema(
        tags=TAGS,
        request=None,
        responses={200: MarkReadSerializer, **NOT_FOUND},
        examples=[examples.MARK_READ_RESPONSE],
    )
    def post(self, request, notification_id: int):
        notification = services.notification_mark_read(user=request.user, notification_id=notification_id)
        return Response(
            {"message": "Notificación marcada como leída", "notification": NotificationSerializer(notification).data}
        )

    @extend_schema(
        tags=TAGS,
        request=None,
        responses={200: MarkReadSerializer, **NOT_FOUND},
        examples=[examples.MARK_READ_RESPONSE],
        operation_id="notifications_mark_read_put",
    )
    def put(self, request, notification_id: int):
        return self.post(request, notification_id)

    @extend_schema(
        tags=TAGS,
        request=None,
        responses={200: MarkReadSerializer, **NOT_FOUND},
        examples=[examples.MARK_READ_RESPONSE],
        operation_id="notifications_mark_read_patch",
    )
    def patch(self, request, notification_id: int):
        return self.post(request, notification_id)


class MarkAllReadView(APIView):
    @extend_schema(
        tags=TAGS,
        request=None,
        responses={200: MarkAllReadSerializer, **staff_errors(401)},
        examples=[examples.MARK_ALL_READ_RESPONSE],
    )
    def post(self, request):
        updated = services.notifications_mark_all_read(user=request.user)
        return Response({"message": "Todas las notificaciones marcadas como leídas", "updated": updated})


# --- The caller's phones and channel settings (/api/me/...) --------------------------------

PUSH_TAGS = ["Notificaciones · push y preferencias"]


class PushTokensView(APIView):
    def get_throttles(self):
        return [PushTokenRegisterThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        tags=PUSH_TAGS,
        responses={200: PushTokenSerializer(many=True), **staff_errors(401)},
        examples=[examples.PUSH_TOKENS_RESPONSE],
    )
    def get(self, request):
        return Response(PushTokenSerializer(push_tokens.push_token_list(user=request.user), many=True).data)

    @extend_schema(
        tags=PUSH_TAGS,
        request=PushTokenRegisterSerializer,
        responses={201: PushTokenSerializer, **staff_errors(400, 401, 429)},
        examples=[examples.PUSH_TOKEN_REQUEST, examples.PUSH_TOKEN_RESPONSE],
    )
    def post(self, request):
        serializer = PushTokenRegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = push_tokens.push_token_register(
            user=request.user, token=serializer.validated_data["push_token"], device=serializer.device()
        )
        return Response(PushTokenSerializer(token).data, status=status.HTTP_201_CREATED)


class PushTokenDetailView(APIView):
    @extend_schema(
        tags=PUSH_TAGS,
        responses={204: None, **staff_errors(401, 404, examples={404: examples.PUSH_TOKEN_NOT_FOUND})},
    )
    def delete(self, request, token_id: int):
        if not push_tokens.push_token_remove(user=request.user, token_id=token_id):
            # Unknown, retired or another user's: one answer for all three.
            raise NotFound("Token push no encontrado.", code="push_token_not_found")
        return Response(status=status.HTTP_204_NO_CONTENT)


def _settings_errors(items: list[dict], errors: dict[str, dict[str, list[str]]], *, key: str) -> dict[str, dict]:
    """The service's `{codigo: {field: messages}}` placed like DRF places a list's item errors
    (`{"<index>": {...}}`, only the items in error); channels nest under `channels`."""
    placed = {}
    for index, item in enumerate(items):
        found = errors.get(item[key])
        if not found:
            continue
        entry = {key: found[preferences.CODIGO_FIELD]} if preferences.CODIGO_FIELD in found else {}
        channels = {name: messages for name, messages in found.items() if name != preferences.CODIGO_FIELD}
        if channels:
            entry["channels"] = channels
        placed[str(index)] = entry
    return placed


class NotificationSettingsView(APIView):
    @extend_schema(
        tags=PUSH_TAGS,
        responses={200: NotificationSettingsSerializer, **staff_errors(401)},
        examples=[examples.SETTINGS_RESPONSE],
    )
    def get(self, request):
        return Response(NotificationSettingsSerializer({"settings": preferences.settings_for(user=request.user)}).data)

    @extend_schema(
        tags=PUSH_TAGS,
        request=NotificationSettingsInputSerializer,
        responses={200: NotificationSettingsSerializer, **staff_errors(400, 401)},
        examples=[examples.SETTINGS_REQUEST, examples.SETTINGS_RESPONSE],
    )
    def put(self, request):
        serializer = NotificationSettingsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        items = serializer.validated_data["settings"]
        try:
            changes = preferences.changes_from_items(items, key="codigo")
            result = preferences.settings_update(user=request.user, changes=changes)
        except preferences.PreferenceError as exc:
            raise ValidationError({"settings": _settings_errors(items, exc.errors, key="codigo")}) from None
        return Response(NotificationSettingsSerializer({"settings": result}).data)
