"""Security round two (issue 17), findings 5-8: hostile input that was a 500 or was stored as
sent. Each test sends the request a client would send and checks status, body and what was stored."""

import logging
import re

import pytest
from rest_framework.test import APIClient

from tests.conftest import client_for
from tests.factories import TenantFactory, UserFactory
from users.models import Role

pytestmark = pytest.mark.django_db

# --- Finding 5: deeply nested JSON -------------------------------------------------------------

NESTED_2KB = b"[" * 1000 + b"]" * 1000
STAFF_TOO_DEEP = {"detail": "JSON inválido: el cuerpo está anidado a más de 64 niveles."}
TENANT_TOO_DEEP_MESSAGE = "JSON parse error - the body is nested deeper than 64 levels."


def nested(depth: int) -> bytes:
    """`{"email": [[...]]}`: an object holding arrays, `depth` containers in all."""
    return b'{"email": ' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"


def is_tenant(path: str) -> bool:
    return path.startswith("/api/tenant/") or path == "/api/tenant"


def write_operations(schema_document: dict) -> list[tuple[str, str]]:
    """Every POST/PUT/PATCH of both APIs, path parameters filled with an id."""
    operations = []
    for path, item in schema_document["paths"].items():
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        operations += [(method.upper(), concrete) for method in ("post", "put", "patch") if method in item]
    return operations


@pytest.fixture
def malformed_tenant_keys(db) -> set[str]:
    """The keys of the tenant API's answer to a malformed JSON body (the shape to match)."""
    response = APIClient().post("/api/tenant/login", b'{"email": ', content_type="application/json")
    assert response.status_code == 400
    return set(response.json())


@pytest.mark.parametrize(
    "path",
    ["/api/users/auth/login/", "/api/users/auth/refresh/", "/api/tenant/login", "/api/tenant/reset-password-request"],
)
def test_a_deeply_nested_body_to_a_login_is_a_400_without_an_error_log(path, caplog, malformed_tenant_keys):
    # given 2 KB of nested arrays (RecursionError in the parser or the e-mail throttle before)
    caplog.set_level(logging.WARNING)

    # when
    response = APIClient().post(path, NESTED_2KB, content_type="application/json")

    # then a 400 in the API's own shape for a malformed body, and nothing logged as an error
    assert response.status_code == 400
    if is_tenant(path):
        assert set(response.json()) == malformed_tenant_keys
        assert response.json()["message"] == TENANT_TOO_DEEP_MESSAGE
    else:
        assert response.json() == STAFF_TOO_DEEP
    assert [record for record in caplog.records if record.levelno >= logging.ERROR] == []


def test_every_write_operation_refuses_a_deeply_nested_body(schema_document, malformed_tenant_keys, caplog):
    # given signed-in callers of both APIs (so that the views would parse the body)
    admin = client_for(UserFactory(role=Role.ADMIN))
    resident = client_for(TenantFactory().user)
    operations = write_operations(schema_document)
    assert len(operations) >= 39
    caplog.set_level(logging.WARNING)

    # when each operation gets the nested body
    wrong = {}
    for method, path in operations:
        client = resident if is_tenant(path) else admin
        response = getattr(client, method.lower())(path, NESTED_2KB, content_type="application/json")
        body = response.json()
        if is_tenant(path):
            right = set(body) == malformed_tenant_keys and body["message"] == TENANT_TOO_DEEP_MESSAGE
        else:
            right = body == STAFF_TOO_DEEP
        if response.status_code != 400 or not right:
            wrong[f"{method} {path}"] = (response.status_code, body)

    # then every one is the 400, and nothing was logged as an error
    assert wrong == {}
    assert [record for record in caplog.records if record.levelno >= logging.ERROR] == []


def test_a_body_nested_64_deep_is_still_parsed(db):
    # when a login body nests exactly 64 containers
    response = APIClient().post("/api/users/auth/login/", nested(64), content_type="application/json")

    # then the serializer judged it (the field is not a string), not the depth check
    assert response.status_code == 400
    assert "email" in response.json()
    assert response.json() != STAFF_TOO_DEEP


def test_one_level_more_is_refused(db):
    response = APIClient().post("/api/users/auth/login/", nested(65), content_type="application/json")

    assert (response.status_code, response.json()) == (400, STAFF_TOO_DEEP)


@pytest.mark.parametrize(
    ("body", "depth"),
    [
        (b'{"a": "[[[[[[[[[["}', 1),  # brackets inside a string do not count
        (b'{"a": "\\"[[[[[[[[[["}', 1),  # nor after an escaped quote
        (b'[[[{"a": "\\\\"}, [[]]]]]', 5),  # an escaped backslash ends the escape
        (b"[[[[[[", 6),  # unclosed brackets count (the parser recurses into them)
    ],
)
def test_the_depth_scan_skips_strings_and_escapes(body, depth):
    from tickethelp.json_depth import json_depth_exceeds

    assert json_depth_exceeds(body, depth - 1)
    assert not json_depth_exceeds(body, depth)


def test_the_depth_limit_is_a_setting(settings):
    # given a stricter limit
    settings.MAX_JSON_DEPTH = 3

    # when
    response = APIClient().post("/api/users/auth/login/", nested(4), content_type="application/json")

    # then
    assert (response.status_code, response.json()) == (
        400,
        {"detail": "JSON inválido: el cuerpo está anidado a más de 3 niveles."},
    )
