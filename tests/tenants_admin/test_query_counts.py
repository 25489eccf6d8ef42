"""Every management list and detail runs the same number of SQL queries for 1 and for 50 rows."""

import pytest

from tests.factories import (
    ApartmentFactory,
    BuildingFactory,
    DeviceFactory,
    DoormanFactory,
    NameDeviceFactory,
    OwnerFactory,
    TenantFactory,
    TicketFactory,
)
from tests.query_counts import assert_constant

pytestmark = pytest.mark.django_db


def add_owners(world, n):
    for _ in range(n):
        BuildingFactory(owner=OwnerFactory())


def add_buildings(world, n):
    for _ in range(n):
        building = BuildingFactory()
        ApartmentFactory(building=building)
        DoormanFactory(building=building)


def add_doormen(world, n):
    DoormanFactory.create_batch(n, building=BuildingFactory())


def add_apartments(world, n):
    for _ in range(n):
        TenantFactory(apartment=ApartmentFactory(building=world["building"]))


def add_tenants(world, n):
    TenantFactory.create_batch(n, apartment=world["apartment"])


def add_device_types(world, n):
    for i in range(n):
        DeviceFactory(name_device=NameDeviceFactory(name=f"Tipo {world['counter']}-{i}"))
    world["counter"] += 1


def add_devices(world, n):
    for _ in range(n):
        owner, shared = TenantFactory(), TenantFactory()
        device = DeviceFactory(owners=[owner, world["tenant"]], shared_with=[shared])
        TicketFactory(device=device, cliente=owner.user)


LISTS = [
    ("/api/owners/", add_owners),
    ("/api/buildings/?status=true", add_buildings),
    ("/api/doormen/?shift=morning", add_doormen),
    ("/api/apartments/", add_apartments),
    ("/api/tenants/?search=e", add_tenants),
    ("/api/tenants/", add_tenants),
    ("/api/device-types/", add_device_types),
    ("/api/devices/", add_devices),
    ("/api/devices/?tenant={tenant}", add_devices),
    ("/api/devices/?owner={tenant}&status=true", add_devices),
    ("/api/apartments/?building={building}", add_apartments),
    ("/api/tenants/?building={building}&is_active=true", add_tenants),
]


@pytest.mark.parametrize(("path", "add_rows"), LISTS)
def test_list_query_count_does_not_grow_with_rows(as_admin, path, add_rows):
    apartment = ApartmentFactory()
    tenant = TenantFactory(apartment=apartment)
    world = {"building": apartment.building, "apartment": apartment, "tenant": tenant, "counter": 0}
    # a page large enough to render every row: serialising 50 rows must not cost more queries
    url = path.format(tenant=tenant.pk, building=apartment.building_id)
    url += ("&" if "?" in url else "?") + "page_size=100"

    # given 1 row, then 50: the same number of queries
    response = assert_constant(as_admin, url, lambda n: add_rows(world, n))

    # and the page really holds the 50 rows
    assert len(response.json()) >= 50


# --- Details: the related rows a detail counts or lists grow, its queries do not ---------------


def owner_detail():
    owner = OwnerFactory()
    return f"/api/owners/{owner.pk}/", lambda n: BuildingFactory.create_batch(n, owner=owner), "buildings_count"


def building_detail():
    building = BuildingFactory()

    def add(n):
        ApartmentFactory.create_batch(n, building=building)
        DoormanFactory.create_batch(n, building=building)

    return f"/api/buildings/{building.pk}/", add, "apartments_count"


def doorman_detail():
    doorman = DoormanFactory()
    return f"/api/doormen/{doorman.pk}/", lambda n: DoormanFactory.create_batch(n, building=doorman.building), None


def apartment_detail():
    apartment = ApartmentFactory()
    return (
        f"/api/apartments/{apartment.pk}/",
        lambda n: TenantFactory.create_batch(n, apartment=apartment),
        "tenants_count",
    )


def tenant_detail():
    tenant = TenantFactory()

    def add(n):
        for _ in range(n):
            DeviceFactory(owners=[tenant], shared_with=[TenantFactory(apartment=tenant.apartment)])
            TicketFactory(cliente=tenant.user)

    return f"/api/tenants/{tenant.pk}/", add, None


def device_type_detail():
    device_type = NameDeviceFactory(name="Nevera")
    return (
        f"/api/device-types/{device_type.pk}/",
        lambda n: DeviceFactory.create_batch(n, name_device=device_type),
        "devices_count",
    )


def device_detail():
    device = DeviceFactory()

    def add(n):
        for _ in range(n):
            device.owners.add(TenantFactory())
            device.shared_with.add(TenantFactory())
            TicketFactory(device=device)

    return f"/api/devices/{device.pk}/", add, "tickets_count"


DETAILS = [
    owner_detail,
    building_detail,
    doorman_detail,
    apartment_detail,
    tenant_detail,
    device_type_detail,
    device_detail,
]


@pytest.mark.parametrize("detail", DETAILS, ids=lambda detail: detail.__name__)
def test_detail_query_count_does_not_grow_with_related_rows(as_admin, detail):
    path, add_rows, counter = detail()

    response = assert_constant(as_admin, path, add_rows)

    if counter is not None:
        assert response.json()[counter] == 50
