"""Authentication endpoints of the "Usuarios" section (PRODUCT §2, servicedesk-api "Usuarios")."""

import pytest
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from tests.conftest import client_for
from tests.factories import TEST_PASSWORD, UserFactory
from tests.users.conftest import LOGIN_URL, bearer, expected_user, snapshot
from users.models import RevokedAccessToken, Role, User
from users.tokens import issue_tokens

REFRESH_URL = "/api/users/auth/refresh/"
LOGOUT_URL = "/api/users/auth/logout/"
CHANGE_PASSWORD_URL = "/api/users/auth/change-password/"
VALIDATE_URL = "/api/users/auth/validate-token/"
USER_DATA_URL = "/api/users/auth/user-data/"

NEW_PASSWORD = "Otra-clave-segura-2024"
BAD_CREDENTIALS = {"detail": "Correo o contraseña incorrectos."}

pytestmark = pytest.mark.django_db


# --- login ---------------------------------------------------------------------------------


def test_login_returns_the_documented_flat_shape_plus_extras(login):
    # given an active technician
    user = UserFactory(role=Role.TECH, email="tecnico@example.com", document="CC-4455", must_change_password=False)

    # when they log in
    response = login("tecnico@example.com")

    # then the flat documented shape comes back, plus the additional fields
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "refresh",
        "access",
        "email",
        "role",
        "is_active",
        "document",
        "must_change_password",
        "first_name",
        "last_name",
        "user",
    }
    assert body["email"] == "tecnico@example.com"
    assert body["role"] == "TECH"
    assert body["is_active"] is True
    assert body["document"] == "CC-4455"
    assert body["must_change_password"] is False
    assert body["first_name"] == user.first_name
    assert body["last_name"] == user.last_name
    assert body["user"] == expected_user(user)
    # and the access token carries the documented claims
    access = AccessToken(body["access"])
    assert access["role"] == "TECH"
    assert access["document"] == "CC-4455"
    assert access["email"] == "tecnico@example.com"
    assert str(access["user_id"]) == str(user.pk)
    assert RefreshToken(body["refresh"])["token_type"] == "refresh"
    # and it authenticates
    assert bearer(body["access"]).get(VALIDATE_URL).status_code == 200


def test_login_says_when_the_password_must_be_changed(login):
    # given a user whose password must be replaced
    UserFactory(email="nuevo@example.com", must_change_password=True)

    # when they log in
    response = login("nuevo@example.com")

    # then login succeeds and says so
    assert response.status_code == 200
    assert response.json()["must_change_password"] is True
    assert response.json()["user"]["must_change_password"] is True


@pytest.mark.parametrize("typed", ["ANA.Perez@Example.COM", "ana.perez@example.com", "  Ana.Perez@example.com "])
def test_login_matches_the_email_case_insensitively(login, typed):
    # given a user stored with a lower-case e-mail
    user = UserFactory(email="ana.perez@example.com")

    # when they type it with another case
    response = login(typed)

    # then they are logged in as that user
    assert response.status_code == 200
    assert response.json()["document"] == user.document
    assert response.json()["email"] == "ana.perez@example.com"


def test_login_with_a_wrong_password_is_401(login):
    # given a user
    user = UserFactory()

    # when the password is wrong
    response = login(user.email, "not-the-password")

    # then 401 with the generic message
    assert response.status_code == 401
    assert response.json() == BAD_CREDENTIALS


def test_login_with_an_unknown_email_is_401_with_the_same_message(login):
    # given nobody with that e-mail
    # when logging in
    response = login("nobody@example.com")

    # then the same 401 as a wrong password (no account enumeration)
    assert response.status_code == 401
    assert response.json() == BAD_CREDENTIALS


def test_login_of_an_inactive_user_is_401(login):
    # given a deactivated user with the right password
    user = UserFactory(is_active=False)

    # when they log in
    response = login(user.email)

    # then they are refused
    assert response.status_code == 401
    assert response.json() == BAD_CREDENTIALS


@pytest.mark.parametrize(
    ("payload", "bad_fields"),
    [
        ({}, {"email", "password"}),
        ({"email": "a@example.com"}, {"password"}),
        ({"password": TEST_PASSWORD}, {"email"}),
        ({"email": "not-an-email", "password": TEST_PASSWORD}, {"email"}),
        ({"email": "", "password": ""}, {"email", "password"}),
        ({"email": ["a@example.com"], "password": TEST_PASSWORD}, {"email"}),
        ({"email": "a@example.com", "password": "x" * 200}, {"password"}),
    ],
)
def test_login_with_missing_or_invalid_fields_is_400_naming_them(api_client, payload, bad_fields):
    # given a malformed login form
    # when it is posted
    response = api_client.post(LOGIN_URL, payload, format="json")

    # then 400 names every bad field
    assert response.status_code == 400
    assert set(response.json()) == bad_fields


