"""A database that cannot answer (restarting, unreachable) is a 503 to retry, in each API's
error shape, never an unhandled 500 (tests/faults/test_database_restart.py shows it live)."""

import pytest
from django.db import InterfaceError, OperationalError

from tenants.portal import hot_reads
from tests.conftest import client_for
from tests.factories import TenantFactory
from tickets import selectors as ticket_selectors

pytestmark = pytest.mark.django_db


def _failing(error):
    def fail(*args, **kwargs):
        raise error("server closed the connection unexpectedly")

    return fail


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_the_staff_api_answers_503_with_retry_after(as_admin, monkeypatch, error):
    # given a database that fails in the middle of a request
    monkeypatch.setattr(ticket_selectors.TicketScope, "tickets", _failing(error))

    # when the ticket list is asked for
    response = as_admin.get("/api/tickets/")

    # then a 503 the client may retry, in the staff shape
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "detail": "El servicio no está disponible temporalmente. Inténtalo de nuevo en unos segundos.",
        "code": "service_unavailable",
    }


def test_the_tenant_portal_answers_503_in_its_own_shape(monkeypatch):
    # given a resident and a database that fails while their tickets are read
    resident = TenantFactory()
    monkeypatch.setattr(hot_reads, "tenant_tickets_page", _failing(OperationalError))

    # when the portal's ticket list is asked for
    response = client_for(resident.user).get("/api/tenant/tickets")

    # then the portal's English message, and when to retry
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "error": "Service Unavailable",
        "message": "The service is temporarily unavailable. Please try again in a few seconds.",
    }
