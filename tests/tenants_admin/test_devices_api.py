"""/api/devices/: owners and shared residents given as tenant ids, disjoint."""

import pytest

from tenants.models import Device
from tests.factories import DeviceFactory, NameDeviceFactory, TenantFactory, TicketFactory

pytestmark = pytest.mark.django_db


def brief(tenant) -> dict:
    return {
        "id": tenant.pk,
        "document": tenant.user.document,
        "name": tenant.user.get_full_name(),
        "email": tenant.user.email,
        "apartment": tenant.apartment_id,
        "apartment_name": tenant.apartment.name,
        "building_name": tenant.apartment.building.name,
    }


def test_device_detail_shape(as_admin, world):
    TicketFactory(device=world.device, cliente=world.tenant.user)

    response = as_admin.get(f"/api/devices/{world.device.pk}/")

    assert response.status_code == 200
    device = world.device
    assert response.json() == {
        "id": device.pk,
        "name": "Televisor sala",
        "status": True,
        "ubicacion": device.ubicacion,
        "brand": device.brand,
        "model": device.model,
        "system": device.system,
        "device_type": device.device_type,
        "icon_id": device.icon_id,
        "name_device": world.device_type.pk,
        "name_device_name": "Televisor",
        "owners": [world.tenant.pk],
        "shared_with": [world.roommate.pk],
        "owners_detail": [brief(world.tenant)],
        "shared_with_detail": [brief(world.roommate)],
        "tickets_count": 1,
    }


def test_device_create_with_owners_and_shared(as_admin, world):
    response = as_admin.post(
        "/api/devices/",
        {
            "name": "Nevera",
            "brand": "Mabe",
            "name_device": NameDeviceFactory(name="Nevera").pk,
            "owners": [world.roommate.pk],
            "shared_with": [world.tenant.pk],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    device = Device.objects.get(name="Nevera")
    assert list(device.owners.all()) == [world.roommate]
    assert list(device.shared_with.all()) == [world.tenant]
    assert response.json()["owners"] == [world.roommate.pk]
    assert response.json()["name_device_name"] == "Nevera"


def test_device_create_with_no_residents_and_no_type(as_admin):
    response = as_admin.post("/api/devices/", {"name": "Portón"}, format="json")

    assert response.status_code == 201
    assert response.json()["owners"] == []
    assert response.json()["name_device"] is None


@pytest.mark.parametrize("field", ["owners", "shared_with"])
def test_unknown_tenant_ids_are_400_naming_the_field(as_admin, world, field):
    response = as_admin.post("/api/devices/", {"name": "X", field: [world.tenant.pk, 999_999]}, format="json")

    assert response.status_code == 400
    assert response.json()[field] == ["No existen residentes con id: 999999."]
    assert Device.objects.count() == 1


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ("1", "owners"),
        ([0], "owners"),
        (["a"], "shared_with"),
        ([True], "owners"),
        ([10**30], "shared_with"),
        ([[1]], "owners"),
        ({"1": 1}, "owners"),
        (list(range(1, 300)), "owners"),
    ],
)
def test_malformed_tenant_id_lists_are_400(as_admin, field, value):
    response = as_admin.post("/api/devices/", {"name": "X", field: value}, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Device.objects.exists()


def test_a_tenant_cannot_own_and_share_the_same_device(as_admin, world):
    response = as_admin.post(
        "/api/devices/",
        {"name": "X", "owners": [world.tenant.pk], "shared_with": [world.tenant.pk, world.roommate.pk]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "owner_and_shared"
    assert "shared_with" in response.json()
    assert Device.objects.count() == 1


def test_patching_owners_checks_the_overlap_with_the_kept_shared_set(as_admin, world):
    # given a device owned by tenant and shared with roommate
    # when only the owners are replaced with the roommate
    response = as_admin.patch(f"/api/devices/{world.device.pk}/", {"owners": [world.roommate.pk]}, format="json")

    # then it is refused and nothing changed
    assert response.status_code == 400
    assert "shared_with" in response.json()
    assert list(world.device.owners.all()) == [world.tenant]
    assert list(world.device.shared_with.all()) == [world.roommate]


def test_patching_fields_keeps_the_residents(as_admin, world):
    response = as_admin.patch(f"/api/devices/{world.device.pk}/", {"status": False, "brand": "LG"}, format="json")

    assert response.status_code == 200
    world.device.refresh_from_db()
    assert (world.device.status, world.device.brand) == (False, "LG")
    assert list(world.device.owners.all()) == [world.tenant]
    assert list(world.device.shared_with.all()) == [world.roommate]


def test_put_replaces_residents(as_admin, world):
    third = TenantFactory(apartment=world.apartment)

    response = as_admin.put(
        f"/api/devices/{world.device.pk}/",
        {"name": "TV", "owners": [world.roommate.pk, third.pk], "shared_with": []},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert set(world.device.owners.values_list("pk", flat=True)) == {world.roommate.pk, third.pk}
    assert not world.device.shared_with.exists()


def test_deleting_a_device_with_tickets_is_409(as_admin, world):
    TicketFactory(device=world.device, cliente=world.tenant.user)

    response = as_admin.delete(f"/api/devices/{world.device.pk}/")

    assert response.status_code == 409
    assert "tickets" in response.json()["detail"]
    assert Device.objects.filter(pk=world.device.pk).exists()


def test_deleting_a_device_without_tickets(as_admin, world):
    response = as_admin.delete(f"/api/devices/{world.device.pk}/")

    assert response.status_code == 204
    assert not Device.objects.exists()
    assert world.tenant.owned_devices.count() == 0


def test_device_filters(as_admin, world):
    lonely = DeviceFactory(name="Lavadora", name_device=NameDeviceFactory(name="Lavadora"), status=False)
    shared_only = DeviceFactory(name="Router", shared_with=[world.tenant])

    def ids(query):
        response = as_admin.get(f"/api/devices/?{query}")
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()}

    assert ids(f"owner={world.tenant.pk}") == {world.device.pk}
    assert ids(f"shared_with={world.tenant.pk}") == {shared_only.pk}
    assert ids(f"tenant={world.tenant.pk}") == {world.device.pk, shared_only.pk}
    assert ids(f"shared_with={world.roommate.pk}") == {world.device.pk}
    assert ids(f"name_device={lonely.name_device_id}") == {lonely.pk}
    assert ids("status=false") == {lonely.pk}
    assert ids("search=lava") == {lonely.pk}
