"""The "Notificaciones" endpoints: documented shapes, validation, and strict per-user scope."""

import pytest

from notifications.models import Notification, NotificationStatus, NotificationType
from tests.conftest import client_for
from tests.factories import UserFactory
from users.models import Role

pytestmark = pytest.mark.django_db

BASE = "/api/notifications/"
NOTIFICATION_KEYS = {
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
}


@pytest.fixture
def owner():
    return UserFactory(role=Role.CLIENT)


@pytest.fixture
def stranger():
    return UserFactory(role=Role.CLIENT)


def test_list_is_an_array_of_only_my_notifications_newest_first(owner, stranger, make_notification):
    # given two notifications of mine and one of someone else
    first = make_notification(owner, titulo="Primera")
    second = make_notification(owner, titulo="Segunda")
    make_notification(stranger)

    # when
    response = client_for(owner).get(BASE)

    # then
    assert response.status_code == 200
    body = response.json()
    assert [n["id"] for n in body] == [second.pk, first.pk]
    assert set(body[0]) == NOTIFICATION_KEYS
    assert body[0]["tipo"]["codigo"] == "estado_cambiado"
    assert response["X-Total-Count"] == "2"


@pytest.mark.parametrize(
    ("query", "expected_titles"),
    [
        ({"estado": "FALLIDA"}, {"fallida"}),
        ({"estado": "LEIDA"}, {"leida"}),
        ({"leidas": "true"}, {"leida"}),
        ({"leidas": "false"}, {"fallida", "enviada", "otro-tipo"}),
        ({"tipo": "ticket_cancelado"}, {"otro-tipo"}),
        ({"limit": "1", "offset": "0"}, {"otro-tipo"}),
    ],
)
def test_list_filters(owner, make_notification, query, expected_titles):
    # given one notification per case
    make_notification(owner, titulo="fallida", estado=NotificationStatus.FALLIDA)
    make_notification(owner, titulo="leida", read=True)
    make_notification(owner, titulo="enviada")
    make_notification(owner, titulo="otro-tipo", codigo="ticket_cancelado")

    # when
    response = client_for(owner).get(BASE, query)

    # then
    assert response.status_code == 200
    assert {n["titulo"] for n in response.json()} == expected_titles


def test_list_filter_tipo_by_id(owner, make_notification):
    make_notification(owner, titulo="a", codigo="ticket_cancelado")
    make_notification(owner, titulo="b")
    tipo_id = NotificationType.objects.get(codigo="ticket_cancelado").pk
    response = client_for(owner).get(BASE, {"tipo": str(tipo_id)})
    assert [n["titulo"] for n in response.json()] == ["a"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"estado": "NUEVA"}, "estado"),
        ({"leidas": "quizas"}, "leidas"),
        ({"tipo": "no válido!"}, "tipo"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "diez"}, "limit"),
        ({"offset": "x"}, "offset"),
    ],
)
def test_list_rejects_bad_filters_naming_the_parameter(owner, query, field):
    response = client_for(owner).get(BASE, query)
    assert response.status_code == 400
    assert field in response.json()


def test_detail_of_my_notification(owner, make_notification):
    notification = make_notification(owner)
    response = client_for(owner).get(f"{BASE}{notification.pk}/")
    assert response.status_code == 200
    assert response.json()["id"] == notification.pk
    assert set(response.json()) == NOTIFICATION_KEYS


@pytest.mark.parametrize(
    "path",
    ["{id}/", "{id}", "{id}/mark-read/", "{id}/mark-read"],
)
def test_someone_elses_notification_is_404_and_untouched(owner, stranger, make_notification, path):
    # given a notification of another user
    theirs = make_notification(stranger)

    # when I read it or mark it read
    client = client_for(owner)
    url = BASE + path.format(id=theirs.pk)
    response = client.post(url) if "mark-read" in path else client.get(url)

    # then it does not exist for me, and nothing changed
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.fecha_lectura is None
    assert theirs.estado == NotificationStatus.ENVIADA


def test_unknown_notification_is_404(owner):
    assert client_for(owner).get(f"{BASE}999999/").status_code == 404


