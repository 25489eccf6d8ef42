"""Helpers for the notifications tests."""

import pytest

from notifications.models import Notification, NotificationStatus, NotificationType


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
