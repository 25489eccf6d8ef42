"""Security round two (issue 17, findings 1 and 3; issue 16, tenant change-password).

* An own-password change proves the password: the current one, or a password login less
  than RECENT_LOGIN_MINUTES ago (the `auth_time` claim, kept through refreshes). A stolen
  token alone no longer takes the account over.
* A login is a token family (the `sid` claim): concurrent refreshes with one token cannot
  fork it, a rotated refresh token presented again ends it, logout ends every token of it.
* The tenant portal's change-password keeps the caller's token and ends the other logins.
"""

import io
import threading
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken

from tests.factories import TEST_PASSWORD, TenantFactory, UserFactory
from users.models import AuthSession, Role, User
from users.throttles import PasswordCheckThrottle
from users.tokens import issue_tokens

LOGIN = "/api/users/auth/login/"
REFRESH = "/api/users/auth/refresh/"
LOGOUT = "/api/users/auth/logout/"
VALIDATE = "/api/users/auth/validate-token/"
ME_PASSWORD = "/api/me/change-password/"
TENANT_LOGIN = "/api/tenant/login"
TENANT_ME = "/api/tenant/me"
TENANT_PASSWORD = "/api/tenant/change-password"
NEW_PASSWORD = "Otra-Clave-Segura-2026"
CURRENT_REQUIRED = {
    "detail": "Indica tu contraseña actual: el inicio de sesión no es reciente.",
    "code": "current_password_required",
    "current_password": ["Este campo es obligatorio si no acabas de iniciar sesión."],
}


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def login(user) -> dict:
    response = APIClient().post(LOGIN, {"email": user.email, "password": TEST_PASSWORD}, format="json")
    assert response.status_code == 200
    return response.json()


def tenant_login(user) -> str:
    response = APIClient().post(TENANT_LOGIN, {"email": user.email, "password": TEST_PASSWORD}, format="json")
    assert response.status_code == 200
    return response.json()["token"]


def refresh(token: str):
    return APIClient().post(REFRESH, {"refresh": token}, format="json")


def old_login(user, minutes: int = 11):
    """The tokens of a password login `minutes` ago (the default window is 10 minutes)."""
    return issue_tokens(user, auth_time=timezone.now() - timedelta(minutes=minutes))


def password_unchanged(user) -> bool:
    return User.objects.get(pk=user.pk).check_password(TEST_PASSWORD)


# --- Finding 1: own password changed without the current password -----------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["ADMIN", "TECH", "CLIENT", "tenant"])
def test_a_token_of_an_old_login_cannot_change_the_password_without_the_current_one(who):
    # given a victim of any kind (a resident's 30-day token too) whose token of a login
    # 11 minutes ago was stolen, and who is still logged in elsewhere
    victim = TenantFactory().user if who == "tenant" else UserFactory(role=who)
    attacker = bearer(str(old_login(victim).access_token))
    victim_session = bearer(login(victim)["access"])

    # when the thief changes the password with the documented body alone
    response = attacker.post(ME_PASSWORD, {"new_password": NEW_PASSWORD}, format="json")

    # then 400 names the missing field; the password and the victim's session are intact
    assert response.status_code == 400
    assert response.json() == CURRENT_REQUIRED
    assert password_unchanged(victim)
    assert victim_session.get(VALIDATE).status_code == 200


@pytest.mark.django_db
def test_an_admin_cannot_set_their_own_password_by_document_with_an_old_token():
    # given an admin whose token of an old login was stolen
    admin = UserFactory(role=Role.ADMIN)
    attacker = bearer(str(old_login(admin).access_token))

    # when the thief uses the admin endpoint on the admin's own document
    path = f"/api/me/change-password/{admin.document}/"
    response = attacker.post(path, {"new_password": NEW_PASSWORD}, format="json")

    # then the same rule applies: 400, nothing changed
    assert response.status_code == 400
    assert response.json() == CURRENT_REQUIRED
    assert password_unchanged(admin)


@pytest.mark.django_db
def test_a_token_from_no_password_login_needs_the_current_password():
    # given a token whose session was not opened by a password login (no auth_time)
    user = UserFactory()
    session = bearer(str(issue_tokens(user).access_token))

    # when it changes the password without the current one, then with it
    refused = session.post(ME_PASSWORD, {"new_password": NEW_PASSWORD}, format="json")
    right = {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD}
    accepted = session.post(ME_PASSWORD, right, format="json")

    # then the first is refused and the second goes through
    assert (refused.status_code, accepted.status_code) == (400, 200)
    assert User.objects.get(pk=user.pk).check_password(NEW_PASSWORD)


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ["me", "admin own"])
def test_right_after_a_password_login_the_documented_body_is_enough(endpoint):
    # given a user who just logged in
    user = UserFactory(role=Role.ADMIN, must_change_password=True)
    tokens = login(user)
    path = ME_PASSWORD if endpoint == "me" else f"/api/me/change-password/{user.document}/"

    # when they send only the documented body
    response = bearer(tokens["access"]).post(path, {"new_password": NEW_PASSWORD}, format="json")

    # then the password is changed, and as documented every session ends (re-login expected)
    assert response.status_code == 200
    changed = User.objects.get(pk=user.pk)
    assert changed.check_password(NEW_PASSWORD)
    assert changed.must_change_password is False
    assert bearer(tokens["access"]).get(VALIDATE).status_code == 401
    assert refresh(tokens["refresh"]).status_code == 401


