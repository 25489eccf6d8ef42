"""Permission matrix: anonymous / CLIENT / TECH / ADMIN x every management endpoint and method,
with and without the trailing slash. A denied call changes nothing."""

import pytest
from django.forms.models import model_to_dict

from tenants.models import Apartment, Building, Device, Doorman, NameDevice, Owner, Tenant
from tests.factories import (
    ApartmentFactory,
    BuildingFactory,
    DeviceFactory,
    DoormanFactory,
    NameDeviceFactory,
    OwnerFactory,
    TenantFactory,
)
from users.models import Role

pytestmark = pytest.mark.django_db


# resource -> (model, factory of a deletable row, body for POST/PUT given the world)
RESOURCES = {
    "owners": (Owner, lambda w: OwnerFactory(), lambda w: {"name": "Nuevo", "email": "nuevo@example.com"}),
    "buildings": (
        Building,
        lambda w: BuildingFactory(),
        lambda w: {"name": "Edificio de la matriz", "owner": w.owner.pk},
    ),
    "doormen": (
        Doorman,
        lambda w: DoormanFactory(building=w.building),
        lambda w: {"building": w.building.pk, "name": "Portero", "shift": "night"},
    ),
    "apartments": (
        Apartment,
        lambda w: ApartmentFactory(building=w.building),
        lambda w: {"building": w.building.pk, "name": "Matriz-1"},
    ),
    "tenants": (Tenant, lambda w: TenantFactory(apartment=w.apartment), None),
    "device-types": (NameDevice, lambda w: NameDeviceFactory(name="Horno"), lambda w: {"name": "Secadora"}),
    "devices": (
        Device,
        lambda w: DeviceFactory(owners=[w.tenant]),
        lambda w: {"name": "Consola", "owners": [w.roommate.pk]},
    ),
}
TENANT_CREATE = {"document": "CC-4242424", "email": "matriz@example.com", "first_name": "Matriz"}

ROLES = ["anonymous", "CLIENT", "TECH", "ADMIN"]
DENIED = {"anonymous": 401, "CLIENT": 403, "TECH": 403}
# (method, on a detail URL?, status for ADMIN)
OPERATIONS = [
    ("get", False, 200),
    ("post", False, 201),
    ("get", True, 200),
    ("put", True, 200),
    ("patch", True, 200),
    ("delete", True, 204),
]


def body_for(resource: str, method: str, world):
    if resource == "tenants":
        if method == "post":
            return {**TENANT_CREATE, "apartment": world.apartment.pk}
        return {"apartment": world.apartment.pk, "phone": "+57 1 000"}
    return RESOURCES[resource][2](world)


def snapshot(model) -> list[dict]:
    return [model_to_dict(row) for row in model.objects.order_by("pk")]


@pytest.mark.parametrize("slash", ["/", ""], ids=["slash", "no-slash"])
@pytest.mark.parametrize(("method", "detail", "admin_status"), OPERATIONS, ids=lambda v: str(v))
@pytest.mark.parametrize("resource", list(RESOURCES))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(role_clients, world, role, resource, method, detail, admin_status, slash):
    # given a row that may be changed or deleted
    model, make_target, _ = RESOURCES[resource]
    target = make_target(world)
    path = f"/api/{resource}/{target.pk}{slash}" if detail else f"/api/{resource}{slash}"
    body = body_for(resource, method, world) if method in ("post", "put", "patch") else None
    before = snapshot(model)

    # when the role calls the endpoint
    response = getattr(role_clients[role], method)(path, body, format="json")

    # then admins are served and everyone else is refused without any change
    expected = admin_status if role == Role.ADMIN else DENIED[role]
    assert response.status_code == expected, (response.status_code, getattr(response, "data", None))
    if role != Role.ADMIN:
        assert snapshot(model) == before
        assert "detail" in response.json()


@pytest.mark.parametrize("resource", list(RESOURCES))
def test_unsupported_methods_are_405(as_admin, world, resource):
    target = RESOURCES[resource][1](world)

    assert as_admin.delete(f"/api/{resource}/").status_code == 405
    assert as_admin.put(f"/api/{resource}/", {}, format="json").status_code == 405
    assert as_admin.post(f"/api/{resource}/{target.pk}/", {}, format="json").status_code == 405


def test_an_inactive_admin_is_refused(world, admin_user):
    from tests.conftest import client_for

    client = client_for(admin_user)
    admin_user.is_active = False
    admin_user.save(update_fields=["is_active"])

    assert client.get("/api/buildings/").status_code in (401, 403)