def test_login_with_malformed_json_is_400(api_client):
    # given a body that is not JSON
    # when it is posted as JSON
    response = api_client.post(LOGIN_URL, '{"email": "a@example.com", ', content_type="application/json")

    # then 400 with a detail, never a 500
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_login_with_a_json_array_body_is_400(api_client):
    # given a user and a JSON array instead of an object
    user = UserFactory()

    # when it is posted
    response = api_client.post(
        LOGIN_URL, f'[{{"email": "{user.email}", "password": "{TEST_PASSWORD}"}}]', content_type="application/json"
    )

    # then 400, no token issued
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]


def test_login_is_throttled_per_email_after_five_attempts(login):
    # given a user, with the default rate of 5 attempts per minute and e-mail
    user = UserFactory(email="victima@example.com")

    # when seven wrong passwords arrive for that e-mail (in different spellings)
    statuses = [login(email, "wrong-password").status_code for email in [user.email, user.email.upper()] * 3]
    seventh = login("Victima@Example.com", "wrong-password")
    # and then the right password for it, and a wrong one for another e-mail
    right_password = login(user.email)
    other_email = login("otra.persona@example.com", "wrong-password")

    # then the first five are bad credentials and everything after is throttled
    assert statuses == [401] * 5 + [429]
    assert seventh.status_code == 429
    assert seventh.json()["detail"].startswith("Demasiados intentos de inicio de sesión.")
    assert int(seventh["Retry-After"]) > 0
    assert right_password.status_code == 429
    # and another e-mail is not blocked by that
    assert other_email.status_code == 401


def test_login_is_throttled_per_ip_across_emails(login):
    # given the default rate of 30 attempts per minute and client IP
    # when 31 attempts arrive from one IP, each for a different e-mail
    statuses = [login(f"persona{n}@example.com", "wrong-password").status_code for n in range(31)]

    # then the 31st is throttled although its e-mail was never tried
    assert statuses == [401] * 30 + [429]


# --- refresh -------------------------------------------------------------------------------


def test_refresh_rotates_and_refuses_the_old_refresh_token(login, api_client):
    # given a logged-in user
    user = UserFactory()
    old_refresh = login(user.email).json()["refresh"]

    # when the refresh token is used
    response = api_client.post(REFRESH_URL, {"refresh": old_refresh}, format="json")

    # then a new pair is returned
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh"}
    assert body["refresh"] != old_refresh
    assert AccessToken(body["access"])["document"] == user.document
    assert bearer(body["access"]).get(VALIDATE_URL).status_code == 200
    # and the old refresh token is blacklisted, while the new one works
    assert BlacklistedToken.objects.filter(token__jti=RefreshToken(old_refresh, verify=False)["jti"]).exists()
    assert api_client.post(REFRESH_URL, {"refresh": body["refresh"]}, format="json").status_code == 200
    # and the old one is refused afterwards (a replay: it also ends the session, see
    # tests/security/test_round_two_sessions.py)
    again = api_client.post(REFRESH_URL, {"refresh": old_refresh}, format="json")
    assert again.status_code == 401


def test_refresh_of_a_deactivated_user_is_401(api_client):
    # given a refresh token of a user who was deactivated afterwards
    user = UserFactory()
    refresh = str(issue_tokens(user))
    User.objects.filter(pk=user.pk).update(is_active=False)

    # when it is used
    response = api_client.post(REFRESH_URL, {"refresh": refresh}, format="json")

    # then it is refused
    assert response.status_code == 401
    assert response.json() == {"detail": "La sesión ya no es válida, inicia sesión de nuevo."}


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30.xxxx"])
def test_refresh_with_a_garbage_token_is_401(api_client, token):
    # given a string that is no refresh token
    # when it is used
    response = api_client.post(REFRESH_URL, {"refresh": token}, format="json")

    # then 401
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Token de refresco inválido:")


def test_refresh_with_an_access_token_is_401(api_client):
    # given an access token where a refresh token is expected
    access = str(issue_tokens(UserFactory()).access_token)

    # when it is used to refresh
    response = api_client.post(REFRESH_URL, {"refresh": access}, format="json")

    # then 401
    assert response.status_code == 401


