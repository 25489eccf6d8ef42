"""The tenant API as the residents' mobile app reads it (REAL-CLIENTS.md §2): whole lists,
the document's "Error General" bodies, UTC `...ffffffZ` timestamps, and the keys the app
reads from attachments and notifications, at a constant number of queries."""

import pytest
from rest_framework.test import APIClient

from tenants.portal import selectors as portal_selectors
from tests.conftest import client_for
from tests.factories import TenantFactory, TicketFactory, UserFactory, estado
from users.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def tenant(db):
    return TenantFactory(user__first_name="Ana", user__last_name="Residente")


@pytest.fixture
def as_tenant(tenant):
    return client_for(tenant.user)


# --- Errors: the document's "Error General" -------------------------------------------------------


def test_401_is_error_general():
    # when the app calls without a token, or with a garbage one
    anonymous = APIClient().get("/api/tenant/me")
    garbage = APIClient(HTTP_AUTHORIZATION="Bearer not.a.jwt").get("/api/tenant/tickets")

    # then both are {error, message}, the message Sanctum's
    for response in (anonymous, garbage):
        assert response.status_code == 401
        assert response.json() == {"error": "Unauthorized", "message": "Unauthenticated."}


def test_403_is_error_general():
    response = client_for(UserFactory(role=Role.TECH)).get("/api/tenant/tickets")

    assert response.status_code == 403
    assert response.json() == {"error": "Forbidden", "message": "This action is only available to tenants."}


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/api/tenant/tickets/999999", "Ticket not found."),
        ("/api/tenant/tickets/999999/attachments", "Ticket not found."),
        ("/api/tenant/does-not-exist", "Not found."),
        ("/api/tenant/tickets/abc", "Not found."),
        ("/api/tenant", "Not found."),
    ],
)
def test_404_is_error_general_for_missing_objects_and_unknown_paths(as_tenant, path, message):
    response = as_tenant.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "Not Found", "message": message}


def test_405_is_error_general(as_tenant):
    response = as_tenant.delete("/api/tenant/tickets")

    assert response.status_code == 405
    assert response.json() == {"error": "Method Not Allowed", "message": 'Method "DELETE" not allowed.'}


def test_409_is_error_general(as_tenant, tenant):
    # given a ticket already resolved
    ticket = TicketFactory(cliente=tenant.user, estado=estado("finalized"))

    # when the resident tries to cancel it
    response = as_tenant.post(f"/api/tenant/tickets/{ticket.pk}/cancel")

    # then
    assert response.status_code == 409
    assert response.json() == {
        "error": "Conflict",
        "message": "The ticket is already closed and cannot be cancelled.",
    }


def test_an_unexpected_error_is_a_500_in_error_general(as_tenant, monkeypatch):
    # given a bug below a tenant view
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(portal_selectors, "tenant_tickets", broken)
    as_tenant.raise_request_exception = False

    # when the app lists its tickets
    response = as_tenant.get("/api/tenant/tickets")

    # then a JSON 500 in the portal's shape, with nothing of the exception in it
    assert response.status_code == 500
    assert response.json() == {"error": "Internal Server Error", "message": "Server Error"}


def test_the_staff_api_keeps_its_own_error_shapes(admin_user):
    client = client_for(admin_user)
    client.raise_request_exception = False

    assert client.get("/api/no-such-path/").json() == {"detail": "No encontrado."}
    assert APIClient().get("/api/tickets/").json().keys() == {"detail"}


# --- The whole ticket list ------------------------------------------------------------------------


def test_the_ticket_list_is_complete_without_paging(as_tenant, tenant):
    # given 60 tickets, more than a page
    TicketFactory.create_batch(60, cliente=tenant.user)

    # when the app asks for its tickets with no paging parameter
    response = as_tenant.get("/api/tenant/tickets")

    # then every one is there
    assert response.status_code == 200
    body = response.json()
    assert (len(body["tickets"]), body["total_tickets"]) == (60, 60)
    assert {ticket["id"] for ticket in body["tickets"]} == set(tenant.user.tickets_cliente.values_list("id", flat=True))


def test_the_complete_list_keeps_the_status_filter(as_tenant, tenant):
    TicketFactory.create_batch(55, cliente=tenant.user, estado=estado("open"))
    TicketFactory.create_batch(3, cliente=tenant.user, estado=estado("finalized"))

    response = as_tenant.get("/api/tenant/tickets?status=open")

    assert (len(response.json()["tickets"]), response.json()["total_tickets"]) == (55, 55)


def test_past_the_unpaged_limit_the_list_is_the_first_page(as_tenant, tenant, settings):
    # given a server that answers at most 55 rows unpaged, and 60 tickets
    settings.MAX_UNPAGED_RESULTS = 55
    TicketFactory.create_batch(60, cliente=tenant.user)

    # when the app asks without paging, and then with paging
    unpaged = as_tenant.get("/api/tenant/tickets").json()
    second = as_tenant.get("/api/tenant/tickets?page=2").json()

    # then the first page of 50 and the full count; the rest on the next page
    assert (len(unpaged["tickets"]), unpaged["total_tickets"]) == (50, 60)
    assert (len(second["tickets"]), second["total_tickets"]) == (10, 60)
