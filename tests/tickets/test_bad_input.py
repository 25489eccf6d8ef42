"""Bad input on the tickets section is always a 4xx, never a 500."""

import json

import pytest

from tests.factories import StateChangeRequestFactory, TicketFactory, estado

pytestmark = pytest.mark.django_db

NASTY_VALUES = [None, 0, -1, 10**30, True, [], {}, ["a"], {"a": 1}, "", " ", "\x00", "a\x00b", "x" * 100_000, "😀" * 50]


@pytest.fixture
def targets(admin_user, tech_user, client_user):
    ticket = TicketFactory(administrador=admin_user, tecnico=tech_user, cliente=client_user)
    state_request = StateChangeRequestFactory(ticket=TicketFactory(tecnico=tech_user, estado=estado("in_repair")))
    return {"ticket": ticket.pk, "request": state_request.pk}


WRITES = [
    (
        "as_admin",
        "post",
        "/api/tickets/",
        ["cliente", "tecnico", "administrador", "estado", "titulo", "fecha", "priority"],
    ),
    ("as_admin", "post", "/api/estados/", ["codigo", "nombre", "es_final", "portal_status"]),
    ("as_admin", "put", "/api/tickets/change-technician/{ticket}/", ["documento_tecnico"]),
    ("as_tech", "put", "/api/tickets/change-state/{ticket}/", ["to_state", "reason"]),
    ("as_admin", "put", "/api/tickets/approve-state/{request}/", ["action", "rejection_reason"]),
    ("as_client", "put", "/api/tickets/cancel/{ticket}/", ["reason"]),
]


@pytest.mark.parametrize(("caller", "method", "path", "fields"), WRITES)
def test_nasty_body_values_never_cause_a_500(request, targets, caller, method, path, fields):
    client = request.getfixturevalue(caller)
    url = path.format(**targets)
    for field in fields:
        for value in NASTY_VALUES:
            response = getattr(client, method)(url, json.dumps({field: value}), content_type="application/json")
            assert response.status_code < 500, (field, value, response.status_code)


@pytest.mark.parametrize("body", ["[]", '"texto"', "null", "{", "\x00"])
def test_non_object_json_bodies_are_400(as_tech, targets, body):
    response = as_tech.put(f"/api/tickets/change-state/{targets['ticket']}/", body, content_type="application/json")

    assert response.status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/api/tickets/99999999999999999999999/history/",
        "/api/tickets/0/attachments/",
        "/api/tickets/1/attachments/99999999999999999999999/download/",
        "/api/tickets/abc/history/",
        "/api/tickets/consulta/?user_document=%00",
        "/api/tickets/consulta/?user_document=" + "x" * 500,
        "/api/tickets/?search=" + "x" * 500,
        "/api/tickets/?fecha_desde=99999-01-01",
        "/api/tickets/?fecha_desde=2025-01-01T25:00:00",
    ],
)
def test_bad_paths_and_query_strings_are_4xx(as_admin, targets, path):
    response = as_admin.get(path)

    assert 400 <= response.status_code < 500, (path, response.status_code)


def test_wrong_content_type_is_415(as_admin):
    response = as_admin.post("/api/tickets/", "<xml/>", content_type="application/xml")

    assert response.status_code == 415