def test_refresh_without_the_field_is_400(api_client):
    # given an empty body
    # when posted
    response = api_client.post(REFRESH_URL, {}, format="json")

    # then 400 names the field
    assert response.status_code == 400
    assert set(response.json()) == {"refresh"}


# --- logout --------------------------------------------------------------------------------


def test_logout_blacklists_the_refresh_token_and_revokes_the_access_token(login, api_client):
    # given a logged-in user
    user = UserFactory()
    tokens = login(user.email).json()
    session = bearer(tokens["access"])

    # when they log out
    response = session.post(LOGOUT_URL, {"refresh": tokens["refresh"]}, format="json")

    # then logout succeeds
    assert response.status_code == 200
    assert response.json() == {"detail": "Sesión cerrada correctamente."}
    assert RevokedAccessToken.objects.filter(jti=AccessToken(tokens["access"])["jti"], user=user).exists()
    # and the refresh token is refused
    assert api_client.post(REFRESH_URL, {"refresh": tokens["refresh"]}, format="json").status_code == 401
    # and so is the access token used for logout
    assert session.get(VALIDATE_URL).status_code == 401
    assert session.get(USER_DATA_URL).status_code == 401
    # while a new login works
    assert login(user.email).status_code == 200


def test_logout_with_another_users_refresh_token_is_400_and_blacklists_nothing(api_client):
    # given two users, each with a session
    user, other = UserFactory(), UserFactory()
    other_refresh = str(issue_tokens(other))
    session = client_for(user)

    # when the first logs out with the second's refresh token
    response = session.post(LOGOUT_URL, {"refresh": other_refresh}, format="json")

    # then 400, and nothing was revoked
    assert response.status_code == 400
    assert response.json()["code"] == "token_not_owned"
    assert "refresh" in response.json()
    assert not BlacklistedToken.objects.exists()
    assert not RevokedAccessToken.objects.exists()
    assert session.get(VALIDATE_URL).status_code == 200
    assert api_client.post(REFRESH_URL, {"refresh": other_refresh}, format="json").status_code == 200


@pytest.mark.parametrize("payload", [{}, {"refresh": "garbage"}])
def test_logout_with_a_missing_or_invalid_refresh_token_is_400(payload):
    # given a logged-in user
    session = client_for(UserFactory())

    # when they log out with a bad body
    response = session.post(LOGOUT_URL, payload, format="json")

    # then 400 names the field, and the session is untouched
    assert response.status_code == 400
    assert "refresh" in response.json()
    assert not RevokedAccessToken.objects.exists()
    assert session.get(VALIDATE_URL).status_code == 200


def test_logout_twice_with_the_same_refresh_token_is_refused(login):
    # given a user who logged out
    user = UserFactory()
    tokens = login(user.email).json()
    bearer(tokens["access"]).post(LOGOUT_URL, {"refresh": tokens["refresh"]}, format="json")

    # when a second session tries to log out with the same refresh token
    response = client_for(user).post(LOGOUT_URL, {"refresh": tokens["refresh"]}, format="json")

    # then it is refused as already revoked
    assert response.status_code == 400
    assert response.json()["code"] == "token_not_valid"


# --- change password -----------------------------------------------------------------------


def test_change_password_succeeds_and_revokes_every_earlier_token(login, api_client):
    # given a logged-in user with a pending password change
    user = UserFactory(must_change_password=True)
    tokens = login(user.email).json()
    session = bearer(tokens["access"])

    # when they change their password
    response = session.post(
        CHANGE_PASSWORD_URL, {"old_password": TEST_PASSWORD, "new_password": NEW_PASSWORD}, format="json"
    )

    # then the documented message comes back
    assert response.status_code == 200
    assert response.json() == {"detail": "Contraseña actualizada con éxito"}
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user.must_change_password is False
    # and the earlier access and refresh tokens are refused
    assert session.get(VALIDATE_URL).status_code == 401
    assert api_client.post(REFRESH_URL, {"refresh": tokens["refresh"]}, format="json").status_code == 401
    # and the old password no longer logs in, the new one does, and its tokens work
    assert login(user.email).status_code == 401
    fresh = login(user.email, NEW_PASSWORD)
    assert fresh.status_code == 200
    assert fresh.json()["must_change_password"] is False
    assert bearer(fresh.json()["access"]).get(VALIDATE_URL).status_code == 200
    assert api_client.post(REFRESH_URL, {"refresh": fresh.json()["refresh"]}, format="json").status_code == 200


