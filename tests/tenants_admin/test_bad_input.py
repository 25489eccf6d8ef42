"""Bad input on the management API is always a 4xx naming what was wrong, never a 500."""

import json

import pytest

from tenants.models import Apartment, Building, Device, Doorman, NameDevice, Owner, Tenant

pytestmark = pytest.mark.django_db

NASTY_VALUES = [
    None,
    0,
    -1,
    10**30,
    1.5,
    True,
    [],
    {},
    ["a"],
    [10**30],
    {"a": 1},
    "",
    " ",
    "\x00",
    "a\x00b",
    "x" * 100_000,
    "😀" * 50,
    "1; DROP TABLE tenants_tenant",
]

FIELDS = {
    "owners": ["name", "email", "phone", "photo"],
    "buildings": [
        "name",
        "managing_company",
        "address",
        "description",
        "location_link",
        "image",
        "status",
        "owner",
    ],
    "doormen": ["building", "name", "email", "phone", "photo", "shift", "active"],
    "apartments": ["building", "name", "ubicacion", "status"],
    "tenants": [
        "user_document",
        "document",
        "email",
        "first_name",
        "last_name",
        "number",
        "apartment",
        "phone",
        "photo",
    ],
    "device-types": ["name", "status"],
    "devices": [
        "name",
        "status",
        "ubicacion",
        "brand",
        "model",
        "system",
        "device_type",
        "icon_id",
        "name_device",
        "owners",
        "shared_with",
    ],
}
MODELS = {
    "owners": Owner,
    "buildings": Building,
    "doormen": Doorman,
    "apartments": Apartment,
    "tenants": Tenant,
    "device-types": NameDevice,
    "devices": Device,
}


def detail_pk(world, resource: str) -> int:
    return {
        "owners": world.owner,
        "buildings": world.building,
        "doormen": world.doorman,
        "apartments": world.apartment,
        "tenants": world.tenant,
        "device-types": world.device_type,
        "devices": world.device,
    }[resource].pk


@pytest.mark.parametrize("resource", list(FIELDS))
def test_nasty_values_in_every_field_never_cause_a_500(as_admin, world, resource):
    url = f"/api/{resource}/"
    detail = f"/api/{resource}/{detail_pk(world, resource)}/"
    for field in FIELDS[resource]:
        for value in NASTY_VALUES:
            body = json.dumps({field: value})
            created = as_admin.post(url, body, content_type="application/json")
            patched = as_admin.patch(detail, body, content_type="application/json")
            assert created.status_code < 500, (field, value, created.status_code)
            assert patched.status_code < 500, (field, value, patched.status_code)
            if created.status_code == 400:
                assert created.json(), (field, value)


@pytest.mark.parametrize("resource", list(FIELDS))
@pytest.mark.parametrize("body", ["[]", '"texto"', "null", "{", "\x00", "[1, 2]"])
def test_non_object_json_bodies_are_400(as_admin, world, resource, body):
    count = MODELS[resource].objects.count()

    created = as_admin.post(f"/api/{resource}/", body, content_type="application/json")
    patched = as_admin.patch(f"/api/{resource}/{detail_pk(world, resource)}/", body, content_type="application/json")

    assert created.status_code == 400
    assert patched.status_code == 400
    assert MODELS[resource].objects.count() == count


@pytest.mark.parametrize("resource", list(FIELDS))
def test_wrong_content_type_is_415(as_admin, resource):
    response = as_admin.post(f"/api/{resource}/", "<xml/>", content_type="application/xml")

    assert response.status_code == 415


@pytest.mark.parametrize("resource", list(FIELDS))
@pytest.mark.parametrize("pk", ["99999999999999999999999", "0", "9223372036854775808", "abc", "-1", "1.5"])
def test_bad_ids_in_the_path_are_404(as_admin, resource, pk):
    for method in ("get", "patch", "delete"):
        response = getattr(as_admin, method)(f"/api/{resource}/{pk}/")
        assert response.status_code == 404, (method, response.status_code)


@pytest.mark.parametrize(
    ("resource", "param", "value"),
    [
        ("buildings", "status", "quizás"),
        ("buildings", "owner", "abc"),
        ("buildings", "owner", "99999999999999999999999"),
        ("buildings", "search", "x" * 101),
        ("buildings", "search", "a\x00b"),
        ("apartments", "building", "-1"),
        ("apartments", "status", "2"),
        ("doormen", "shift", "siesta"),
        ("doormen", "active", "maybe"),
        ("doormen", "building", "1.5"),
        ("tenants", "apartment", "x"),
        ("tenants", "building", "0"),
        ("tenants", "is_active", "nope"),
        ("tenants", "search", "\x00"),
        ("owners", "search", "x" * 1000),
        ("device-types", "status", "[]"),
        ("devices", "owner", "abc"),
        ("devices", "shared_with", "99999999999999999999"),
        ("devices", "tenant", "-5"),
        ("devices", "name_device", "uno"),
        ("devices", "status", "yes please"),
        ("devices", "page", "0"),
        ("devices", "limit", "abc"),
        ("devices", "offset", "-1"),
    ],
)
def test_bad_filter_values_are_400_naming_the_parameter(as_admin, world, resource, param, value):
    response = as_admin.get(f"/api/{resource}/", {param: value})

    assert response.status_code == 400, response.status_code
    assert param in response.json()


def test_unknown_query_parameters_are_ignored(as_admin, world):
    response = as_admin.get("/api/buildings/?color=rojo")

    assert response.status_code == 200
    assert len(response.json()) == 1
