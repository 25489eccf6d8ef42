"""Helpers for the notifications tests."""

import itertools

import pytest

from notifications.models import Notification, NotificationStatus, NotificationType, PushToken, PushTokenType


@pytest.fixture
def make_notification(db):
    def make(user, *, codigo="estado_cambiado", estado=NotificationStatus.ENVIADA, read=False, **fields):
        from django.utils import timezone

        return Notification.objects.create(
            usuario=user,
            tipo=NotificationType.objects.get(codigo=codigo),
            titulo=fields.pop("titulo", "Aviso"),
            mensaje=fields.pop("mensaje", "Texto del aviso"),
            estado=NotificationStatus.LEIDA if read else estado,
            fecha_lectura=timezone.now() if read else None,
            **fields,
        )

    return make


@pytest.fixture
def fake_expo(settings):
    """Expo's push API on a loopback port (tests/notifications/expo_server.py), with the
    app's settings pointed at it; stopped (hanging requests released) at teardown."""
    from tests.notifications.expo_server import FakeExpo, expo_settings

    fake = FakeExpo()
    expo_settings(settings, fake)
    settings.PUSH_TIMEOUT_SECONDS = 10  # the hang test sets its own
    yield fake
    fake.stop()


@pytest.fixture
def make_push_token(db):
    """An active push token of `user` (an Expo token unless token_type="fcm")."""
    counter = itertools.count(1)

    def make(user, *, token_type=None, **fields):
        token_type = token_type or PushTokenType.EXPO
        n = next(counter)
        token = (
            f"ExponentPushToken[u{user.pk}-t{n}xxxxxxxxxx]" if token_type == "expo" else f"fcm-u{user.pk}-t{n}:APA91b"
        )
        return PushToken.objects.create(
            usuario=user, token=fields.pop("token", token), token_type=token_type, platform="android", **fields
        )

    return make
