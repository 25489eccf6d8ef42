"""Fixtures shared by the whole suite."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import UserFactory
from users.models import Role
from users.tokens import issue_tokens


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttle counters live in the shared cache; every test starts from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def client_for(user) -> APIClient:
    """An API client that sends a real Bearer access token for `user`."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_tokens(user).access_token}")
    return client


@pytest.fixture
def admin_user(db):
    return UserFactory(role=Role.ADMIN)


@pytest.fixture
def tech_user(db):
    return UserFactory(role=Role.TECH)


@pytest.fixture
def client_user(db):
    return UserFactory(role=Role.CLIENT)


@pytest.fixture
def as_admin(admin_user) -> APIClient:
    return client_for(admin_user)


@pytest.fixture
def as_tech(tech_user) -> APIClient:
    return client_for(tech_user)


@pytest.fixture
def as_client(client_user) -> APIClient:
    return client_for(client_user)


@pytest.fixture
def role_clients(db, api_client, admin_user, tech_user, client_user) -> dict[str, APIClient]:
    """One API client per audience of the permission matrices."""
    return {
        "anonymous": api_client,
        "CLIENT": client_for(client_user),
        "TECH": client_for(tech_user),
        "ADMIN": client_for(admin_user),
    }
