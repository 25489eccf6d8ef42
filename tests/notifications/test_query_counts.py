"""Every "Notificaciones" read runs the same number of SQL queries for 1 and for 50 rows."""

import pytest

from notifications.models import NotificationStatus, NotificationType
from tests.conftest import client_for
from tests.factories import TicketFactory, UserFactory
from tests.query_counts import assert_constant
from users.models import Role

pytestmark = pytest.mark.django_db

BASE = "/api/notifications/"


@pytest.fixture
def owner():
    return UserFactory(role=Role.CLIENT)


@pytest.fixture
def add_notifications(owner, make_notification):
    """n notifications of `owner`, each about its own ticket; every other one read."""
    made = []

    def add(n):
        for _ in range(n):
            ticket = TicketFactory(cliente=owner)
            made.append(make_notification(owner, ticket=ticket, read=len(made) % 2 == 1))

    return add


@pytest.mark.parametrize(
    ("query", "matching"),
    [
        ("", 50),
        ("?estado=ENVIADA", 25),
        ("?estado=LEIDA", 25),
        ("?tipo=estado_cambiado", 50),
        ("?tipo={tipo_id}", 50),
        ("?leidas=false", 25),
        ("?leidas=true&tipo=estado_cambiado", 25),
        ("?limit=50&offset=0", 50),
    ],
)
def test_list_with_and_without_filters(owner, add_notifications, query, matching):
    tipo_id = NotificationType.objects.get(codigo="estado_cambiado").pk
    path = BASE + query.format(tipo_id=tipo_id)

    response = assert_constant(client_for(owner), path, add_notifications)

    assert len(response.json()) == matching
    assert all(row["ticket_code"] for row in response.json())


def test_user_notifications(owner, add_notifications):
    response = assert_constant(client_for(owner), BASE + "user-notifications/?page_size=50", add_notifications)

    assert response.json()["total_notifications"] == 50
    assert len(response.json()["notifications"]) == 50


def test_stats(owner, add_notifications):
    response = assert_constant(client_for(owner), BASE + "stats/", add_notifications)

    assert response.json()["total"] == 50
    assert response.json()["no_leidas"] == 25


def test_detail(owner, make_notification, add_notifications):
    # the one asked for, among more and more of the same user's notifications
    notification = make_notification(owner, ticket=TicketFactory(cliente=owner), estado=NotificationStatus.PENDIENTE)

    response = assert_constant(client_for(owner), f"{BASE}{notification.pk}/", add_notifications)

    assert response.json()["id"] == notification.pk


def test_types(owner):
    def add(n):
        start = NotificationType.objects.count()
        for i in range(start, start + n):
            NotificationType.objects.create(codigo=f"tipo_extra_{i}", nombre=f"Tipo extra {i}")

    response = assert_constant(client_for(owner), BASE + "types/", add)

    assert len(response.json()) == NotificationType.objects.filter(es_activo=True).count()
    assert len(response.json()) >= 50
