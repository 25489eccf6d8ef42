"""Every management list runs the same number of SQL queries for 1 row and for 50 rows."""

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

pytestmark = pytest.mark.django_db

# Generous ceiling; the real check is that 1 row and 50 rows cost exactly the same.
MAX_QUERIES = 8


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
]


@pytest.mark.parametrize(("path", "add_rows"), LISTS)
def test_list_query_count_does_not_grow_with_rows(
    as_admin, django_assert_max_num_queries, django_assert_num_queries, path, add_rows
):
    apartment = ApartmentFactory()
    tenant = TenantFactory(apartment=apartment)
    world = {"building": apartment.building, "apartment": apartment, "tenant": tenant, "counter": 0}
    # a page large enough to render every row: serialising 50 rows must not cost more queries
    url = path.format(tenant=tenant.pk) + ("&" if "?" in path else "?") + "page_size=100"

    # given one row
    add_rows(world, 1)
    with django_assert_max_num_queries(MAX_QUERIES) as captured:
        response = as_admin.get(url)
    assert response.status_code == 200
    rows_with_one = len(response.json())

    # when there are 50
    add_rows(world, 49)

    # then the same number of queries runs, and the page really grew
    with django_assert_num_queries(len(captured)):
        response = as_admin.get(url)
    assert response.status_code == 200
    assert len(response.json()) >= rows_with_one + 49
