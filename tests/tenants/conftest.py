"""Fixtures of the tenant portal tests: a resident in an apartment, their devices, their client."""

import pytest

from notifications.models import Notification, NotificationType
from tests.conftest import client_for
from tests.factories import (
    ApartmentFactory,
    BuildingFactory,
    DeviceFactory,
    TenantFactory,
    UserFactory,
)
from tickets.models import Estado
from users.models import Role


@pytest.fixture(autouse=True)
def estados(db):
    """The seeded catalog (tests/conftest.py restores it after transactional flushes)."""
    return {state.codigo: state for state in Estado.objects.all()}


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def building(db):
    return BuildingFactory()


@pytest.fixture
def apartment(building):
    return ApartmentFactory(building=building)


@pytest.fixture
def tenant(apartment):
    return TenantFactory(apartment=apartment, user__first_name="Ana", user__last_name="Residente")


@pytest.fixture
def as_tenant(tenant):
    return client_for(tenant.user)


@pytest.fixture
def other_tenant(db):
    """A resident of another apartment in another building."""
    return TenantFactory()


@pytest.fixture
def as_other_tenant(other_tenant):
    return client_for(other_tenant.user)


@pytest.fixture
def device(tenant):
    return DeviceFactory(owners=[tenant], name="Televisor sala")


@pytest.fixture
def technician(db):
    return UserFactory(role=Role.TECH, first_name="Tomás", last_name="Técnico")


def tenant_path(path: str) -> str:
    return f"/api/tenant/{path}"


def make_notification(user, *, ticket=None, titulo="Ticket actualizado", **fields) -> Notification:
    """An in-app notification row for `user` (what the ticket events write)."""
    return Notification.objects.create(
        usuario=user,
        ticket=ticket,
        tipo=NotificationType.objects.get(codigo="estado_cambiado"),
        titulo=titulo,
        mensaje=f"{titulo}.",
        **fields,
    )
