"""Security round two (issue 17), findings 5-8: hostile input that was a 500 or was stored as
sent. Each test sends the request a client would send and checks status, body and what was stored."""

import logging
import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from rest_framework.test import APIClient

from tests.conftest import client_for
from tests.factories import DeviceFactory, TenantFactory, TicketAttachmentFactory, TicketFactory, UserFactory
from tickets.models import Ticket
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


# --- Finding 6: dates the database cannot hold ---------------------------------------------------

OFFSET_ERROR = "La zona horaria debe estar entre -14:00 y +14:00."
RANGE_ERROR = "La fecha debe estar entre los años 1 y 9999."
USER_LISTS = ["/api/users/", "/api/admins/", "/api/technicians/", "/api/clients/"]
# (path, parameter) for every date filter of the staff API.
DATE_FILTERS = [
    ("/api/tickets/", "fecha_desde"),
    ("/api/tickets/", "fecha_hasta"),
    ("/api/tickets/consulta/", "fecha_desde"),
    ("/api/tickets/consulta/", "fecha_hasta"),
    *[(path, name) for path in USER_LISTS for name in ("joined_from", "joined_to")],
]
BAD_MOMENTS = [
    ("2020-01-01T00:00:00+19:28", OFFSET_ERROR),
    ("2020-01-01T00:00:00-14:01", OFFSET_ERROR),
    ("0001-01-01T00:00:00+05:00", RANGE_ERROR),  # year 0 in UTC
    ("9999-12-31T23:00:00-05:00", RANGE_ERROR),  # year 10000 in UTC
]
REPORTS = [
    "/api/reports/stats/general-stats/",
    "/api/reports/stats/distribucion-estados/",
    "/api/reports/stats/tiempo-resolucion/",
    "/api/reports/stats/flujo-tickets/",
    "/api/reports/stats/tickets-portal/",
]


@pytest.mark.parametrize(("path", "parameter"), DATE_FILTERS)
@pytest.mark.parametrize(("value", "error"), BAD_MOMENTS)
def test_a_date_filter_the_database_cannot_hold_is_a_400_naming_it(as_admin, path, parameter, value, error):
    # when (a DataError 500 before for the offset)
    response = as_admin.get(path, {parameter: value})

    # then
    assert (response.status_code, response.json()) == (400, {parameter: [error]})


@pytest.mark.parametrize("path", ["/api/tickets/", "/api/tickets/consulta/"])
def test_the_last_day_as_an_inclusive_end_is_a_400_not_an_overflow(as_admin, path):
    # when the end date is the last day Python has (its next midnight overflowed before)
    response = as_admin.get(path, {"fecha_hasta": "9999-12-31"})

    # then
    assert (response.status_code, response.json()) == (400, {"fecha_hasta": [RANGE_ERROR]})


@pytest.mark.parametrize(("path", "parameter"), DATE_FILTERS)
def test_extreme_but_real_offsets_still_filter(as_admin, path, parameter):
    for value in ("2020-01-01T00:00:00+14:00", "2020-01-01T00:00:00-12:00", "2020-01-01"):
        response = as_admin.get(path, {parameter: value})

        assert response.status_code == 200, (value, response.json())


def test_a_client_filtering_their_own_tickets_gets_the_400_too(as_client):
    response = as_client.get("/api/tickets/consulta/", {"fecha_hasta": "2020-01-01T00:00:00+19:28"})

    assert (response.status_code, response.json()) == (400, {"fecha_hasta": [OFFSET_ERROR]})


@pytest.mark.parametrize("path", REPORTS)
@pytest.mark.parametrize("parameter", ["from", "to"])
def test_report_ranges_refuse_the_last_day(as_admin, path, parameter):
    # when (the day after `to` overflowed before: a 500)
    query = {"from": "2020-01-01", "to": "9999-12-31"} if parameter == "to" else {"from": "9999-12-31"}
    response = as_admin.get(path, query)

    # then
    assert (response.status_code, response.json()) == (400, {parameter: [RANGE_ERROR]})


def test_a_ticket_dated_with_an_impossible_offset_is_a_400(as_admin, client_user):
    # given
    body = {"cliente": client_user.document, "titulo": "Pantalla", "descripcion": "Rota"}

    # when
    response = as_admin.post("/api/tickets/", {**body, "fecha": "2020-01-01T00:00:00+19:28"}, format="json")

    # then
    assert (response.status_code, response.json()) == (400, {"fecha": [OFFSET_ERROR]})


# --- Finding 7: signed attachment links die with the access they were issued under ------------

NOT_FOUND = {"detail": "No encontrado."}


@pytest.fixture
def resident_attachment(db, settings, tmp_path):
    """A resident's ticket with a stored attachment, and the resident's portal client."""
    settings.MEDIA_ROOT = tmp_path / "media"
    tenant = TenantFactory()
    ticket = TicketFactory(cliente=tenant.user, device=DeviceFactory(owners=[tenant]))
    stored = default_storage.save(f"tickets/{ticket.pk}/evidencia.png", ContentFile(b"stored bytes"))
    attachment = TicketAttachmentFactory(ticket=ticket, file=stored, size=12)
    return tenant, ticket, attachment


def portal_link(tenant, ticket) -> str:
    """The attachment link the portal hands the resident (path and query)."""
    response = client_for(tenant.user).get(f"/api/tenant/tickets/{ticket.pk}/attachments")
    assert response.status_code == 200
    url = urlparse(response.json()["attachments"][0]["url"])
    return f"{url.path}?{url.query}"


def fetch(link: str):
    return APIClient().get(link)


def test_a_fresh_link_still_streams_the_file(resident_attachment):
    # given
    tenant, ticket, _ = resident_attachment

    # when
    response = fetch(portal_link(tenant, ticket))

    # then
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"stored bytes"


def test_a_link_dies_when_its_resident_is_deactivated(resident_attachment, as_admin):
    # given a link issued while the resident was active
    tenant, ticket, _ = resident_attachment
    link = portal_link(tenant, ticket)

    # when an admin deactivates the resident
    deactivated = as_admin.post(f"/api/users/deactivate/{tenant.user.document}")
    response = fetch(link)

    # then the link is the documented 404
    assert deactivated.status_code == 200
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_a_link_dies_when_the_ticket_moves_to_another_client(resident_attachment):
    # given
    tenant, ticket, _ = resident_attachment
    link = portal_link(tenant, ticket)

    # when the ticket now belongs to someone else
    Ticket.objects.filter(pk=ticket.pk).update(cliente=UserFactory(role=Role.CLIENT))
    response = fetch(link)

    # then
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_a_link_issued_to_one_user_does_not_work_as_anothers(resident_attachment):
    # given the resident's link and another user (an admin, who could read the ticket)
    tenant, ticket, _ = resident_attachment
    link = portal_link(tenant, ticket)
    other = UserFactory(role=Role.ADMIN)
    signature = parse_qs(urlparse(link).query)["sig"][0]
    holder, rest = signature.split(":", 1)
    assert holder == str(tenant.user.pk)

    # when the signature is presented as the other user's
    response = fetch(link.replace(f"sig={signature}", f"sig={other.pk}:{rest}"))

    # then
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
