"""Fixtures shared by the whole suite."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import UserFactory
from users.models import Role
from users.tokens import issue_tokens

# Data migrations that seed catalogs with stable ids: a transactional test's flush empties
# their tables, so transactional tests run them again first (same code, one source of truth).
SEED_MIGRATIONS = [
    ("tickets.migrations.0002_seed_estados", "seed_estados"),
    ("notifications.migrations.0002_seed_notification_types", "seed"),
    ("reports.migrations.0001_rollups", "seed_zone"),
    ("visits.migrations.0002_no_overlap_and_notification_types", "seed"),
]


def _run_seed_migrations() -> None:
    for module, function in SEED_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, SimpleNamespace(connection=connection))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A reused test database may have been left flushed by a transactional test."""
    with django_db_blocker.unblock():
        _run_seed_migrations()


def _db_mode(request) -> str | None:
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if "transactional_db" in names or "live_server" in names:
        return "transactional"
    if marker is not None:
        transactional = marker.kwargs.get("transaction", marker.args[0] if marker.args else False)
        return "transactional" if transactional else "db"
    return "db" if "db" in names else None


@pytest.fixture(autouse=True)
def _shared_state(request):
    """Catalogs present and throttle counters (shared cache table) at zero for every test."""
    mode = _db_mode(request)
    if mode is None:
        yield
        return
    if mode == "transactional":
        request.getfixturevalue("transactional_db")
        _run_seed_migrations()
    else:
        request.getfixturevalue("db")
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def admin_site(admin_user) -> Client:
    """The Django admin site, logged in as an ADMIN."""
    client = Client()
    client.force_login(admin_user)
    return client


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
