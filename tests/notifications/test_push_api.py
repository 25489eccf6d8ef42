"""Staff API: the caller's phones (/api/me/push-tokens/) and channel settings
(/api/me/notification-settings/), for every signed-in role."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from notifications.models import (
    DeliveryStatus,
    Notification,
    NotificationPreference,
    NotificationType,
    PushDelivery,
    PushToken,
)
from notifications.throttles import PushTokenRegisterThrottle
from tests.conftest import client_for
from tests.factories import UserFactory
from users.models import Role

pytestmark = pytest.mark.django_db

TOKENS = "/api/me/push-tokens/"
SETTINGS = "/api/me/notification-settings/"
EXPO = "ExponentPushToken[aaaaaaaaaaaaaaaaaaaaaa]"
FCM = "dGVzdC10b2tlbi1mY20tMTIzNDU2Nzg5:APA91bHun4MxP5egoKMwt2KZFBaFUH"


def body(token: str = EXPO, **fields) -> dict:
    return {"push_token": token, "token_type": "expo", "platform": "android", "device_type": "phone", **fields}


def make_token(user, token: str, *, minutes_ago: int = 0, **fields) -> PushToken:
    when = timezone.now() - timedelta(minutes=minutes_ago)
    defaults = {"token_type": "expo", "platform": "ios", "created_at": when, "last_registered_at": when}
    return PushToken.objects.create(usuario=user, token=token, **{**defaults, **fields})


def expo(n: int) -> str:
    return f"ExpoPushToken[token{n:04d}xxxxxxxxxxxxxx]"


# --- Registering ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMIN, Role.TECH, Role.CLIENT])
def test_every_staff_role_registers_a_phone(role):
    # given
    user = UserFactory(role=role)

    # when
    response = client_for(user).post(
        TOKENS,
        body(
            device_name="Pixel 7",
            app_ownership="standalone",
            is_standalone=True,
            execution_environment="standalone",
        ),
        format="json",
    )

    # then
    assert response.status_code == 201
    row = PushToken.objects.get()
    assert response.json() == {
        "id": row.pk,
        "push_token": EXPO,
        "token_type": "expo",
        "platform": "android",
        "device_type": "phone",
        "device_name": "Pixel 7",
        "app_ownership": "standalone",
        "is_standalone": True,
        "execution_environment": "standalone",
        "created_at": response.json()["created_at"],
        "last_registered_at": response.json()["last_registered_at"],
    }
    assert (row.usuario_id, row.is_active, row.retired_at) == (user.pk, True, None)


def test_an_fcm_token_with_only_the_required_fields():
    # given
    user = UserFactory(role=Role.TECH)

    # when
    response = client_for(user).post(
        TOKENS, {"push_token": FCM, "token_type": "fcm", "platform": "ios", "device_type": "tablet"}, format="json"
    )

    # then
    assert response.status_code == 201
    row = PushToken.objects.get()
    assert (row.token, row.token_type, row.device_name, row.is_standalone) == (FCM, "fcm", "", None)


def test_registering_again_refreshes_the_same_row():
    # given: the token registered an hour ago
    user = UserFactory(role=Role.TECH)
    old = make_token(user, EXPO, minutes_ago=60, device_name="Viejo")

    # when
    response = client_for(user).post(TOKENS, body(device_name="Nuevo"), format="json")

    # then
    assert response.status_code == 201
    old_created = old.created_at
    old.refresh_from_db()
    assert PushToken.objects.count() == 1
    assert (old.device_name, old.platform, old.created_at) == ("Nuevo", "android", old_created)
    assert old.last_registered_at > old_created


def test_a_retired_token_comes_back_to_life():
    # given
    user = UserFactory(role=Role.TECH)
    retired = make_token(user, EXPO, is_active=False, retired_at=timezone.now(), retired_reason="DeviceNotRegistered")

    # when
    response = client_for(user).post(TOKENS, body(), format="json")

    # then
    assert response.status_code == 201
    retired.refresh_from_db()
    assert (retired.is_active, retired.retired_at, retired.retired_reason) == (True, None, "")


def test_a_phone_that_changed_hands_moves_to_the_caller_and_reveals_nothing():
    # given: the token is another user's, with a push queued for them
    previous, caller = UserFactory(role=Role.TECH), UserFactory(role=Role.TECH)
    theirs = make_token(previous, EXPO, minutes_ago=600, device_name="Teléfono de Pedro")
    notification = Notification.objects.create(
        usuario=previous, tipo=NotificationType.objects.get(codigo="estado_cambiado"), titulo="t", mensaje="m"
    )
    queued = PushDelivery.objects.create(notification=notification, token=theirs)

    # when
    response = client_for(caller).post(TOKENS, body(), format="json")

    # then: the caller's token, registered now, with the caller's fields only
    assert response.status_code == 201
    theirs.refresh_from_db()
    assert theirs.usuario_id == caller.pk
    assert theirs.device_name == ""
    assert theirs.created_at > timezone.now() - timedelta(minutes=1)
    assert response.json()["device_name"] == ""
    # the previous owner no longer lists it, and their queued push will not reach the new owner
    assert client_for(previous).get(TOKENS).json() == []
    queued.refresh_from_db()
    assert queued.estado == DeliveryStatus.OMITIDA


def test_registering_past_the_bound_retires_the_least_recently_registered(settings):
    # given: the bound reached
    settings.PUSH_TOKENS_PER_USER = 3
    user = UserFactory(role=Role.TECH)
    oldest = make_token(user, expo(1), minutes_ago=30)
    make_token(user, expo(2), minutes_ago=20)
    make_token(user, expo(3), minutes_ago=10)

    # when
    response = client_for(user).post(TOKENS, body(expo(4)), format="json")

    # then
    assert response.status_code == 201
    oldest.refresh_from_db()
    assert (oldest.is_active, oldest.retired_reason) == (False, "limit")
    assert [row["push_token"] for row in client_for(user).get(TOKENS).json()] == [expo(4), expo(3), expo(2)]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"token_type": "apns"}, "token_type", '"apns" no es una elección válida.'),
        ({"platform": "web"}, "platform", '"web" no es una elección válida.'),
        (
            {"push_token": "ExponentPushToken[<script>]"},
            "push_token",
            "No es un token push de Expo (ExponentPushToken[...] o ExpoPushToken[...]).",
        ),
        (
            {"push_token": "abc"},
            "push_token",
            "No es un token push de Expo (ExponentPushToken[...] o ExpoPushToken[...]).",
        ),
        (
            {"push_token": EXPO, "token_type": "fcm"},
            "push_token",
            "No es un token de registro de FCM (20-255 caracteres: letras, dígitos, '-', '_', ':').",
        ),
        ({"push_token": "x" * 256}, "push_token", "Asegúrese de que este campo no tenga más de 255 caracteres."),
        ({"is_standalone": "true"}, "is_standalone", "Debe ser true o false."),
        ({"is_standalone": 1}, "is_standalone", "Debe ser true o false."),
        ({"device_name": "x" * 101}, "device_name", "Asegúrese de que este campo no tenga más de 100 caracteres."),
        ({"push_token": None}, "push_token", "Este campo no puede ser nulo."),
    ],
)
def test_invalid_registrations_are_400_naming_the_field(changes, field, message):
    # given
    user = UserFactory(role=Role.TECH)

    # when
    response = client_for(user).post(TOKENS, body(**changes), format="json")

    # then
    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert not PushToken.objects.exists()


def test_registration_is_throttled_per_user(monkeypatch):
    # given a rate of 2 per hour (DRF reads the rates once, when the throttle class is defined)
    monkeypatch.setattr(
        PushTokenRegisterThrottle,
        "THROTTLE_RATES",
        {**PushTokenRegisterThrottle.THROTTLE_RATES, "push_token_register": "2/hour"},
    )
    user = UserFactory(role=Role.TECH)
    api = client_for(user)

    # when
    statuses = [api.post(TOKENS, body(), format="json").status_code for _ in range(3)]

    # then: the third is refused; listing is not counted
    assert statuses == [201, 201, 429]
    assert api.get(TOKENS).status_code == 200


# --- Listing and removing ------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 50])
def test_the_list_is_the_callers_active_tokens_in_constant_queries(rows, settings, django_assert_max_num_queries):
    # given
    settings.PUSH_TOKENS_PER_USER = 50
    user = UserFactory(role=Role.ADMIN)
    for n in range(rows):
        make_token(user, expo(n), minutes_ago=n)
    make_token(user, expo(900), is_active=False)
    make_token(UserFactory(), expo(901))
    api = client_for(user)

    # when
    with django_assert_max_num_queries(3):
        response = api.get(TOKENS)

    # then
    assert response.status_code == 200
    assert [row["push_token"] for row in response.json()] == [expo(n) for n in range(rows)]


def test_removing_an_own_token_retires_it():
    # given
    user = UserFactory(role=Role.TECH)
    mine = make_token(user, EXPO)

    # when
    response = client_for(user).delete(f"{TOKENS}{mine.pk}/")

    # then
    assert response.status_code == 204
    mine.refresh_from_db()
    assert (mine.is_active, mine.retired_reason) == (False, "removed")


def test_removing_another_users_token_answers_like_an_unknown_one_and_changes_nothing():
    # given
    owner, caller = UserFactory(role=Role.TECH), UserFactory(role=Role.TECH)
    theirs = make_token(owner, EXPO)
    api = client_for(caller)

    # when
    other = api.delete(f"{TOKENS}{theirs.pk}/")
    unknown = api.delete(f"{TOKENS}{theirs.pk + 1000}/")

    # then
    assert other.status_code == unknown.status_code == 404
    assert other.json() == unknown.json() == {"detail": "Token push no encontrado.", "code": "push_token_not_found"}
    theirs.refresh_from_db()
    assert (theirs.usuario_id, theirs.is_active) == (owner.pk, True)


@pytest.mark.postgresql(reason="concurrent transactions on one token row (threads)")
@pytest.mark.django_db(transaction=True)
def test_two_registrations_of_one_token_at_once_make_one_row():
    # given: two users registering the same brand-new token at the same moment
    users = [UserFactory(role=Role.TECH), UserFactory(role=Role.TECH)]
    barrier = threading.Barrier(len(users))
    statuses: list[int] = []

    def register(user):
        try:
            api = client_for(user)
            barrier.wait()
            statuses.append(api.post(TOKENS, body(), format="json").status_code)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=register, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then: both answered, one row, owned by one of them, active
    assert statuses == [201, 201]
    row = PushToken.objects.get()
    assert row.usuario_id in {user.pk for user in users}
    assert row.is_active


@pytest.mark.postgresql(reason="concurrent transactions on one user's tokens (threads)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_of_one_user_keep_the_bound(settings):
    # given: one slot left under the bound, and four phones of the user registering at once
    settings.PUSH_TOKENS_PER_USER = 3
    user = UserFactory(role=Role.TECH)
    make_token(user, expo(1), minutes_ago=20)
    make_token(user, expo(2), minutes_ago=10)
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def register(n):
        try:
            api = client_for(user)
            barrier.wait()
            statuses.append(api.post(TOKENS, body(expo(n)), format="json").status_code)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=register, args=(n,)) for n in range(10, 14)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then: every call answered, and exactly the bound is active (the older ones retired)
    assert statuses == [201] * 4
    assert PushToken.objects.filter(usuario=user, is_active=True).count() == 3
    assert not PushToken.objects.filter(token__in=[expo(1), expo(2)], is_active=True).exists()


# --- Notification settings -----------------------------------------------------------------


def test_settings_list_every_type_of_a_technician_with_its_channels():
    # given: one deviation stored
    user = UserFactory(role=Role.TECH)
    NotificationPreference.objects.create(
        usuario=user, tipo=NotificationType.objects.get(codigo="estado_cambiado"), email=True, push=False
    )

    # when
    response = client_for(user).get(SETTINGS)

    # then
    assert response.status_code == 200
    items = {item["codigo"]: item for item in response.json()["settings"]}
    assert set(items) == set(NotificationType.objects.filter(es_activo=True).values_list("codigo", flat=True))
    assert items["estado_cambiado"] == {
        "codigo": "estado_cambiado",
        "nombre": "Estado cambiado",
        "descripcion": "El ticket pasó a otro estado.",
        "channels": {"in_app": True, "email": True, "push": False},
        "defaults": {"in_app": True, "email": True, "push": True},
        "locked": ["in_app"],
    }
    assert items["mensaje_nuevo"]["channels"] == {"in_app": True, "email": False, "push": True}
    assert items["bienvenida"]["locked"] == ["in_app", "email"]


def test_a_staff_client_is_not_offered_staff_only_types():
    # when
    response = client_for(UserFactory(role=Role.CLIENT)).get(SETTINGS)

    # then
    codigos = {item["codigo"] for item in response.json()["settings"]}
    assert not codigos & {"nota_interna", "solicitud_cambio_estado", "ticket_asignado", "tecnico_cambiado"}
    assert "estado_cambiado" in codigos


def test_put_changes_only_the_types_and_channels_sent(django_assert_max_num_queries):
    # given
    user = UserFactory(role=Role.ADMIN)
    api = client_for(user)

    # when
    with django_assert_max_num_queries(12):
        response = api.put(
            SETTINGS,
            {
                "settings": [
                    {"codigo": "ticket_creado", "channels": {"email": False}},
                    {"codigo": "mensaje_nuevo", "channels": {"email": True, "push": False, "in_app": True}},
                ]
            },
            format="json",
        )

    # then
    assert response.status_code == 200
    items = {item["codigo"]: item["channels"] for item in response.json()["settings"]}
    assert items["ticket_creado"] == {"in_app": True, "email": False, "push": True}
    assert items["mensaje_nuevo"] == {"in_app": True, "email": True, "push": False}
    assert items["estado_cambiado"] == {"in_app": True, "email": True, "push": True}
    stored = set(NotificationPreference.objects.filter(usuario=user).values_list("tipo__codigo", "email", "push"))
    assert stored == {("ticket_creado", False, True), ("mensaje_nuevo", True, False)}
    assert api.get(SETTINGS).json()["settings"] == response.json()["settings"]


def test_the_get_answer_can_be_sent_back_as_it_is():
    # given
    api = client_for(UserFactory(role=Role.TECH))
    current = api.get(SETTINGS).json()

    # when
    response = api.put(SETTINGS, current, format="json")

    # then
    assert response.status_code == 200
    assert response.json() == current
    assert not NotificationPreference.objects.exists()


UNKNOWN = {"codigo": ["Tipo de notificación desconocido: 'no_existe'."]}
NOT_A_BOOLEAN = ["Debe ser true o false."]


@pytest.mark.parametrize(
    ("item", "error"),
    [
        ({"codigo": "no_existe", "channels": {"push": False}}, UNKNOWN),
        (
            {"codigo": "bienvenida", "channels": {"email": False}},
            {"channels": {"email": ["Los correos de la cuenta no se pueden desactivar."]}},
        ),
        (
            {"codigo": "ticket_creado", "channels": {"in_app": False}},
            {"channels": {"in_app": ["Las notificaciones en la aplicación no se pueden desactivar."]}},
        ),
        ({"codigo": "ticket_creado", "channels": {"push": "no"}}, {"channels": {"push": NOT_A_BOOLEAN}}),
        (
            {"codigo": "ticket_creado", "channels": {"sms": True}},
            {"channels": {"sms": ["Canal desconocido (in_app, email, push)."]}},
        ),
    ],
)
def test_invalid_settings_are_400_naming_the_item_and_change_nothing(item, error):
    # given
    user = UserFactory(role=Role.TECH)

    # when: a valid first item and an invalid second one
    response = client_for(user).put(
        SETTINGS, {"settings": [{"codigo": "estado_cambiado", "channels": {"push": False}}, item]}, format="json"
    )

    # then
    assert response.status_code == 400
    assert response.json() == {"settings": {"1": error}}
    assert not NotificationPreference.objects.filter(usuario=user).exists()


def test_staff_only_types_are_unknown_to_a_client():
    # when
    response = client_for(UserFactory(role=Role.CLIENT)).put(
        SETTINGS, {"settings": [{"codigo": "nota_interna", "channels": {"push": False}}]}, format="json"
    )

    # then
    assert response.status_code == 400
    assert response.json() == {"settings": {"0": {"codigo": ["Tipo de notificación desconocido: 'nota_interna'."]}}}


def test_a_type_twice_is_400():
    response = client_for(UserFactory(role=Role.TECH)).put(
        SETTINGS,
        {"settings": [{"codigo": "estado_cambiado", "channels": {}}, {"codigo": "estado_cambiado", "channels": {}}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"settings": ["Cada tipo una sola vez; repetidos: estado_cambiado."]}


@pytest.mark.parametrize("stored", [1, "all"])
def test_settings_are_read_in_constant_queries(stored, django_assert_max_num_queries):
    # given: one stored choice, or one for every type
    user = UserFactory(role=Role.ADMIN)
    types = list(NotificationType.objects.order_by("id"))
    for tipo in types[:1] if stored == 1 else types:
        NotificationPreference.objects.create(usuario=user, tipo=tipo, email=not tipo.envia_email, push=False)
    api = client_for(user)

    # when: authentication, the types and the choices
    with django_assert_max_num_queries(4):
        response = api.get(SETTINGS)

    # then
    assert response.status_code == 200
    assert len([item for item in response.json()["settings"] if not item["channels"]["push"]]) == (
        1 if stored == 1 else len(types)
    )
