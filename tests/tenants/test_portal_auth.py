"""Tenant portal authentication: login, logout (token revoked), passwords, who may enter."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from notifications.models import Notification
from tests.conftest import client_for
from tests.factories import TEST_PASSWORD, BuildingFactory, TenantFactory, UserFactory
from tests.tenants.conftest import tenant_path
from users.models import Role, User

pytestmark = pytest.mark.django_db

LOGIN = tenant_path("login")
LOGIN_FAILED = {
    "message": "The provided credentials are incorrect.",
    "errors": {"email": ["The provided credentials are incorrect."]},
}

# Every tenant endpoint but login (method, path); ids are filled by the permission test.
PROTECTED_ENDPOINTS = [
    ("post", "logout"),
    ("get", "me"),
    ("get", "devices"),
    ("get", "tickets"),
    ("post", "tickets"),
    ("get", "tickets/{ticket}"),
    ("get", "tickets/{ticket}/attachments"),
    ("post", "tickets/{ticket}/cancel"),
    ("get", "apartment"),
    ("get", "building"),
    ("get", "doormen"),
    ("get", "owner"),
    ("post", "change-password"),
    ("post", "reset-password-request"),
    ("get", "notifications"),
    ("post", "notifications/{notification}/read"),
    ("post", "notifications/mark-all-read"),
]


def login(client: APIClient, email: str, password: str = TEST_PASSWORD, path: str = LOGIN):
    return client.post(path, {"email": email, "password": password}, format="json")


# --- Login -----------------------------------------------------------------------------------------


def test_login_returns_user_tenant_and_a_bearer_token(api_client, tenant, settings):
    # given a resident with a phone and no photo
    user = tenant.user

    # when they log in
    response = login(api_client, user.email)

    # then the documented shape comes back (plus must_change_password)
    assert response.status_code == 200
    body = response.json()
    assert body["user"] == {
        "id": user.pk,
        "name": "Ana Residente",
        "email": user.email,
        "tenant_id": tenant.pk,
        "must_change_password": False,
    }
    assert body["tenant"] == {
        "id": tenant.pk,
        "name": "Ana Residente",
        "email": user.email,
        "phone": tenant.phone,
        "photo": None,
        "apartment_id": tenant.apartment_id,
    }
    # and the token is a JWT access token that works as Bearer and lives TENANT_TOKEN_HOURS
    token = AccessToken(body["token"])
    assert token["user_id"] == str(user.pk)
    assert token["exp"] - token["iat"] == settings.TENANT_TOKEN_HOURS * 3600
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert bearer.get(tenant_path("me")).status_code == 200


def test_login_matches_the_email_case_insensitively_and_answers_with_a_trailing_slash(api_client, tenant):
    response = login(api_client, tenant.user.email.upper(), path=LOGIN + "/")

    assert response.status_code == 200
    assert response.json()["user"]["id"] == tenant.user_id


def test_login_reports_a_pending_password_change(api_client, tenant):
    User.objects.filter(pk=tenant.user_id).update(must_change_password=True)

    response = login(api_client, tenant.user.email)

    assert response.status_code == 200
    assert response.json()["user"]["must_change_password"] is True


@pytest.mark.parametrize(
    "case", ["wrong_password", "unknown_email", "inactive_tenant", "client_without_profile", "admin", "technician"]
)
def test_login_refuses_bad_credentials_and_non_tenants_alike(api_client, tenant, case):
    # given credentials that must not open the portal (all answered the same way)
    email, password = tenant.user.email, TEST_PASSWORD
    if case == "wrong_password":
        password = "not-the-password"
    elif case == "unknown_email":
        email = "nobody@example.com"
    elif case == "inactive_tenant":
        User.objects.filter(pk=tenant.user_id).update(is_active=False)
    else:
        role = {"client_without_profile": Role.CLIENT, "admin": Role.ADMIN, "technician": Role.TECH}[case]
        email = UserFactory(role=role).email

    # when logging in
    response = login(api_client, email, password)

    # then 422 with the message on `email`
    assert response.status_code == 422
    assert response.json() == LOGIN_FAILED


def test_login_validates_its_fields(api_client):
    response = api_client.post(LOGIN, {}, format="json")

    assert response.status_code == 422
    body = response.json()
    assert body["message"] == "The given data was invalid."
    assert body["errors"] == {"email": ["This field is required."], "password": ["This field is required."]}


@pytest.mark.parametrize(
    "payload",
    [
        {"email": ["a@example.com"], "password": "x"},
        {"email": {"a": 1}, "password": "x"},
        {"email": "a\x00@example.com", "password": "x"},
        {"email": "a" * 100_000 + "@example.com", "password": "x"},
        {"email": "a@example.com", "password": "x" * 100_000},
        {"email": "a@example.com", "password": None},
        {"email": 12, "password": True},
    ],
)
def test_login_answers_bad_input_with_422(api_client, payload):
    response = api_client.post(LOGIN, payload, format="json")

    assert response.status_code == 422
    assert response.json()["message"] == "The given data was invalid."
    assert response.json()["errors"]


@pytest.mark.parametrize(
    ("body", "content_type", "expected"), [("{not json", "application/json", 400), ("hola", "text/plain", 415)]
)
def test_login_answers_malformed_bodies_with_a_message(api_client, body, content_type, expected):
    response = api_client.generic("POST", LOGIN, body, content_type=content_type)

    assert response.status_code == expected
    assert set(response.json()) == {"error", "message"}


def test_login_is_throttled_per_email(api_client, tenant):
    # given five failed attempts on one address (LOGIN_RATE_PER_EMAIL = 5/min)
    for _ in range(5):
        assert login(api_client, tenant.user.email, "wrong").status_code == 422

    # when a sixth arrives, even with the right password
    response = login(api_client, tenant.user.email)

    # then it is refused with a message saying when to retry
    assert response.status_code == 429
    assert re.fullmatch(r"Too many requests\. Try again in \d+ seconds\.", response.json()["message"])
    assert response.json()["error"] == "Too Many Requests"
    assert "Retry-After" in response.headers


# --- Logout ----------------------------------------------------------------------------------------


def test_logout_revokes_exactly_that_token(api_client, tenant):
    # given two sessions of the same resident
    first = login(api_client, tenant.user.email).json()["token"]
    second = login(api_client, tenant.user.email).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {first}")

    # when the first logs out
    response = client.post(tenant_path("logout"))

    # then the answer is as documented and that token is refused from now on
    assert response.status_code == 200
    assert response.json() == {"message": "Successfully logged out"}
    again = client.get(tenant_path("me"))
    assert again.status_code == 401
    assert again.json() == {"error": "Unauthorized", "message": "Unauthenticated."}
    assert client.post(tenant_path("logout")).status_code == 401
    # while the other session keeps working
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {second}")
    assert other.get(tenant_path("me")).status_code == 200


# --- Who may use the portal ------------------------------------------------------------------------


@pytest.mark.parametrize("method_path", range(len(PROTECTED_ENDPOINTS)))
def test_anonymous_callers_get_401(api_client, method_path):
    method, path = PROTECTED_ENDPOINTS[method_path]

    response = getattr(api_client, method)(tenant_path(path.format(ticket=1, notification=1)))

    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized", "message": "Unauthenticated."}


@pytest.mark.parametrize("who", ["ADMIN", "TECH", "CLIENT_WITHOUT_PROFILE"])
@pytest.mark.parametrize("method_path", range(len(PROTECTED_ENDPOINTS)))
def test_staff_and_clients_without_a_tenant_profile_get_403(who, method_path):
    # given a non-resident user with a valid token
    role = Role.CLIENT if who == "CLIENT_WITHOUT_PROFILE" else who
    client = client_for(UserFactory(role=role))
    method, path = PROTECTED_ENDPOINTS[method_path]

    # when they call a tenant endpoint
    response = getattr(client, method)(tenant_path(path.format(ticket=1, notification=1)))

    # then they are refused with the portal's message shape
    assert response.status_code == 403
    assert response.json() == {"error": "Forbidden", "message": "This action is only available to tenants."}


@pytest.mark.parametrize(
    ("path", "key"), [("me", "tenant"), ("building", "building"), ("owner", "owner")], ids=["me", "building", "owner"]
)
def test_the_user_and_the_resident_profile_are_one_statement(as_tenant, tenant, path, key):
    # given a resident (apartment, building, owner) with a session's token

    # when they read a view that needs nothing but their profile
    with CaptureQueriesContext(connection) as captured:
        response = as_tenant.get(tenant_path(path))

    # then the user, the revocation check and the profile came from one statement
    assert response.status_code == 200
    assert len(captured.captured_queries) == 1, captured.captured_queries
    sql = captured.captured_queries[0]["sql"]
    for table in ("users_user", "users_authsession", "users_revokedaccesstoken", "tenants_tenant", "tenants_owner"):
        assert f'"{table}"' in sql
    assert (
        response.json()[key]["id"]
        == {
            "tenant": tenant.pk,
            "building": tenant.apartment.building_id,
            "owner": tenant.apartment.building.owner_id,
        }[key]
    )


def test_a_building_without_owner_is_the_owner_404_with_one_statement(db):
    # given a resident of a building that has no owner
    tenant = TenantFactory(apartment__building=BuildingFactory(owner=None))
    client = client_for(tenant.user)

    # when they ask for the owner
    with CaptureQueriesContext(connection) as captured:
        response = client.get(tenant_path("owner"))

    # then the joined (missing) owner is the documented 404, without another statement
    assert response.status_code == 404
    assert response.json()["message"] == "Owner not found."
    assert len(captured.captured_queries) == 1


@pytest.mark.parametrize("who", ["TECH", "CLIENT_WITHOUT_PROFILE"])
def test_a_non_resident_is_refused_after_one_statement(who):
    # given a valid token of a user without a resident profile
    role = Role.CLIENT if who == "CLIENT_WITHOUT_PROFILE" else who
    client = client_for(UserFactory(role=role))

    # when they call the portal
    with CaptureQueriesContext(connection) as captured:
        response = client.get(tenant_path("me"))

    # then the one statement of authentication told that there is no profile
    assert response.status_code == 403
    assert len(captured.captured_queries) == 1


def test_a_resident_profile_of_a_staff_user_does_not_open_the_portal(db):
    # given a technician who (against the admin's choices) has a resident profile row
    technician = UserFactory(role=Role.TECH)
    TenantFactory(user=technician)

    # when they call the portal
    response = client_for(technician).get(tenant_path("me"))

    # then only CLIENT users are residents
    assert response.status_code == 403


def test_a_deactivated_tenant_token_is_refused(tenant):
    client = client_for(tenant.user)
    User.objects.filter(pk=tenant.user_id).update(is_active=False)

    response = client.get(tenant_path("me"))

    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized", "message": "Unauthenticated."}


def test_a_garbage_token_is_401_in_the_portal_shape():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not.a.jwt")

    response = client.get(tenant_path("me"))

    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized", "message": "Unauthenticated."}


def test_unknown_tenant_paths_and_wrong_methods_answer_in_the_portal_shape(as_tenant):
    missing = as_tenant.get(tenant_path("does-not-exist"))
    wrong_method = as_tenant.delete(tenant_path("me"))

    assert (missing.status_code, missing.json()) == (404, {"error": "Not Found", "message": "Not found."})
    assert (wrong_method.status_code, wrong_method.json()) == (
        405,
        {"error": "Method Not Allowed", "message": 'Method "DELETE" not allowed.'},
    )


# --- Change password -------------------------------------------------------------------------------

CHANGE = tenant_path("change-password")
NEW_PASSWORD = "Otra-clave-segura-77"


def change_body(current=TEST_PASSWORD, new=NEW_PASSWORD, confirmation=None) -> dict:
    return {
        "current_password": current,
        "new_password": new,
        "new_password_confirmation": new if confirmation is None else confirmation,
    }


def test_change_password_sets_the_new_one_and_keeps_the_callers_token(api_client, tenant):
    # given a resident, logged in, who must change a temporary password
    User.objects.filter(pk=tenant.user_id).update(must_change_password=True)
    token = login(api_client, tenant.user.email).json()["token"]
    app = APIClient()
    app.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    # when they change it
    response = app.post(CHANGE, change_body(), format="json")

    # then the documented message comes back, with the token to go on using: the caller's own
    assert response.status_code == 200
    assert response.json() == {"message": "Password changed successfully", "token": token}
    user = User.objects.get(pk=tenant.user_id)
    assert user.check_password(NEW_PASSWORD)
    assert user.must_change_password is False
    # the caller's token keeps working, and the new password logs in
    assert app.get(tenant_path("me")).status_code == 200
    assert login(api_client, user.email, NEW_PASSWORD).status_code == 200


def test_change_password_with_a_wrong_current_password_is_400(tenant, as_tenant):
    response = as_tenant.post(CHANGE, change_body(current="not-mine-at-all"), format="json")

    assert response.status_code == 400
    assert response.json() == {
        "error": "Current password is incorrect",
        "message": "The current password does not match.",
    }
    assert User.objects.get(pk=tenant.user_id).check_password(TEST_PASSWORD)


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            change_body(new="short", confirmation="other"),
            {
                "new_password": ["The new password must be at least 8 characters."],
                "new_password_confirmation": ["The new password confirmation does not match."],
            },
        ),
        (
            change_body(confirmation="Otra-clave-segura-78"),
            {"new_password_confirmation": ["The new password confirmation does not match."]},
        ),
        (change_body(new="password123"), {"new_password": ["This password is too common."]}),
        (
            change_body(new="12345678901"),
            {"new_password": ["This password is too common.", "This password is entirely numeric."]},
        ),
        (
            {},
            {
                "current_password": ["This field is required."],
                "new_password": ["This field is required."],
                "new_password_confirmation": ["This field is required."],
            },
        ),
    ],
)
def test_change_password_validation_is_422(tenant, as_tenant, body, errors):
    # A document unlike every password above: factory documents are sequential digits and
    # could come out "too similar" to 12345678901, depending on how many users came before.
    User.objects.filter(pk=tenant.user_id).update(document="ZX-90")

    response = as_tenant.post(CHANGE, body, format="json")

    assert response.status_code == 422
    assert response.json() == {"message": "The given data was invalid.", "errors": errors}
    assert User.objects.get(pk=tenant.user_id).check_password(TEST_PASSWORD)


def test_change_password_refuses_the_email_as_password(tenant, as_tenant):
    email = tenant.user.email

    response = as_tenant.post(CHANGE, change_body(new=email), format="json")

    assert response.status_code == 422
    assert "new_password" in response.json()["errors"]
    assert User.objects.get(pk=tenant.user_id).check_password(TEST_PASSWORD)


# --- Reset password --------------------------------------------------------------------------------

RESET = tenant_path("reset-password-request")


def test_reset_password_emails_a_random_temporary_password(
    tenant, as_tenant, mailoutbox, django_capture_on_commit_callbacks
):
    # when the resident asks for a reset (the e-mail task runs after commit)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_tenant.post(RESET)

    # then the documented message comes back
    assert response.status_code == 200
    assert response.json() == {"message": "Password has been reset. Check your email for the temporary password."}
    # and an e-mail carries a random temporary password that now works (never the e-mail)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [tenant.user.email]
    temporary = re.search(r"Contraseña temporal: (\S+)", mailoutbox[0].body).group(1)
    user = User.objects.get(pk=tenant.user_id)
    assert temporary not in (user.email, user.document)
    assert user.check_password(temporary)
    assert not user.check_password(TEST_PASSWORD)
    assert not user.check_password(user.email)
    assert user.must_change_password is True
    assert Notification.objects.filter(usuario=user, tipo__codigo="password_reset").count() == 1


def test_reset_password_is_throttled_per_user(tenant, as_tenant):
    # given three requests within the hour
    for _ in range(3):
        assert as_tenant.post(RESET).status_code == 200

    # when a fourth arrives
    response = as_tenant.post(RESET)

    # then it is refused and no further reset is queued
    assert response.status_code == 429
    assert response.json()["message"].startswith("Too many requests.")
    assert Notification.objects.filter(usuario=tenant.user, tipo__codigo="password_reset").count() == 3
    # another resident is not affected
    assert client_for(TenantFactory().user).post(RESET).status_code == 200


# --- OpenAPI -----------------------------------------------------------------------------------------


def test_schema_lists_every_tenant_endpoint_as_documented(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = response.json()["paths"]

    expected = {"/api/tenant/login": "post"} | {
        "/api/tenant/" + path.replace("{ticket}", "{ticket_id}").replace("{notification}", "{notification_id}"): method
        for method, path in PROTECTED_ENDPOINTS
    }
    for path, method in expected.items():
        assert method in paths.get(path, {}), path
        assert paths[path][method]["tags"] == ["Portal de residentes"]
        assert path + "/" not in paths
    assert "/api/files/attachments/{attachment_id}" in paths