@pytest.mark.django_db
def test_a_wrong_current_password_is_refused_even_right_after_login():
    # given a user who just logged in
    user = UserFactory()
    session = bearer(login(user)["access"])

    # when they send a wrong current password
    wrong = {"current_password": "no-es-esta-1", "new_password": NEW_PASSWORD}
    response = session.post(ME_PASSWORD, wrong, format="json")

    # then 400 names it, nothing changed
    assert response.status_code == 400
    assert response.json()["current_password"] == ["La contraseña actual es incorrecta."]
    assert password_unchanged(user)


@pytest.mark.django_db
def test_auth_time_survives_refreshes():
    # given a login and a refresh of its tokens
    user = UserFactory()
    tokens = login(user)
    refreshed = refresh(tokens["refresh"]).json()

    # then the refreshed access token carries the login's time, not the refresh's
    assert AccessToken(refreshed["access"])["auth_time"] == AccessToken(tokens["access"])["auth_time"]
    # and so it may still change the password with the documented body
    response = bearer(refreshed["access"]).post(ME_PASSWORD, {"new_password": NEW_PASSWORD}, format="json")
    assert response.status_code == 200


@pytest.mark.django_db
def test_refreshing_the_tokens_of_an_old_login_does_not_make_it_recent():
    # given the refresh token of a login 11 minutes ago
    user = UserFactory()
    refreshed = refresh(str(old_login(user))).json()

    # when the freshly refreshed access token changes the password without the current one
    response = bearer(refreshed["access"]).post(ME_PASSWORD, {"new_password": NEW_PASSWORD}, format="json")

    # then it is refused
    assert response.status_code == 400
    assert response.json() == CURRENT_REQUIRED
    assert password_unchanged(user)


@pytest.mark.django_db
def test_the_window_is_the_recent_login_minutes_setting(settings):
    # given no window at all
    settings.RECENT_LOGIN_MINUTES = 0
    user = UserFactory()
    session = bearer(login(user)["access"])

    # when a user who just logged in sends only the new password
    response = session.post(ME_PASSWORD, {"new_password": NEW_PASSWORD}, format="json")

    # then even they must give the current one
    assert response.status_code == 400
    assert password_unchanged(user)


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ["me", "admin own"])
def test_refused_changes_without_the_current_password_are_throttled(endpoint, monkeypatch):
    # given a stolen token of an old admin login, and a rate of 3 password checks per hour
    monkeypatch.setattr(
        PasswordCheckThrottle, "THROTTLE_RATES", {**PasswordCheckThrottle.THROTTLE_RATES, "password_check": "3/hour"}
    )
    admin = UserFactory(role=Role.ADMIN)
    attacker = bearer(str(old_login(admin).access_token))
    path = ME_PASSWORD if endpoint == "me" else f"/api/me/change-password/{admin.document}/"

    # when it tries three times without the current password
    statuses = [attacker.post(path, {"new_password": NEW_PASSWORD}, format="json").status_code for _ in range(3)]

    # then each is refused, and the fourth, even with the right password, is throttled
    assert statuses == [400, 400, 400]
    right = {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD}
    assert attacker.post(path, right, format="json").status_code == 429
    assert password_unchanged(admin)


@pytest.mark.django_db
def test_the_tenant_portal_still_requires_the_current_password(settings):
    # given a resident's token (the portal's body always carries the current password)
    resident = TenantFactory().user
    app = bearer(tenant_login(resident))

    # when it is missing
    response = app.post(TENANT_PASSWORD, {"new_password": NEW_PASSWORD, "new_password_confirmation": NEW_PASSWORD})

    # then 422 in the portal's shape, nothing changed
    assert response.status_code == 422
    assert response.json()["errors"] == {"current_password": ["This field is required."]}
    assert password_unchanged(resident)


