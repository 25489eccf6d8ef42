"""Tenant portal profile and property: me, devices, apartment, building, doormen, owner."""

import pytest

from tenants.models import Building, Shift
from tests.factories import (
    DeviceFactory,
    DoormanFactory,
    NameDeviceFactory,
    OwnerFactory,
    TenantFactory,
)
from tests.tenants.conftest import tenant_path

pytestmark = pytest.mark.django_db


def building_body(building) -> dict:
    return {
        "id": building.pk,
        "name": building.name,
        "address": building.address,
        "description": building.description,
        "location_link": building.location_link,
        "image": None,
    }


def person_body(person, phone=None, photo=None) -> dict:
    return {"id": person.pk, "name": person.name, "email": person.email, "phone": phone, "photo": photo}


def test_me_returns_the_tenant_with_apartment_and_building(as_tenant, tenant, apartment, building):
    # given a resident with a photo
    tenant.photo = "https://cdn.example.com/ana.jpg"
    tenant.save(update_fields=["photo"])

    # when they read their profile
    response = as_tenant.get(tenant_path("me"))

    # then the documented shape comes back (empty optional texts as null)
    assert response.status_code == 200
    assert response.json() == {
        "tenant": {
            "id": tenant.pk,
            "name": "Ana Residente",
            "email": tenant.user.email,
            "phone": tenant.phone,
            "photo": "https://cdn.example.com/ana.jpg",
            "apartment": {
                "id": apartment.pk,
                "name": apartment.name,
                "ubicacion": "Primer piso",
                "building": building_body(building),
            },
        }
    }


def test_devices_lists_own_and_shared_devices_with_the_first_owner(as_tenant, tenant, other_tenant):
    # given a device of the tenant, one shared with them by two owners, and someone else's
    tv_type = NameDeviceFactory(name="Televisor")
    own = DeviceFactory(owners=[tenant], name="Televisor sala", name_device=tv_type, brand="", icon_id="")
    first_owner, second_owner = other_tenant, TenantFactory()
    shared = DeviceFactory(owners=[second_owner, first_owner], shared_with=[tenant], name="Aire", name_device=None)
    DeviceFactory(owners=[other_tenant], name="Nevera ajena")
    orphan = DeviceFactory(shared_with=[tenant], name="Zeta sin dueño")

    # when they list their devices
    with_counts = as_tenant.get(tenant_path("devices"))

    # then own and shared devices come back in the documented shape
    assert with_counts.status_code == 200
    body = with_counts.json()
    assert body["own_devices"] == [
        {
            "id": own.pk,
            "name": "Televisor sala",
            "status": True,
            "ubicacion": "Sala",
            "brand": None,
            "model": "QN55",
            "system": "Tizen",
            "device_type": "Television",
            "icon_id": None,
            "name_device": {"id": tv_type.pk, "name": "Televisor", "status": True},
        }
    ]
    assert [device["id"] for device in body["shared_devices"]] == [shared.pk, orphan.pk]
    assert body["shared_devices"][0]["name_device"] is None
    # the owner is the first owner by id
    owner = min(first_owner, second_owner, key=lambda t: t.pk)
    assert body["shared_devices"][0]["owner"] == {"id": owner.pk, "name": owner.name, "email": owner.email}
    assert body["shared_devices"][1]["owner"] is None


def test_devices_runs_the_same_queries_for_1_and_20_devices(
    as_tenant, tenant, django_assert_max_num_queries, django_assert_num_queries
):
    def add(count):
        for _ in range(count):
            DeviceFactory(owners=[tenant])
            DeviceFactory(owners=[TenantFactory()], shared_with=[tenant])

    add(1)
    with django_assert_max_num_queries(6) as captured:
        assert as_tenant.get(tenant_path("devices")).status_code == 200
    add(19)
    with django_assert_num_queries(len(captured)):
        response = as_tenant.get(tenant_path("devices"))
    assert (len(response.json()["own_devices"]), len(response.json()["shared_devices"])) == (20, 20)


def test_apartment_lists_the_other_tenants_only(as_tenant, tenant, apartment, building):
    # given two flatmates and a resident of another apartment of the same building
    flatmate = TenantFactory(apartment=apartment, photo="https://cdn.example.com/f.jpg")
    second = TenantFactory(apartment=apartment, phone="")
    TenantFactory(apartment__building=building)

    # when the tenant reads their apartment
    response = as_tenant.get(tenant_path("apartment"))

    # then the flatmates (never the tenant) are listed
    assert response.status_code == 200
    assert response.json() == {
        "apartment": {
            "id": apartment.pk,
            "name": apartment.name,
            "ubicacion": "Primer piso",
            "status": True,
            "other_tenants": [
                person_body(flatmate, phone=flatmate.phone, photo="https://cdn.example.com/f.jpg"),
                person_body(second),
            ],
            "building": building_body(building),
        }
    }


def test_building_comes_with_its_owner(as_tenant, building):
    owner = building.owner

    response = as_tenant.get(tenant_path("building"))

    assert response.status_code == 200
    assert response.json() == {
        "building": {
            **building_body(building),
            "managing_company": "Administraciones Andinas",
            "status": True,
            "owner": person_body(owner, phone=owner.phone),
        }
    }


def test_building_without_owner_has_a_null_owner(as_tenant, building):
    Building.objects.filter(pk=building.pk).update(owner=None, managing_company="")

    response = as_tenant.get(tenant_path("building"))

    assert response.status_code == 200
    assert response.json()["building"]["owner"] is None
    assert response.json()["building"]["managing_company"] is None


def test_doormen_lists_the_active_doormen_of_the_building_only(as_tenant, building):
    # given active and inactive doormen here and a doorman of another building
    night = DoormanFactory(building=building, shift=Shift.NIGHT, name="Nicolás", photo="https://cdn.example.com/n.jpg")
    morning = DoormanFactory(building=building, shift=Shift.MORNING, name="Marta", phone="")
    DoormanFactory(building=building, active=False)
    DoormanFactory()

    # when the tenant lists them
    response = as_tenant.get(tenant_path("doormen"))

    # then only this building's active doormen come back
    assert response.status_code == 200
    assert response.json() == {
        "doormen": [
            {**person_body(morning), "shift": "morning"},
            {**person_body(night, phone=night.phone, photo="https://cdn.example.com/n.jpg"), "shift": "night"},
        ]
    }


def test_owner_is_the_owner_of_the_building(as_tenant, building):
    owner = building.owner
    OwnerFactory()  # someone else's

    response = as_tenant.get(tenant_path("owner"))

    assert response.status_code == 200
    assert response.json() == {"owner": person_body(owner, phone=owner.phone)}


def test_owner_is_404_when_the_building_has_none(as_tenant, building):
    Building.objects.filter(pk=building.pk).update(owner=None)

    response = as_tenant.get(tenant_path("owner"))

    assert response.status_code == 404
    assert response.json() == {"error": "Not Found", "message": "Owner not found."}


@pytest.mark.parametrize("path", ["me", "apartment", "building", "doormen", "owner"])
def test_profile_endpoints_run_a_small_constant_number_of_queries(as_tenant, django_assert_max_num_queries, path):
    # token user (1) + tenant with apartment, building and owner (1) + at most one list
    with django_assert_max_num_queries(3):
        response = as_tenant.get(tenant_path(path) + "/")
    assert response.status_code == 200
