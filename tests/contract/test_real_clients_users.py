"""Users and edits as the real web front end uses them (REAL-CLIENTS.md §1).

The front end reads the users lists whole, sends the whole merged record when it edits a
user, uses PUT where the document says PATCH/POST, and shows the API's error messages to
Spanish-speaking staff.
"""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.test import override_settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from notifications.models import Notification, NotificationType
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.users.conftest import expected_user, snapshot
from users.models import Role, User
from users.tokens import issue_tokens

pytestmark = pytest.mark.django_db

LISTS = [
    ("/api/users/", None),
    ("/api/admins/", Role.ADMIN),
    ("/api/technicians/", Role.TECH),
    ("/api/clients/", Role.CLIENT),
]


def documents(role: str | None) -> list[str]:
    users = User.objects.filter(role=role) if role else User.objects.all()
    return list(users.order_by("last_name", "first_name", "id").values_list("document", flat=True))


def merged_record(user: User, **changes) -> dict:
    """What the user edit page sends: the record it read, with the edited fields merged in."""
    user = User.objects.get(pk=user.pk)
    record = {
        "email": user.email,
        "role": user.role,
        "is_active": user.is_active,
        "document": user.document,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "number": user.number,
    }
    return {**record, **changes}


# --- users lists: the complete array ---------------------------------------------------------


@pytest.mark.parametrize(("url", "role"), LISTS)
def test_users_lists_answer_every_user_without_paging_parameters(as_admin, url, role):
    # given 60 users of the list's role (and the requesting admin)
    UserFactory.create_batch(60, role=role or Role.TECH)
    expected = documents(role)

    # when the list is requested as the front end does, with no paging parameter
    response = as_admin.get(url)

    # then one array with every user (no silent cut at 50), the total in the header, no Link
    assert response.status_code == 200
    assert [user["document"] for user in response.json()] == expected
    assert len(expected) > 60 if role is None else len(expected) >= 60
    assert response["X-Total-Count"] == str(len(expected))
    assert "Link" not in response


def test_users_list_items_carry_what_the_front_end_reads(as_admin, admin_user):
    # when the list is read
    response = as_admin.get("/api/users/")

    # then each item is the documented user, with the keys the front end resolves names from
    assert response.json() == [expected_user(admin_user)]
    assert {"document", "first_name", "last_name", "email", "number", "role", "is_active"} <= set(response.json()[0])
    assert {"date_joined", "profile_picture"} <= set(response.json()[0])


@override_settings(MAX_UNPAGED_RESULTS=10)
@pytest.mark.parametrize(("url", "role"), LISTS)
def test_users_lists_past_the_limit_answer_the_first_page_with_total_and_link(as_admin, url, role):
    # given more users than MAX_UNPAGED_RESULTS, and more than a page of 50
    UserFactory.create_batch(60, role=role or Role.TECH)
    expected = documents(role)

    # when the list is requested without paging parameters
    response = as_admin.get(url)

    # then a bounded answer: the first page of 50, the total, and a link to the next page
    assert response.status_code == 200
    assert [user["document"] for user in response.json()] == expected[:50]
    assert response["X-Total-Count"] == str(len(expected))
    assert response["Link"] == f'<http://testserver{url}?limit=50&offset=50>; rel="next"'


@pytest.mark.parametrize(
    ("params", "window"),
    [({"page": 2, "page_size": 20}, (20, 40)), ({"limit": 15, "offset": 45}, (45, 60)), ({"page": 2}, (50, 100))],
)
def test_users_list_pages_on_request_with_headers(as_admin, params, window):
    # given 61 users
    UserFactory.create_batch(60)
    expected = documents(None)

    # when a page is asked for
    response = as_admin.get("/api/users/", params)

    # then that page, the total and the neighbours
    assert response.status_code == 200
    assert [user["document"] for user in response.json()] == expected[window[0] : window[1]]
    assert response["X-Total-Count"] == "61"
    assert 'rel="prev"' in response["Link"]
    assert ('rel="next"' in response["Link"]) is (window[1] < 61)


# --- edits: the whole merged record ----------------------------------------------------------


def test_update_user_accepts_the_merged_record_and_changes_only_what_differs(as_admin):
    # given a technician
    user = UserFactory(role=Role.TECH, number=None)
    before = snapshot(user)

    # when the edit page sends the whole record with a new last name (number still empty)
    response = as_admin.patch(
        f"/api/users/update-user/{user.document}/",
        merged_record(user, last_name="Nuevo Apellido", number=""),
        format="json",
    )

    # then accepted: only the last name changed
    assert response.status_code == 200
    assert response.json() == {"message": "Datos actualizados correctamente.", "user": expected_user(user)}
    assert snapshot(user) == {**before, "last_name": "Nuevo Apellido"}


