"""Tenant portal: the app's push tokens and notification settings (REAL-CLIENTS.md §2)."""

import re

import pytest
from django.utils import timezone

from notifications.models import NotificationPreference, NotificationType, PushToken
from notifications.preferences import types_for_user
from tests.factories import UserFactory
from tests.tenants.conftest import tenant_path
from users.models import Role

pytestmark = pytest.mark.django_db

REGISTER = tenant_path("register-push-token")
REMOVE = tenant_path("remove-push-token")
TOKENS = tenant_path("push-tokens")
SETTINGS = tenant_path("notification-settings")
EXPO = "ExponentPushToken[bbbbbbbbbbbbbbbbbbbbbb]"
UTC_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
INVALID = "The given data was invalid."


def app_body(token: str = EXPO, **fields) -> dict:
    """What the residents' app sends (Expo, a standalone Android build)."""
    return {
        "push_token": token,
        "token_type": "expo",
        "platform": "android",
        "device_type": "PHONE",
        "device_name": "Galaxy A54",
        "app_ownership": "standalone",
        "is_standalone": True,
        "execution_environment": "standalone",
        **fields,
    }


def test_the_app_registers_its_token(as_tenant, tenant):
    # when
    response = as_tenant.post(REGISTER, app_body(), format="json")

    # then
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Push token registered successfully"}
    row = PushToken.objects.get()
    assert (row.usuario_id, row.token, row.platform, row.device_name, row.is_standalone, row.is_active) == (
        tenant.user.pk,
        EXPO,
        "android",
        "Galaxy A54",
        True,
        True,
    )


def test_the_new_expo_spelling_and_missing_optional_fields_are_accepted(as_tenant):
    # when
    response = as_tenant.post(
        REGISTER,
        {"push_token": "ExpoPushToken[abc-DEF_123]", "token_type": "expo", "platform": "ios", "device_type": "PHONE"},
        format="json",
    )

    # then
    assert response.status_code == 200
    assert PushToken.objects.get().token == "ExpoPushToken[abc-DEF_123]"


def test_a_token_of_another_resident_moves_to_the_caller(as_tenant, tenant, as_other_tenant, other_tenant):
    # given: the phone was the other resident's
    as_other_tenant.post(REGISTER, app_body(), format="json")

    # when
    response = as_tenant.post(REGISTER, app_body(device_name="Mío"), format="json")

    # then: the same answer as for a new token; one row, now the caller's
    assert response.json() == {"success": True, "message": "Push token registered successfully"}
    row = PushToken.objects.get()
    assert (row.usuario_id, row.device_name) == (tenant.user.pk, "Mío")
    assert as_other_tenant.get(TOKENS).json() == {"success": True, "push_tokens": [], "count": 0}


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"token_type": "apns"}, {"token_type": ['"apns" is not a valid choice.']}),
        ({"platform": "windows"}, {"platform": ['"windows" is not a valid choice.']}),
        (
            {"push_token": "ExponentPushToken[]"},
            {"push_token": ["Not an Expo push token (ExponentPushToken[...] or ExpoPushToken[...])."]},
        ),
        ({"is_standalone": "yes"}, {"is_standalone": ["Must be true or false."]}),
        ({"push_token": ""}, {"push_token": ["This field may not be blank."]}),
    ],
)
def test_invalid_registrations_are_422_naming_the_field(as_tenant, changes, errors):
    # when
    response = as_tenant.post(REGISTER, app_body(**changes), format="json")

    # then
    assert response.status_code == 422
    assert response.json() == {"message": INVALID, "errors": errors}
    assert not PushToken.objects.exists()


def test_a_missing_token_is_422(as_tenant):
    response = as_tenant.post(REGISTER, {"token_type": "expo", "platform": "ios", "device_type": "x"}, format="json")
    assert response.status_code == 422
    assert response.json() == {"message": INVALID, "errors": {"push_token": ["This field is required."]}}


def test_removing_the_own_token_retires_it(as_tenant, tenant):
    # given
    as_tenant.post(REGISTER, app_body(), format="json")

    # when
    response = as_tenant.post(REMOVE, {"push_token": EXPO}, format="json")

    # then
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Push token removed successfully"}
    row = PushToken.objects.get()
    assert (row.is_active, row.retired_reason) == (False, "removed")
    assert as_tenant.get(TOKENS).json()["count"] == 0


def test_removing_another_users_token_answers_the_same_and_changes_nothing(as_tenant, other_tenant, as_other_tenant):
    # given: the other resident's token
    as_other_tenant.post(REGISTER, app_body(), format="json")

    # when: removing it, and removing a token nobody has
    theirs = as_tenant.post(REMOVE, {"push_token": EXPO}, format="json")
    unknown = as_tenant.post(REMOVE, {"push_token": "ExponentPushToken[nobody]"}, format="json")

    # then
    assert theirs.status_code == unknown.status_code == 200
    assert theirs.json() == unknown.json() == {"success": True, "message": "Push token removed successfully"}
    row = PushToken.objects.get()
    assert (row.usuario_id, row.is_active) == (other_tenant.user.pk, True)


def test_removing_without_a_token_is_422(as_tenant):
    response = as_tenant.post(REMOVE, {}, format="json")
    assert response.status_code == 422
    assert response.json() == {"message": INVALID, "errors": {"push_token": ["This field is required."]}}


