"""Owners, buildings, doormen, apartments and device types through the management API."""

import pytest

from tenants.models import Apartment, Building, Doorman, NameDevice, Owner, Shift
from tests.factories import (
    ApartmentFactory,
    BuildingFactory,
    DeviceFactory,
    DoormanFactory,
    NameDeviceFactory,
    OwnerFactory,
    TenantFactory,
)

pytestmark = pytest.mark.django_db


# --- Owners -------------------------------------------------------------------------------------


def test_owner_list_shape_and_total_header(as_admin, world):
    OwnerFactory(name="Zoila Zapata", email="zz@example.com", phone="", photo="")

    response = as_admin.get("/api/owners/")

    assert response.status_code == 200
    assert response["X-Total-Count"] == "2"
    assert response.json() == [
        {
            "id": world.owner.pk,
            "name": "Inversiones Altamira",
            "email": world.owner.email,
            "phone": world.owner.phone,
            "photo": "",
            "buildings_count": 1,
        },
        {
            "id": Owner.objects.get(name="Zoila Zapata").pk,
            "name": "Zoila Zapata",
            "email": "zz@example.com",
            "phone": "",
            "photo": "",
            "buildings_count": 0,
        },
    ]


def test_owner_create_update_delete(as_admin):
    # when an owner is created
    created = as_admin.post(
        "/api/owners/", {"name": "  Ana Dueña ", "email": "ana@example.com", "phone": "+57 1"}, format="json"
    )

    # then 201 with the stored row
    assert created.status_code == 201, created.json()
    owner = Owner.objects.get()
    assert created.json() == {
        "id": owner.pk,
        "name": "Ana Dueña",
        "email": "ana@example.com",
        "phone": "+57 1",
        "photo": "",
        "buildings_count": 0,
    }

    # when it is patched and then replaced
    patched = as_admin.patch(f"/api/owners/{owner.pk}/", {"phone": "+57 2"}, format="json")
    replaced = as_admin.put(f"/api/owners/{owner.pk}", {"name": "Ana María", "email": "am@example.com"}, format="json")

    # then each answer shows the row as stored
    assert patched.status_code == 200
    assert patched.json()["phone"] == "+57 2"
    assert replaced.status_code == 200
    owner.refresh_from_db()
    assert (owner.name, owner.email, owner.phone) == ("Ana María", "am@example.com", "+57 2")

    # when it is deleted
    deleted = as_admin.delete(f"/api/owners/{owner.pk}/")

    # then it is gone
    assert deleted.status_code == 204
    assert not Owner.objects.exists()


def test_deleting_an_owner_with_buildings_is_409_and_keeps_it(as_admin, world):
    response = as_admin.delete(f"/api/owners/{world.owner.pk}/")

    assert response.status_code == 409
    assert response.json()["code"] == "protected"
    assert "edificios" in response.json()["detail"]
    assert Owner.objects.filter(pk=world.owner.pk).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "a@example.com"}, "name"),
        ({"name": "A"}, "email"),
        ({"name": "A", "email": "no-es-correo"}, "email"),
        ({"name": "A", "email": "a@example.com", "photo": "ftp//x"}, "photo"),
        ({"name": "x" * 151, "email": "a@example.com"}, "name"),
        ({"name": "A\x00B", "email": "a@example.com"}, "name"),
    ],
)
def test_owner_validation_errors_name_the_field(as_admin, body, field):
    response = as_admin.post("/api/owners/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Owner.objects.exists()


def test_owner_search(as_admin):
    OwnerFactory(name="Bernardo Bravo")
    OwnerFactory(name="Carla Castro")

    response = as_admin.get("/api/owners/?search=castro")

    assert [row["name"] for row in response.json()] == ["Carla Castro"]


# --- Buildings ----------------------------------------------------------------------------------


def test_building_detail_shape(as_admin, world):
    ApartmentFactory(building=world.building, name="102")

    response = as_admin.get(f"/api/buildings/{world.building.pk}/")

    assert response.status_code == 200
    building = world.building
    assert response.json() == {
        "id": building.pk,
        "name": "Torres del Parque",
        "managing_company": building.managing_company,
        "address": building.address,
        "description": building.description,
        "location_link": building.location_link,
        "image": "",
        "status": True,
        "owner": world.owner.pk,
        "owner_name": "Inversiones Altamira",
        "apartments_count": 2,
        "doormen_count": 1,
    }


def test_building_create_without_owner_and_update(as_admin, world):
    created = as_admin.post("/api/buildings/", {"name": "Mirador", "address": "Calle 1"}, format="json")

    assert created.status_code == 201, created.json()
    building = Building.objects.get(name="Mirador")
    assert created.json()["owner"] is None
    assert created.json()["owner_name"] is None
    assert created.json()["apartments_count"] == 0

    updated = as_admin.patch(
        f"/api/buildings/{building.pk}/", {"owner": world.owner.pk, "status": False}, format="json"
    )

    assert updated.status_code == 200
    building.refresh_from_db()
    assert (building.owner_id, building.status) == (world.owner.pk, False)
    assert updated.json()["owner_name"] == "Inversiones Altamira"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Torres del Parque"}, "name"),
        ({"name": "N", "owner": 999_999}, "owner"),
        ({"name": "N", "owner": "abc"}, "owner"),
        ({"name": "N", "owner": True}, "owner"),
        ({"name": "N", "owner": 1.5}, "owner"),
        ({"name": "N", "owner": 10**30}, "owner"),
        ({"name": "N", "status": "quizás"}, "status"),
        ({"name": "N", "location_link": "no es url"}, "location_link"),
        ({"name": "N", "description": "x" * 2001}, "description"),
        ({"name": ["N"]}, "name"),
    ],
)
def test_building_validation_errors_name_the_field(as_admin, world, body, field):
    response = as_admin.post("/api/buildings/", body, format="json")

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert Building.objects.count() == 1


