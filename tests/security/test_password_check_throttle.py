"""Changing one's own password checks the current one: per user, a few tries an hour, so a
stolen access token cannot be used to guess the password (PASSWORD_CHECK_RATE)."""

import pytest

from tests.conftest import client_for
from tests.factories import TEST_PASSWORD, TenantFactory, UserFactory
from users.models import Role
from users.throttles import PasswordCheckThrottle

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Otra-Clave-Segura-2026"
# (path, body with a wrong current password, body with the right one, wrong-password status)
ENDPOINTS = {
    "staff auth": (
        "/api/users/auth/change-password/",
        {"old_password": "no-es-esta-1", "new_password": NEW_PASSWORD},
        {"old_password": TEST_PASSWORD, "new_password": NEW_PASSWORD},
        400,
    ),
    "staff me": (
        "/api/me/change-password/",
        {"current_password": "no-es-esta-1", "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
        {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
        400,
    ),
    "tenant portal": (
        "/api/tenant/change-password",
        {"current_password": "no-es-esta-1", "new_password": NEW_PASSWORD, "new_password_confirmation": NEW_PASSWORD},
        {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirmation": NEW_PASSWORD},
        400,
    ),
}


def _owner(name):
    return TenantFactory().user if name == "tenant portal" else UserFactory(role=Role.TECH)


@pytest.mark.parametrize("name", ENDPOINTS)
def test_guessing_the_current_password_is_throttled_per_user(name, monkeypatch):
    # given a user whose token is used to guess their password, at a rate of 3 per hour
    # (DRF reads the rates once, when the throttle class is defined)
    monkeypatch.setattr(
        PasswordCheckThrottle, "THROTTLE_RATES", {**PasswordCheckThrottle.THROTTLE_RATES, "password_check": "3/hour"}
    )
    path, wrong, right, wrong_status = ENDPOINTS[name]
    victim, other = _owner(name), _owner(name)
    attacker = client_for(victim)

    # when three guesses fail
    assert [attacker.post(path, wrong, format="json").status_code for _ in range(3)] == [wrong_status] * 3

    # then the fourth try is refused, even with the right password, which stays unchanged
    refused = attacker.post(path, right, format="json")
    assert refused.status_code == 429
    victim.refresh_from_db()
    assert victim.check_password(TEST_PASSWORD)
    # and another user's own change is not affected
    assert client_for(other).post(path, right, format="json").status_code == 200
