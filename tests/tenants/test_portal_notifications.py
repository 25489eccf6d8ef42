"""Tenant portal notifications: the resident's own list, read one, read all."""

import pytest
from django.utils import timezone

from notifications.models import Notification, NotificationStatus
from tests.factories import TicketFactory
from tests.tenants.conftest import make_notification, tenant_path

pytestmark = pytest.mark.django_db

NOTIFICATIONS = tenant_path("notifications")


def test_list_returns_the_tenants_notifications_newest_first(as_tenant, tenant):
    # given two notifications of the tenant, one about a ticket and already read
    ticket = TicketFactory(cliente=tenant.user)
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
    assert body["total_notifications"] == 2
    assert [row["id"] for row in body["notifications"]] == [newer.pk, older.pk]
    assert body["notifications"][0] == {
        "id": newer.pk,
        "type": "estado_cambiado",
        "title": "Ticket creado",
        "message": "Ticket creado.",
        "ticket_id": ticket.pk,
        "ticket_code": ticket.code,
        "read": True,
        "read_at": body["notifications"][0]["read_at"],
        "created_at": body["notifications"][0]["created_at"],
        "data": {"evento": "ticket_creado", "ticket_id": ticket.pk},
    }
    assert body["notifications"][0]["read_at"] is not None
    assert body["notifications"][1]["ticket_id"] is None
    assert body["notifications"][1]["ticket_code"] is None
    assert body["notifications"][1]["read"] is False


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
    assert response.json() == {"message": "All notifications marked as read", "updated": 2}
    assert not Notification.objects.filter(usuario=tenant.user, fecha_lectura__isnull=True).exists()
    assert Notification.objects.filter(usuario=tenant.user, estado=NotificationStatus.LEIDA).count() == 3