def test_renaming_a_building_to_a_taken_name_is_400(as_admin, world):
    other = BuildingFactory(name="Mirador")

    response = as_admin.patch(f"/api/buildings/{other.pk}/", {"name": "Torres del Parque"}, format="json")

    assert response.status_code == 400
    assert "name" in response.json()
    other.refresh_from_db()
    assert other.name == "Mirador"


def test_deleting_a_building_with_apartments_is_409(as_admin, world):
    response = as_admin.delete(f"/api/buildings/{world.building.pk}/")

    assert response.status_code == 409
    assert "apartamentos" in response.json()["detail"]
    assert Building.objects.filter(pk=world.building.pk).exists()
    assert Doorman.objects.filter(pk=world.doorman.pk).exists()


def test_deleting_a_building_without_apartments_takes_its_doormen(as_admin):
    building = BuildingFactory()
    DoormanFactory(building=building)

    response = as_admin.delete(f"/api/buildings/{building.pk}/")

    assert response.status_code == 204
    assert not Building.objects.filter(pk=building.pk).exists()
    assert not Doorman.objects.exists()


def test_building_filters(as_admin, world):
    BuildingFactory(name="Inactivo", status=False, owner=None)

    active = as_admin.get("/api/buildings/?status=true")
    inactive = as_admin.get("/api/buildings/?status=false")
    by_owner = as_admin.get(f"/api/buildings/?owner={world.owner.pk}")
    searched = as_admin.get("/api/buildings/?search=parque")

    assert [row["name"] for row in active.json()] == ["Torres del Parque"]
    assert [row["name"] for row in inactive.json()] == ["Inactivo"]
    assert [row["name"] for row in by_owner.json()] == ["Torres del Parque"]
    assert [row["name"] for row in searched.json()] == ["Torres del Parque"]


# --- Doormen ------------------------------------------------------------------------------------


def test_doorman_crud(as_admin, world):
    created = as_admin.post(
        "/api/doormen/",
        {"building": world.building.pk, "name": "Jorge", "shift": "morning", "email": "jorge@example.com"},
        format="json",
    )

    assert created.status_code == 201, created.json()
    doorman = Doorman.objects.get(name="Jorge")
    assert created.json() == {
        "id": doorman.pk,
        "building": world.building.pk,
        "building_name": "Torres del Parque",
        "name": "Jorge",
        "email": "jorge@example.com",
        "phone": "",
        "photo": "",
        "shift": "morning",
        "active": True,
    }

    patched = as_admin.patch(f"/api/doormen/{doorman.pk}/", {"active": False, "shift": "afternoon"}, format="json")

    assert patched.status_code == 200
    doorman.refresh_from_db()
    assert (doorman.active, doorman.shift) == (False, Shift.AFTERNOON)

    assert as_admin.delete(f"/api/doormen/{doorman.pk}").status_code == 204
    assert not Doorman.objects.filter(pk=doorman.pk).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "J", "shift": "morning"}, "building"),
        ({"building": 0, "name": "J", "shift": "morning"}, "building"),
        ({"building": None, "name": "J", "shift": "morning"}, "building"),
        ({"building": "{building}", "name": "J", "shift": "siesta"}, "shift"),
        ({"building": "{building}", "name": "J"}, "shift"),
        ({"building": "{building}", "name": "J", "shift": "night", "active": "x"}, "active"),
    ],
)
def test_doorman_validation_errors_name_the_field(as_admin, world, body, field):
    body = {key: world.building.pk if value == "{building}" else value for key, value in body.items()}

    response = as_admin.post("/api/doormen/", body, format="json")

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert Doorman.objects.count() == 1


def test_doorman_filters(as_admin, world):
    other = BuildingFactory(name="Mirador")
    DoormanFactory(building=other, shift=Shift.MORNING, name="Mañanero", active=False)

    by_building = as_admin.get(f"/api/doormen/?building={other.pk}")
    by_shift = as_admin.get("/api/doormen/?shift=night")
    by_active = as_admin.get("/api/doormen/?active=false")

    assert [row["name"] for row in by_building.json()] == ["Mañanero"]
    assert [row["id"] for row in by_shift.json()] == [world.doorman.pk]
    assert [row["name"] for row in by_active.json()] == ["Mañanero"]


# --- Apartments ---------------------------------------------------------------------------------