# --- Finding 3: concurrent refreshes fork a session ------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_sixteen_concurrent_refreshes_with_one_token_let_exactly_one_win():
    # given one refresh token
    user = UserFactory()
    token = login(user)["refresh"]
    barrier = threading.Barrier(16)
    statuses: list[int] = []

    def use_it():
        client = APIClient()
        try:
            barrier.wait()
            statuses.append(client.post(REFRESH, {"refresh": token}, format="json").status_code)
        finally:
            connections.close_all()

    # when 16 clients use it at once
    threads = [threading.Thread(target=use_it) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then exactly one gets a new pair, and the login is still one family with one rotation
    assert sorted(statuses) == [200] + [401] * 15
    assert AuthSession.objects.filter(user=user).count() == 1
    assert OutstandingToken.objects.filter(user=user).count() == 2


@pytest.mark.django_db
def test_a_rotated_refresh_token_presented_again_ends_the_whole_family():
    # given a login whose refresh token was rotated twice, and another login of the same user
    user = UserFactory()
    first = login(user)
    second = refresh(first["refresh"]).json()
    newest = refresh(second["refresh"]).json()
    other_login = login(user)

    # when the first (rotated) refresh token is presented again
    replay = refresh(first["refresh"])

    # then it is refused, and every token of that login is dead: the newest ones too
    assert replay.status_code == 401
    assert refresh(newest["refresh"]).status_code == 401
    for access in (first["access"], second["access"], newest["access"]):
        assert bearer(access).get(VALIDATE).status_code == 401
    # while the other login is untouched
    assert bearer(other_login["access"]).get(VALIDATE).status_code == 200
    assert refresh(other_login["refresh"]).status_code == 200


@pytest.mark.django_db
def test_logout_ends_every_access_token_of_the_session():
    # given a login, then a refresh: two access tokens of one session; and another login
    user = UserFactory()
    first = login(user)
    second = refresh(first["refresh"]).json()
    other_login = login(user)

    # when the user logs out with the newest pair
    response = bearer(second["access"]).post(LOGOUT, {"refresh": second["refresh"]}, format="json")

    # then the earlier access token of that session is refused too
    assert response.status_code == 200
    assert bearer(first["access"]).get(VALIDATE).status_code == 401
    assert bearer(second["access"]).get(VALIDATE).status_code == 401
    assert refresh(second["refresh"]).status_code == 401
    # while the other login goes on
    assert bearer(other_login["access"]).get(VALIDATE).status_code == 200


@pytest.mark.django_db
def test_checking_a_session_token_costs_one_statement():
    # given a session's access token
    session = bearer(login(UserFactory())["access"])

    # when an authenticated GET that reads nothing else runs
    with CaptureQueriesContext(connection) as captured:
        response = session.get(VALIDATE)

    # then authentication (user, deny-list and session) is one statement
    assert response.status_code == 200
    assert len(captured.captured_queries) == 1, captured.captured_queries


# --- Issue 16: tenant change-password keeps the caller's token -----------------------------------


@pytest.mark.django_db
def test_tenant_change_password_keeps_the_callers_token_and_ends_the_other_logins():
    # given a resident logged in on two devices
    resident = TenantFactory().user
    phone, tablet = tenant_login(resident), tenant_login(resident)
    body = {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirmation": NEW_PASSWORD}

    # when the phone changes the password
    response = bearer(phone).post(TENANT_PASSWORD, body, format="json")

    # then the phone's token goes on working (and is the one answered), the tablet's is dead
    assert response.status_code == 200
    assert response.json() == {"message": "Password changed successfully", "token": phone}
    assert bearer(phone).get(TENANT_ME).status_code == 200
    assert bearer(tablet).get(TENANT_ME).status_code == 401
    assert User.objects.get(pk=resident.pk).check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_tenant_change_password_with_a_wrong_current_password_changes_nothing():
    # given a resident's token
    resident = TenantFactory().user
    app = bearer(tenant_login(resident))
    body = {"current_password": "no-es-esta-1", "new_password": NEW_PASSWORD, "new_password_confirmation": NEW_PASSWORD}

    # when the current password is wrong
    response = app.post(TENANT_PASSWORD, body, format="json")

    # then the documented 400, and nothing changed
    assert response.status_code == 400
    assert response.json() == {
        "error": "Current password is incorrect",
        "message": "The current password does not match.",
    }
    assert password_unchanged(resident)
    assert app.get(TENANT_ME).status_code == 200


@pytest.mark.django_db
def test_prune_tokens_drops_expired_sessions_only():
    # given a session past its expiry and a live one
    user = UserFactory()
    issue_tokens(user)
    live = login(user)
    AuthSession.objects.exclude(sid=AccessToken(live["access"])["sid"]).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    # when the daily job runs
    call_command("prune_tokens", stdout=io.StringIO())

    # then the expired one is gone and the live login still works
    assert list(AuthSession.objects.values_list("sid", flat=True)) == [uuid.UUID(AccessToken(live["access"])["sid"])]
    assert bearer(live["access"]).get(VALIDATE).status_code == 200