def test_stats_count_my_notifications_in_every_state(owner, stranger, make_notification):
    # given
    make_notification(owner, estado=NotificationStatus.PENDIENTE)
    make_notification(owner, estado=NotificationStatus.ENVIADA)
    make_notification(owner, estado=NotificationStatus.ENVIADA)
    make_notification(owner, estado=NotificationStatus.FALLIDA)
    make_notification(owner, read=True)
    make_notification(stranger)

    # when
    response = client_for(owner).get(f"{BASE}stats/")

    # then
    assert response.status_code == 200
    assert response.json() == {
        "total": 5,
        "pendientes": 1,
        "enviadas": 2,
        "leidas": 1,
        "fallidas": 1,
        "no_leidas": 4,
    }


def test_types_lists_the_active_catalog(owner):
    # given one type switched off
    NotificationType.objects.filter(codigo="ticket_asignado").update(es_activo=False)

    # when
    response = client_for(owner).get(f"{BASE}types/")

    # then
    codes = [t["codigo"] for t in response.json()]
    assert response.status_code == 200
    assert "ticket_asignado" not in codes
    assert set(codes) == {
        "ticket_creado",
        "tecnico_cambiado",
        "estado_cambiado",
        "solicitud_cambio_estado",
        "cambio_estado_aprobado",
        "cambio_estado_rechazado",
        "ticket_finalizado",
        "ticket_cancelado",
        "bienvenida",
        "password_reset",
        "mensaje_nuevo",
        "nota_interna",
        "visita_agendada",
        "visita_reprogramada",
        "visita_cancelada",
        "visita_recordatorio",
        "visita_calificar",
        "sla_en_riesgo",
        "sla_incumplido",
    }


def test_user_notifications_is_the_documented_envelope(owner, stranger, make_notification):
    # given
    for _ in range(3):
        make_notification(owner)
    make_notification(stranger)

    # when a page of two is asked for
    response = client_for(owner).get(f"{BASE}user-notifications/", {"page_size": 2})

    # then the total counts them all and the page holds two
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Historial de notificaciones"
    assert body["total_notifications"] == 3
    assert len(body["notifications"]) == 2


@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_mark_read_accepts_post_put_and_patch(owner, make_notification, method):
    # given
    notification = make_notification(owner)

    # when
    response = getattr(client_for(owner), method)(f"{BASE}{notification.pk}/mark-read/")

    # then
    assert response.status_code == 200
    assert response.json()["message"] == "Notificación marcada como leída"
    assert response.json()["notification"]["leida"] is True
    notification.refresh_from_db()
    assert notification.estado == NotificationStatus.LEIDA
    assert notification.fecha_lectura is not None


def test_mark_read_twice_keeps_the_first_reading_time(owner, make_notification):
    notification = make_notification(owner)
    client = client_for(owner)
    client.post(f"{BASE}{notification.pk}/mark-read/")
    first = Notification.objects.get(pk=notification.pk).fecha_lectura
    assert client.post(f"{BASE}{notification.pk}/mark-read/").status_code == 200
    assert Notification.objects.get(pk=notification.pk).fecha_lectura == first


def test_mark_all_read_only_touches_mine(owner, stranger, make_notification):
    # given
    make_notification(owner)
    make_notification(owner, read=True)
    theirs = make_notification(stranger)

    # when
    response = client_for(owner).post(f"{BASE}mark-all-read/")

    # then
    assert response.status_code == 200
    assert response.json()["updated"] == 1
    assert not Notification.objects.filter(usuario=owner, fecha_lectura__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.fecha_lectura is None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", ""),
        ("get", "1/"),
        ("get", "stats/"),
        ("get", "types/"),
        ("get", "user-notifications/"),
        ("post", "1/mark-read/"),
        ("post", "mark-all-read/"),
    ],
)
def test_anonymous_is_401_everywhere(api_client, method, path):
    assert getattr(api_client, method)(BASE + path).status_code == 401


@pytest.mark.parametrize("path", ["", "user-notifications/"])
def test_lists_run_the_same_queries_for_1_and_50_rows(owner, make_notification, django_assert_num_queries, path):
    # given one notification, measure; then fifty
    client = client_for(owner)
    make_notification(owner)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(BASE + path).status_code == 200
    for _ in range(49):
        make_notification(owner)

    # then fifty rows cost exactly as many queries as one
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(BASE + path, {"page_size": 50, "limit": 50} if path else {"limit": 50})
    assert response.status_code == 200
