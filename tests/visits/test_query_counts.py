"""Lists of visits cost the same number of queries with 1 and with 50 rows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import AppointmentFactory, TicketFactory
from tests.query_counts import assert_constant

pytestmark = pytest.mark.django_db


def _adder(ticket):
    """Adds n visits of the ticket's technician, two hours apart (free slots)."""
    clock = {"next": timezone.now() + timedelta(days=30)}

    def add(n):
        for _ in range(n):
            clock["next"] += timedelta(hours=2)
            AppointmentFactory(ticket=ticket, scheduled_for=clock["next"])

    return add


def test_ticket_appointments(ticket, as_admin):
    response = assert_constant(as_admin, f"/api/tickets/{ticket.pk}/appointments/", _adder(ticket))
    assert response.json()["total_appointments"] == 50


def test_agenda(technician, as_technician):
    ticket = TicketFactory(tecnico=technician)
    response = assert_constant(as_technician, "/api/appointments/", _adder(ticket))
    assert len(response.json()) == 50


def test_admin_agenda(ticket, as_admin):
    response = assert_constant(as_admin, "/api/appointments/?estado=scheduled", _adder(ticket))
    assert len(response.json()) == 50


def test_tenant_ticket_appointments(ticket, as_resident):
    response = assert_constant(as_resident, f"/api/tenant/tickets/{ticket.pk}/appointments", _adder(ticket))
    assert len(response.json()["appointments"]) == 50