def test_update_user_refuses_a_changed_protected_field_naming_it(as_admin):
    # given an active client
    user = UserFactory()
    before = snapshot(user)

    # when the merged record deactivates them (activation has its own endpoints)
    response = as_admin.patch(
        f"/api/users/update-user/{user.document}/", merged_record(user, is_active=False, first_name="X"), format="json"
    )

    # then 400 names is_active and nothing changed
    assert response.status_code == 400
    assert response.json() == {
        "detail": "No puedes modificar estos campos.",
        "code": "field_not_editable",
        "is_active": ["Este campo no se puede modificar."],
    }
    assert snapshot(user) == before


@pytest.mark.parametrize("path", ["/api/me/", "/api/me/{document}/"])
@pytest.mark.parametrize("role", [Role.CLIENT, Role.TECH])
def test_own_profile_accepts_the_record_sent_back_with_role_state_and_document(path, role):
    # given a non-admin user
    user = UserFactory(role=role)
    before = snapshot(user)

    # when they send their own record back with a new phone number
    response = client_for(user).patch(
        path.format(document=user.document), merged_record(user, number="+57 301 0000001"), format="json"
    )

    # then accepted: role, is_active, document and e-mail unchanged are not changes
    assert response.status_code == 200
    assert response.json() == {"message": "Datos actualizados correctamente.", "user": expected_user(user)}
    assert snapshot(user) == {**before, "number": "+57 301 0000001"}


@pytest.mark.parametrize("path", ["/api/me/", "/api/me/{document}/"])
@pytest.mark.parametrize(
    ("field", "value"),
    [("role", Role.ADMIN), ("is_active", False), ("document", "OTRO-123"), ("email", "otro@example.com")],
)
def test_own_profile_refuses_a_changed_protected_field_naming_it(path, field, value):
    # given a technician
    user = UserFactory(role=Role.TECH)
    before = snapshot(user)

    # when their record comes back with a protected field changed
    response = client_for(user).patch(
        path.format(document=user.document), merged_record(user, **{field: value, "first_name": "X"}), format="json"
    )

    # then 400 names that field only, and nothing changed
    assert response.status_code == 400
    assert response.json() == {
        "detail": "No puedes modificar estos campos.",
        "code": "field_not_editable",
        field: ["Este campo no se puede modificar."],
    }
    assert snapshot(user) == before


# --- PUT answers like the documented method --------------------------------------------------


def _world():
    admin = UserFactory(role=Role.ADMIN)
    client = UserFactory(role=Role.CLIENT)
    target = UserFactory(role=Role.TECH)
    tipo = NotificationType.objects.get(codigo="estado_cambiado")
    notification = Notification.objects.create(usuario=client, tipo=tipo, titulo="Aviso", mensaje="Texto")
    return admin, client, target, notification


# (documented method, path, caller, body): successes and refusals alike.
PUT_ALIASES = {
    "me": ("patch", "/api/me/", "client", lambda w: {"first_name": "Nueva"}),
    "me: merged record": ("patch", "/api/me/", "client", lambda w: merged_record(w.client, last_name="Otro")),
    "me: role changed": ("patch", "/api/me/", "client", lambda w: merged_record(w.client, role=Role.ADMIN)),
    "me/{document}": ("patch", "/api/me/{w.client.document}/", "client", lambda w: {"number": "+57 301 0000009"}),
    "me/{document}: someone else": ("patch", "/api/me/{w.target.document}/", "client", lambda w: {"first_name": "X"}),
    "update-user": (
        "patch",
        "/api/users/update-user/{w.target.document}/",
        "admin",
        lambda w: merged_record(w.target, email="nuevo@example.com", role=Role.CLIENT),
    ),
    "update-user: is_active changed": (
        "patch",
        "/api/users/update-user/{w.target.document}/",
        "admin",
        lambda w: merged_record(w.target, is_active=False),
    ),
    "update-user: not an admin": (
        "patch",
        "/api/users/update-user/{w.target.document}/",
        "client",
        lambda w: {"first_name": "X"},
    ),
    "update-profile-picture": (
        "patch",
        "/api/users/update-profile-picture/{w.client.document}/",
        "client",
        lambda w: {"profile_picture": "https://cdn.example.com/nueva.png"},
    ),
    "update-profile-picture: bad URL": (
        "patch",
        "/api/users/update-profile-picture/{w.client.document}/",
        "client",
        lambda w: {"profile_picture": "no es una URL"},
    ),
    "mark-read": ("post", "/api/notifications/{w.notification.pk}/mark-read/", "client", lambda w: {}),
    "mark-read: someone else's": ("post", "/api/notifications/{w.notification.pk}/mark-read/", "target", lambda w: {}),
}


