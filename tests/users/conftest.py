"""Fixtures and helpers of the users-app tests."""

import pytest
from rest_framework import serializers
from rest_framework.test import APIClient

from tests.factories import TEST_PASSWORD
from users.models import User

LOGIN_URL = "/api/users/auth/login/"

# Every column an API call could change; compared before/after a denied action.
SNAPSHOT_FIELDS = (
    "document",
    "email",
    "first_name",
    "last_name",
    "number",
    "role",
    "is_active",
    "must_change_password",
    "profile_picture",
    "password",
    "tokens_valid_after",
)


def snapshot(user) -> dict:
    """The user's row as stored now (not the in-memory instance)."""
    return User.objects.values(*SNAPSHOT_FIELDS).get(pk=user.pk)


def expected_user(user) -> dict:
    """The documented user object, built from the row as stored now."""
    user = User.objects.get(pk=user.pk)
    return {
        "id": user.pk,
        "document": user.document,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "full_name": f"{user.first_name} {user.last_name}".strip(),
        "number": user.number,
        "role": user.role,
        "is_active": user.is_active,
        "must_change_password": user.must_change_password,
        "profile_picture": user.profile_picture,
        "date_joined": serializers.DateTimeField().to_representation(user.date_joined),
    }


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


@pytest.fixture
def login(api_client):
    """POST the login form; returns the response."""

    def _login(email: str, password: str = TEST_PASSWORD):
        return api_client.post(LOGIN_URL, {"email": email, "password": password}, format="json")

    return _login