def test_apartment_list_shape(as_admin, world):
    response = as_admin.get("/api/apartments")

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": world.apartment.pk,
            "building": world.building.pk,
            "building_name": "Torres del Parque",
            "name": "101",
            "ubicacion": world.apartment.ubicacion,
            "status": True,
            "tenants_count": 2,
        }
    ]


def test_apartment_create_update_delete(as_admin, world):
    created = as_admin.post(
        "/api/apartments/", {"building": world.building.pk, "name": "202", "ubicacion": "Piso 2"}, format="json"
    )
    assert created.status_code == 201, created.json()
    apartment = Apartment.objects.get(name="202")

    moved = as_admin.put(
        f"/api/apartments/{apartment.pk}/",
        {"building": BuildingFactory(name="Mirador").pk, "name": "202", "status": False},
        format="json",
    )
    assert moved.status_code == 200, moved.json()
    apartment.refresh_from_db()
    # (DRF semantics: optional fields left out of a PUT keep their value)
    assert (apartment.building.name, apartment.ubicacion, apartment.status) == ("Mirador", "Piso 2", False)

    assert as_admin.delete(f"/api/apartments/{apartment.pk}/").status_code == 204
    assert not Apartment.objects.filter(pk=apartment.pk).exists()


def test_apartment_name_is_unique_per_building(as_admin, world):
    duplicate = as_admin.post("/api/apartments/", {"building": world.building.pk, "name": "101"}, format="json")
    elsewhere = as_admin.post("/api/apartments/", {"building": BuildingFactory().pk, "name": "101"}, format="json")
    other = ApartmentFactory(building=world.building, name="102")
    renamed = as_admin.patch(f"/api/apartments/{other.pk}/", {"name": "101"}, format="json")

    assert duplicate.status_code == 400
    assert "name" in duplicate.json()
    assert elsewhere.status_code == 201
    assert renamed.status_code == 400
    assert "name" in renamed.json()


def test_deleting_an_apartment_with_tenants_is_409(as_admin, world):
    response = as_admin.delete(f"/api/apartments/{world.apartment.pk}/")

    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"No se puede eliminar apartamento «{world.apartment}»: tiene 2 residentes asociados. "
        "Reasígnalos o elimínalos primero."
    )
    assert Apartment.objects.filter(pk=world.apartment.pk).exists()


def test_apartment_filters(as_admin, world):
    other = ApartmentFactory(name="909", status=False)

    by_building = as_admin.get(f"/api/apartments/?building={other.building_id}")
    by_status = as_admin.get("/api/apartments/?status=false")
    searched = as_admin.get("/api/apartments/?search=90")

    assert [row["id"] for row in by_building.json()] == [other.pk]
    assert [row["id"] for row in by_status.json()] == [other.pk]
    assert [row["id"] for row in searched.json()] == [other.pk]


# --- Device types -------------------------------------------------------------------------------


def test_device_type_crud_and_protection(as_admin, world):
    created = as_admin.post("/api/device-types/", {"name": "Horno"}, format="json")
    assert created.status_code == 201
    horno = NameDevice.objects.get(name="Horno")
    assert created.json() == {"id": horno.pk, "name": "Horno", "status": True, "devices_count": 0}

    duplicate = as_admin.post("/api/device-types/", {"name": "Televisor"}, format="json")
    assert duplicate.status_code == 400
    assert "name" in duplicate.json()

    listed = as_admin.get("/api/device-types/?status=true").json()
    assert [(row["name"], row["devices_count"]) for row in listed] == [("Horno", 0), ("Televisor", 1)]

    in_use = as_admin.delete(f"/api/device-types/{world.device_type.pk}/")
    assert in_use.status_code == 409
    assert "dispositivos" in in_use.json()["detail"]

    assert as_admin.patch(f"/api/device-types/{horno.pk}/", {"status": False}, format="json").json()["status"] is False
    assert as_admin.delete(f"/api/device-types/{horno.pk}/").status_code == 204
    assert list(NameDevice.objects.values_list("name", flat=True)) == ["Televisor"]


def test_unknown_ids_are_404(as_admin):
    for path in ("owners", "buildings", "doormen", "apartments", "tenants", "device-types", "devices"):
        assert as_admin.get(f"/api/{path}/999999/").status_code == 404, path
        assert as_admin.delete(f"/api/{path}/999999/").status_code == 404, path


def test_lists_paginate_with_the_total_in_a_header(as_admin):
    NameDeviceFactory(name="A")
    NameDeviceFactory(name="B")
    NameDeviceFactory(name="C")

    response = as_admin.get("/api/device-types/?limit=2&offset=1")

    assert [row["name"] for row in response.json()] == ["B", "C"]
    assert response["X-Total-Count"] == "3"
    assert 'rel="prev"' in response["Link"]


def test_device_with_tenants_of_other_apartments_counts_stay_correct(as_admin, world):
    # a second device for the same tenants does not change the apartment's resident count
    DeviceFactory(owners=[world.tenant, TenantFactory(apartment=world.apartment)])

    response = as_admin.get(f"/api/apartments/{world.apartment.pk}/")

    assert response.json()["tenants_count"] == 3
