"""Bad input on the users section is always a 4xx that says what is wrong, never a 500."""

import json

import pytest

from tests.conftest import client_for
from tests.factories import UserFactory
from users.models import Role

HUGE = "x" * 100_000
NASTY_VALUES = [
    None,
    0,
    -1,
    10**30,
    True,
    [],
    {},
    ["a"],
    {"a": 1},
    "",
    " ",
    "\x00",
    "a\x00b",
    HUGE,
    "😀" * 50,
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
]

# (method, path, fields whose values are fuzzed)
WRITE_ENDPOINTS = [
    ("post", "/api/users/auth/login/", ["email", "password"]),
    ("post", "/api/users/auth/refresh/", ["refresh"]),
    ("post", "/api/users/auth/logout/", ["refresh"]),
    ("post", "/api/users/auth/change-password/", ["old_password", "new_password"]),
    ("post", "/api/users/create/", ["document", "email", "first_name", "last_name", "number", "role"]),
    (
        "patch",
        "/api/users/update-user/{doc}/",
        ["document", "email", "first_name", "number", "role", "profile_picture"],
    ),
    ("patch", "/api/users/update-profile-picture/{doc}/", ["profile_picture"]),
    ("patch", "/api/me/", ["first_name", "last_name", "number", "profile_picture"]),
    ("patch", "/api/me/{doc}/", ["first_name", "number"]),
    ("post", "/api/me/change-password/", ["new_password", "current_password"]),
    ("post", "/api/me/change-password/{doc}/", ["new_password"]),
]

READ_PATHS = [
    "/api/users/?page={v}",
    "/api/users/?page_size={v}",
    "/api/users/?limit={v}&offset={v}",
    "/api/users/?role={v}",
    "/api/users/?is_active={v}",
    "/api/users/?search={v}",
    "/api/users/?joined_from={v}",
    "/api/users/{v}/",
    "/api/admins/{v}/",
    "/api/technicians/{v}/",
    "/api/clients/{v}/",
    "/api/me/{v}/",
    "/api/me/?user_document={v}",
]
PATH_VALUES = [
    "abc",
    "-1",
    "0",
    "99999999999999999999999999",
    "%00",
    "a%00b",
    "x" * 300,
    "%F0%9F%98%80",
    "..%2F..",
    "%27%20OR%201%3D1",
]


@pytest.fixture
def admin_client(db):
    return client_for(UserFactory(role=Role.ADMIN, document="ADM-001"))


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "fields"), WRITE_ENDPOINTS)
def test_malformed_bodies_are_4xx_with_a_reason(admin_client, method, path, fields):
    url = path.format(doc="ADM-001")
    bodies = [{field: value} for field in fields for value in NASTY_VALUES]
    bodies += [[], [1, 2], "just a string", 42, None]
    for body in bodies:
        # when
        response = getattr(admin_client, method)(url, json.dumps(body), content_type="application/json")

        # then: a client error (or a success for harmless values), never a server error
        assert response.status_code < 500, (url, body, response.status_code)
        if response.status_code >= 400:
            assert response.json(), (url, body)


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "_fields"), WRITE_ENDPOINTS)
def test_broken_json_and_wrong_content_types_are_4xx(admin_client, method, path, _fields):
    url = path.format(doc="ADM-001")
    send = getattr(admin_client, method)
    assert send(url, "{not json", content_type="application/json").status_code == 400
    assert send(url, "\xff\xfe", content_type="application/json").status_code == 400
    assert send(url, "<a/>", content_type="application/xml").status_code == 415


@pytest.mark.django_db
@pytest.mark.parametrize("template", READ_PATHS)
def test_bad_path_and_query_values_are_4xx_or_empty(admin_client, template):
    for value in PATH_VALUES:
        response = admin_client.get(template.format(v=value))
        assert response.status_code in (200, 400, 403, 404), (template, value, response.status_code)