def _call(method: str, path: str, caller: User, body: dict, moment: datetime):
    """One call whose writes are rolled back afterwards: (status, body, database state).
    Mark-read stamps the reading time: the calls compared are made at the same `moment`."""
    session = client_for(caller)
    with transaction.atomic(), mock.patch("django.utils.timezone.now", return_value=moment):
        response = getattr(session, method)(path, body, format="json")
        state = (
            list(User.objects.order_by("pk").values()),
            list(Notification.objects.order_by("pk").values("pk", "estado", "fecha_lectura")),
        )
        transaction.set_rollback(True)
    return response.status_code, response.json(), state


@pytest.mark.parametrize("case", PUT_ALIASES)
def test_put_answers_like_the_documented_method(case):
    # given one world, and the documented call of the case
    admin, client, target, notification = _world()
    w = type("World", (), {"admin": admin, "client": client, "target": target, "notification": notification})
    method, path, caller, body = PUT_ALIASES[case]
    path, caller, body = path.format(w=w), getattr(w, caller), body(w)

    # when the same call is made with the documented method and with PUT
    moment = datetime.now(tz=UTC).replace(microsecond=0)
    documented = _call(method, path, caller, body, moment)
    put = _call("put", path, caller, body, moment)

    # then the same status, body and resulting database state
    assert put == documented
    assert documented[0] in (200, 400, 403, 404)


def test_put_on_me_changes_the_profile():
    # given a client
    user = UserFactory()
    before = snapshot(user)

    # when the settings page saves with PUT
    response = client_for(user).put(f"/api/me/{user.document}", merged_record(user, first_name="Lucía"), format="json")

    # then saved, as PATCH would
    assert response.status_code == 200
    assert response.json() == {"message": "Datos actualizados correctamente.", "user": expected_user(user)}
    assert snapshot(user) == {**before, "first_name": "Lucía"}


# --- simplejwt's messages are Spanish on the staff API ---------------------------------------


def bearer(token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_an_expired_access_token_is_refused_in_spanish():
    # given an access token that expired a minute ago
    token = AccessToken.for_user(UserFactory())
    token.set_exp(lifetime=-timedelta(minutes=1))

    # when it is used on the staff API
    response = bearer(token).get("/api/users/auth/validate-token/")

    # then 401 with simplejwt's code, in Spanish
    assert response.status_code == 401
    assert response.json() == {
        "detail": "El token no es válido para ningún tipo de token.",
        "code": "token_not_valid",
        "messages": [{"token_class": "AccessToken", "token_type": "access", "message": "El token ha expirado."}],
    }


def test_a_garbage_token_is_refused_in_spanish():
    # when a string that is not a JWT is sent as the Bearer token
    response = bearer("no-es-un-jwt").get("/api/me/")

    # then 401 with simplejwt's code, in Spanish
    assert response.status_code == 401
    assert response.json() == {
        "detail": "El token no es válido para ningún tipo de token.",
        "code": "token_not_valid",
        "messages": [{"token_class": "AccessToken", "token_type": "access", "message": "El token no es válido."}],
    }


def test_refresh_with_a_blacklisted_token_is_refused_in_spanish(api_client):
    # given a refresh token that was blacklisted (logged out)
    refresh = issue_tokens(UserFactory())
    refresh.blacklist()

    # when it is used to refresh
    response = api_client.post("/api/users/auth/refresh/", {"refresh": str(refresh)}, format="json")

    # then 401, in Spanish
    assert response.status_code == 401
    assert response.json() == {"detail": "Token de refresco inválido: El token fue revocado."}


def test_the_tenant_portal_keeps_its_english_answer():
    # when an expired token is used on the tenant portal
    token = AccessToken.for_user(UserFactory())
    token.set_exp(lifetime=-timedelta(minutes=1))
    response = bearer(token).get("/api/tenant/tickets")

    # then the portal's own English 401
    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized", "message": "Unauthenticated."}
