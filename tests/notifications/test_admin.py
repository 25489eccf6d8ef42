"""The notifications admin: the resend action queues undelivered e-mails again."""

import pytest

from notifications.models import (
    DeliveryStatus,
    Notification,
    NotificationPreference,
    NotificationStatus,
    NotificationType,
    PushDelivery,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_resend_action_delivers_the_selected_failed_notifications(
    admin_site, make_notification, mailoutbox, django_capture_on_commit_callbacks
):
    # given a failed notification, another failed one not selected, and a delivered one
    user = UserFactory(email="destino@example.com")
    failed = make_notification(user, estado=NotificationStatus.FALLIDA, intentos=5, ultimo_error="timeout")
    untouched = make_notification(user, estado=NotificationStatus.FALLIDA, intentos=5)
    delivered = make_notification(user)

    # when the admin runs "resend" on the first and the delivered one
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_site.post(
            "/admin/notifications/notification/",
            {"action": "resend", "_selected_action": [failed.pk, delivered.pk]},
            follow=True,
        )

    # then only the failed one went out again (the delivered one is not sent twice)
    assert response.status_code == 200
    assert "1 notificaciones en cola de reenvío." in response.content.decode()
    assert [message.to for message in mailoutbox] == [["destino@example.com"]]
    failed.refresh_from_db()
    assert failed.estado == NotificationStatus.ENVIADA
    assert Notification.objects.get(pk=untouched.pk).estado == NotificationStatus.FALLIDA
    assert Notification.objects.get(pk=delivered.pk).fecha_envio == delivered.fecha_envio


def test_notification_list_filters_and_searches(admin_site, make_notification):
    user = UserFactory(email="buscada@example.com")
    make_notification(user, estado=NotificationStatus.FALLIDA)

    response = admin_site.get("/admin/notifications/notification/", {"estado__exact": "FALLIDA", "q": "buscada"})

    assert response.status_code == 200
    assert "buscada@example.com" in response.content.decode()


def test_push_admin_lists_tokens_and_deliveries_read_only_and_retires_tokens(admin_site, make_push_token):
    # given a phone with one push sent
    user = UserFactory(email="telefono@example.com")
    token = make_push_token(user, device_name="Pixel de prueba")
    notification = Notification.objects.create(
        usuario=user, tipo=NotificationType.objects.get(codigo="estado_cambiado"), titulo="Aviso", mensaje="Texto"
    )
    delivery = PushDelivery.objects.create(notification=notification, token=token, estado=DeliveryStatus.ENVIADA)

    # when the admin looks at both lists and at one delivery
    tokens_page = admin_site.get("/admin/notifications/pushtoken/", {"q": "telefono"})
    deliveries_page = admin_site.get("/admin/notifications/pushdelivery/", {"estado__exact": "ENVIADA"})
    detail = admin_site.get(f"/admin/notifications/pushdelivery/{delivery.pk}/change/")

    # then they are shown, read-only (no save button, no add)
    assert tokens_page.status_code == deliveries_page.status_code == detail.status_code == 200
    assert "Pixel de prueba" in tokens_page.content.decode()
    assert "Enviada (esperando recibo)" in deliveries_page.content.decode()
    assert 'name="_save"' not in detail.content.decode()
    assert admin_site.get("/admin/notifications/pushdelivery/add/").status_code == 403

    # when the admin retires the token
    response = admin_site.post(
        "/admin/notifications/pushtoken/", {"action": "retire", "_selected_action": [token.pk]}, follow=True
    )

    # then it no longer receives pushes, with the reason kept
    assert "1 tokens retirados." in response.content.decode()
    token.refresh_from_db()
    assert (token.is_active, token.retired_reason) == (False, "admin")


def test_preferences_list_filters_and_searches(admin_site):
    # given two users' deviations, one of them sought
    tipo = NotificationType.objects.get(codigo="estado_cambiado")
    NotificationPreference.objects.create(
        usuario=UserFactory(email="sin-push@example.com"), tipo=tipo, email=True, push=False
    )
    NotificationPreference.objects.create(usuario=UserFactory(email="otra@example.com"), tipo=tipo, email=False)

    # when
    response = admin_site.get("/admin/notifications/notificationpreference/", {"push__exact": "0", "q": "sin-push"})

    # then
    assert response.status_code == 200
    content = response.content.decode()
    assert "sin-push@example.com" in content
    assert "otra@example.com" not in content