@pytest.mark.parametrize("rows", [1, 50])
def test_the_list_has_the_callers_active_tokens_in_constant_queries(
    rows, settings, as_tenant, tenant, django_assert_max_num_queries
):
    # given
    settings.PUSH_TOKENS_PER_USER = 50
    now = timezone.now()
    for n in range(rows):
        PushToken.objects.create(
            usuario=tenant.user,
            token=f"ExpoPushToken[t{n:03d}]",
            token_type="expo",
            platform="ios",
            last_registered_at=now - timezone.timedelta(minutes=n),
        )
    PushToken.objects.create(usuario=tenant.user, token="ExpoPushToken[old]", token_type="expo", platform="ios",
                             is_active=False)  # fmt: skip
    PushToken.objects.create(usuario=UserFactory(), token="ExpoPushToken[x]", token_type="expo", platform="ios")

    # when
    with django_assert_max_num_queries(4):
        response = as_tenant.get(TOKENS)

    # then
    body = response.json()
    assert response.status_code == 200
    assert body["success"] is True
    assert body["count"] == rows
    assert [item["push_token"] for item in body["push_tokens"]] == [f"ExpoPushToken[t{n:03d}]" for n in range(rows)]
    first = body["push_tokens"][0]
    assert set(first) == {
        "id",
        "push_token",
        "token_type",
        "platform",
        "device_type",
        "device_name",
        "app_ownership",
        "is_standalone",
        "execution_environment",
        "created_at",
        "last_registered_at",
    }
    assert UTC_STAMP.match(first["created_at"])
    assert UTC_STAMP.match(first["last_registered_at"])


# --- Notification settings -----------------------------------------------------------------


def test_settings_list_the_types_a_resident_receives(as_tenant):
    # when
    response = as_tenant.get(SETTINGS)

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    items = {item["notification_type"]: item for item in body["settings"]}
    expected = set(
        NotificationType.objects.filter(es_activo=True)
        .exclude(codigo__in=["nota_interna", "solicitud_cambio_estado", "ticket_asignado", "tecnico_cambiado"])
        .values_list("codigo", flat=True)
    )
    assert set(items) == expected
    assert items["mensaje_nuevo"] == {
        "notification_type": "mensaje_nuevo",
        "name": "Mensaje nuevo",
        "description": "Un participante escribió en el ticket.",
        "channels": {"in_app": True, "email": False, "push": True},
        "defaults": {"in_app": True, "email": False, "push": True},
        "locked": ["in_app"],
    }
    assert items["password_reset"]["locked"] == ["in_app", "email"]


def test_settings_change_what_is_sent(as_tenant, tenant):
    # when
    response = as_tenant.put(
        SETTINGS,
        {"settings": [{"notification_type": "estado_cambiado", "channels": {"push": False, "email": False}}]},
        format="json",
    )

    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["success"], body["message"]) == (True, "Notification settings updated")
    items = {item["notification_type"]: item["channels"] for item in body["settings"]}
    assert items["estado_cambiado"] == {"in_app": True, "email": False, "push": False}
    assert list(NotificationPreference.objects.values_list("usuario_id", "tipo__codigo", "email", "push")) == [
        (tenant.user.pk, "estado_cambiado", False, False)
    ]
    assert as_tenant.get(SETTINGS).json()["settings"] == body["settings"]


@pytest.mark.parametrize(
    ("item", "errors"),
    [
        (
            {"notification_type": "nota_interna", "channels": {"push": False}},
            {"settings.1.notification_type": ["Unknown notification type 'nota_interna'."]},
        ),
        (
            {"notification_type": "password_reset", "channels": {"email": False}},
            {"settings.1.channels.email": ["Account e-mails cannot be turned off."]},
        ),
        (
            {"notification_type": "estado_cambiado", "channels": {"in_app": False}},
            {"settings.1.channels.in_app": ["In-app notifications cannot be turned off."]},
        ),
        (
            {"notification_type": "estado_cambiado", "channels": {"push": 0}},
            {"settings.1.channels.push": ["Must be true or false."]},
        ),
        ({"channels": {"push": False}}, {"settings.1.notification_type": ["This field is required."]}),
    ],
)
def test_invalid_settings_are_422_naming_the_item_and_field(as_tenant, item, errors):
    # when: a valid first item and an invalid second one
    response = as_tenant.put(
        SETTINGS,
        {"settings": [{"notification_type": "mensaje_nuevo", "channels": {"email": True}}, item]},
        format="json",
    )

    # then
    assert response.status_code == 422
    assert response.json() == {"message": INVALID, "errors": errors}
    assert not NotificationPreference.objects.exists()


def test_settings_without_a_list_are_422(as_tenant):
    response = as_tenant.put(SETTINGS, {"settings": {"estado_cambiado": {"push": False}}}, format="json")
    assert response.status_code == 422
    assert response.json()["errors"] == {"settings": ['Expected a list of items but got type "dict".']}


def test_staff_cannot_use_the_portal_routes():
    # given: a technician's token (the staff API's /api/me/... routes are theirs)
    from tests.conftest import client_for

    api = client_for(UserFactory(role=Role.TECH))

    # when / then
    assert api.post(REGISTER, app_body(), format="json").status_code == 403
    assert api.get(SETTINGS).status_code == 403
    assert not PushToken.objects.exists()


@pytest.mark.parametrize("stored", [1, "all"])
def test_settings_are_read_in_constant_queries(stored, as_tenant, tenant, django_assert_max_num_queries):
    # given: one stored choice, or one for every type a resident receives
    types = types_for_user(user=tenant.user)
    for tipo in types[:1] if stored == 1 else types:
        NotificationPreference.objects.create(usuario=tenant.user, tipo=tipo, email=True, push=False)

    # when: authentication, the resident's profile, the types and the choices
    with django_assert_max_num_queries(5):
        response = as_tenant.get(SETTINGS)

    # then
    assert response.status_code == 200
    pushes_off = [item for item in response.json()["settings"] if not item["channels"]["push"]]
    assert len(pushes_off) == (1 if stored == 1 else len(types))
