"""Tenant portal notifications: the resident's own list, read one, read all."""

from datetime import UTC

import pytest
from django.utils import timezone

from notifications.models import Notification, NotificationStatus
from tests.factories import DeviceFactory, TicketFactory, UserFactory
from tests.tenants.conftest import make_notification, tenant_path
from users.models import Role

pytestmark = pytest.mark.django_db

NOTIFICATIONS = tenant_path("notifications")


def test_list_returns_the_tenants_notifications_newest_first(as_tenant, tenant):
    # given two notifications of the tenant, one about a ticket (with a device and a
    # technician) and already read
    technician = UserFactory(role=Role.TECH, first_name="Tomás", last_name="Técnico")
    ticket = TicketFactory(cliente=tenant.user, device=DeviceFactory(owners=[tenant]), tecnico=technician)
    older = make_notification(tenant.user, titulo="Estado cambiado")
    newer = make_notification(
        tenant.user,
        ticket=ticket,
        titulo="Ticket creado",
        datos_adicionales={"evento": "ticket_creado", "ticket_id": ticket.pk},
        fecha_lectura=timezone.now(),
        estado=NotificationStatus.LEIDA,
    )

    # when the tenant lists them
    response = as_tenant.get(NOTIFICATIONS)

    # then both come back in the portal's shape, newest first
    assert response.status_code == 200
    body = response.json()
    assert {key: value for key, value in body.items() if key != "notifications"} == {
        "success": True,
        "total_notifications": 2,
        "total_count": 2,
        "unread_count": 1,
        "limit": 50,
        "offset": 0,
    }
    assert [row["id"] for row in body["notifications"]] == [newer.pk, older.pk]
    device = ticket.device
    assert body["notifications"][0] == {
        "id": newer.pk,
        "type": "estado_cambiado",
        "notification_type": "estado_cambiado",
        "title": "Ticket creado",
        "message": "Ticket creado.",
        "ticket_id": ticket.pk,
        "ticket_code": ticket.code,
        "ticket_title": ticket.titulo,
        "ticket_status": "open",
        "device": {
            "id": device.pk,
            "name": device.name,
            "brand": device.brand or None,
            "model": device.model or None,
            "system": device.system or None,
            "device_type": device.device_type or None,
        },
        "technical": {
            "id": technician.pk,
            "name": "Tomás Técnico",
            "email": technician.email,
            "phone": technician.number or None,
        },
        "read": True,
        "is_read": True,
        "read_at": newer.fecha_lectura.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "created_at": newer.fecha_creacion.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "data": {"evento": "ticket_creado", "ticket_id": ticket.pk},
    }
    about_nothing = body["notifications"][1]
    assert [about_nothing[key] for key in ("ticket_id", "ticket_code", "ticket_title", "ticket_status")] == [None] * 4
    assert (about_nothing["device"], about_nothing["technical"]) == (None, None)
    assert (about_nothing["read"], about_nothing["is_read"], about_nothing["read_at"]) == (False, False, None)


def test_list_is_paginated_and_runs_constant_queries(
    as_tenant, tenant, django_assert_max_num_queries, django_assert_num_queries
):
    make_notification(tenant.user, ticket=TicketFactory(cliente=tenant.user))
    with django_assert_max_num_queries(5) as captured:
        as_tenant.get(NOTIFICATIONS)
    for _ in range(49):
        make_notification(tenant.user, ticket=TicketFactory(cliente=tenant.user))

    with django_assert_num_queries(len(captured)):
        response = as_tenant.get(NOTIFICATIONS)
    assert len(response.json()["notifications"]) == 50

    page = as_tenant.get(NOTIFICATIONS, {"page": 2, "page_size": 20}).json()
    assert (len(page["notifications"]), page["total_notifications"]) == (20, 50)
    assert (page["limit"], page["offset"]) == (20, 20)
    window = as_tenant.get(NOTIFICATIONS, {"limit": 15, "offset": 45}).json()
    assert (len(window["notifications"]), window["limit"], window["offset"], window["total_count"]) == (5, 15, 45, 50)


def test_a_ticket_opened_in_the_portal_notifies_the_tenant(as_tenant, tenant, device):
    # when the tenant opens a ticket
    created = as_tenant.post(
        tenant_path("tickets"),
        {"device_id": device.pk, "category": "x", "title": "No enciende", "description": "x"},
        format="multipart",
    )

    # then its creation shows among their notifications
    rows = as_tenant.get(NOTIFICATIONS).json()["notifications"]
    assert [(row["type"], row["ticket_id"]) for row in rows] == [("ticket_creado", created.json()["ticket"]["id"])]


def test_read_marks_one_notification(as_tenant, tenant):
    # given an unread notification
    notification = make_notification(tenant.user)

    # when the tenant reads it (twice: idempotent)
    response = as_tenant.post(tenant_path(f"notifications/{notification.pk}/read"))
    again = as_tenant.post(tenant_path(f"notifications/{notification.pk}/read/"))

    # then it is read, once
    assert response.status_code == 200
    assert response.json()["message"] == "Notification marked as read"
    assert response.json()["success"] is True
    assert response.json()["notification"]["is_read"] is True
    assert response.json()["notification"]["id"] == notification.pk
    assert response.json()["notification"]["read"] is True
    notification.refresh_from_db()
    assert notification.estado == NotificationStatus.LEIDA
    assert again.status_code == 200
    assert again.json()["notification"]["read_at"] == response.json()["notification"]["read_at"]


def test_read_of_a_missing_notification_is_404(as_tenant):
    response = as_tenant.post(tenant_path("notifications/987654/read"))

    assert response.status_code == 404
    assert response.json() == {"error": "Not Found", "message": "Notification not found."}


def test_mark_all_read(as_tenant, tenant):
    # given two unread and one read notification
    make_notification(tenant.user)
    make_notification(tenant.user)
    make_notification(tenant.user, fecha_lectura=timezone.now(), estado=NotificationStatus.LEIDA)

    # when the tenant marks all as read
    response = as_tenant.post(tenant_path("notifications/mark-all-read"))

    # then the two unread ones changed
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "All notifications marked as read", "updated": 2}
    assert not Notification.objects.filter(usuario=tenant.user, fecha_lectura__isnull=True).exists()
    assert Notification.objects.filter(usuario=tenant.user, estado=NotificationStatus.LEIDA).count() == 3