def test_change_password_without_old_password_is_400():
    # given a logged-in user
    user = UserFactory()
    before = snapshot(user)

    # when the old password is missing
    response = client_for(user).post(CHANGE_PASSWORD_URL, {"new_password": NEW_PASSWORD}, format="json")

    # then 400 names it and nothing changed
    assert response.status_code == 400
    assert set(response.json()) == {"old_password"}
    assert snapshot(user) == before


def test_change_password_with_a_wrong_old_password_is_400():
    # given a logged-in user
    user = UserFactory()
    session = client_for(user)
    before = snapshot(user)

    # when the old password is wrong
    response = session.post(
        CHANGE_PASSWORD_URL, {"old_password": "not-the-password", "new_password": NEW_PASSWORD}, format="json"
    )

    # then 400 names it, nothing changed and the session still works
    assert response.status_code == 400
    assert response.json()["old_password"] == ["La contraseña actual es incorrecta."]
    assert snapshot(user) == before
    assert session.get(VALIDATE_URL).status_code == 200


@pytest.mark.parametrize(
    "new_password",
    [
        "corto1!",  # too short
        "password123",  # too common
        "4815162342108",  # entirely numeric
    ],
)
def test_change_password_applies_djangos_validators(new_password):
    # given a logged-in user
    user = UserFactory()
    before = snapshot(user)

    # when the new password is weak
    response = client_for(user).post(
        CHANGE_PASSWORD_URL, {"old_password": TEST_PASSWORD, "new_password": new_password}, format="json"
    )

    # then 400 names the field and nothing changed
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_password"
    assert response.json()["new_password"]
    assert snapshot(user) == before


@pytest.mark.parametrize("identity", ["email", "document", "EMAIL"])
def test_change_password_refuses_the_users_email_or_document(identity):
    # given a user with a long e-mail and document
    user = UserFactory(email="zorro.plateado.norte@example.com", document="PAS-ZX998877QW")
    before = snapshot(user)
    new_password = {
        "email": user.email,
        "document": user.document,
        "EMAIL": user.email.upper(),
    }[identity]

    # when that is chosen as the new password
    response = client_for(user).post(
        CHANGE_PASSWORD_URL, {"old_password": TEST_PASSWORD, "new_password": new_password}, format="json"
    )

    # then it is refused by the product's rule
    assert response.status_code == 400
    assert "La contraseña no puede ser igual al correo ni al documento." in response.json()["new_password"]
    assert snapshot(user) == before


# --- validate-token / user-data ------------------------------------------------------------


def test_validate_token_returns_state_and_user():
    # given a logged-in client
    user = UserFactory(role=Role.CLIENT)

    # when the token is validated
    response = client_for(user).get(VALIDATE_URL)

    # then it is valid and the user's data come back
    assert response.status_code == 200
    assert response.json() == {"valid": True, "user": expected_user(user)}


def test_user_data_has_top_level_fields_and_the_token_claims():
    # given a logged-in administrator
    user = UserFactory(role=Role.ADMIN, document="ADM-77", email="jefa@example.com")

    # when the user data are requested
    response = client_for(user).get(USER_DATA_URL)

    # then the user's fields are top-level, plus the token's claims
    assert response.status_code == 200
    body = response.json()
    claims = body.pop("token_claims")
    assert body == expected_user(user)
    assert body["role"] == "ADMIN"
    assert body["document"] == "ADM-77"
    assert claims["role"] == "ADMIN"
    assert claims["document"] == "ADM-77"
    assert claims["email"] == "jefa@example.com"
    assert claims["token_type"] == "access"
    assert str(claims["user_id"]) == str(user.pk)


def test_access_token_of_a_deactivated_user_is_refused():
    # given a session of a user who is then deactivated
    user = UserFactory()
    session = client_for(user)
    User.objects.filter(pk=user.pk).update(is_active=False)

    # when the session is used
    response = session.get(VALIDATE_URL)

    # then 401
    assert response.status_code == 401
    assert response.json()["detail"] == "El usuario está inactivo."


@pytest.mark.parametrize("header", ["Bearer garbage", "Bearer ", "Token abc", "Bearer a.b.c"])
def test_a_malformed_authorization_header_is_401(api_client, header):
    # given a bad Authorization header
    api_client.credentials(HTTP_AUTHORIZATION=header)

    # when a protected endpoint is called
    response = api_client.get(VALIDATE_URL)

    # then 401
    assert response.status_code == 401


def test_a_refresh_token_is_not_accepted_as_an_access_token():
    # given a refresh token sent as Bearer
    session = bearer(str(issue_tokens(UserFactory())))

    # when a protected endpoint is called
    response = session.get(VALIDATE_URL)

    # then 401
    assert response.status_code == 401
