"""Fixtures of the visits tests: a resident's ticket with its technician and admin."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import client_for
from tests.factories import AppointmentFactory, TenantFactory, TicketFactory, UserFactory
from users.models import Role
from visits.models import AppointmentStatus


@pytest.fixture
def technician(db):
    return UserFactory(role=Role.TECH, first_name="Tomás", last_name="Técnico", number="+57 300 1234567")


@pytest.fixture
def resident(db):
    return TenantFactory(user__first_name="Ana", user__last_name="Residente")


@pytest.fixture
def ticket(db, technician, resident, admin_user):
    return TicketFactory(tecnico=technician, cliente=resident.user, administrador=admin_user)


@pytest.fixture
def as_technician(technician):
    return client_for(technician)


@pytest.fixture
def as_resident(resident):
    return client_for(resident.user)


def later(**delta) -> str:
    """An ISO moment in the future (UTC)."""
    return (timezone.now() + timedelta(**delta)).isoformat()


def appointment_in(ticket, status: str = AppointmentStatus.SCHEDULED, **fields):
    """A visit of the ticket in `status`, with the fields that status carries."""
    now = timezone.now()
    if status in (AppointmentStatus.IN_PROGRESS, AppointmentStatus.AWAITING_FEEDBACK, AppointmentStatus.COMPLETED):
        fields.setdefault("started_at", now - timedelta(hours=1))
    if status in (AppointmentStatus.AWAITING_FEEDBACK, AppointmentStatus.COMPLETED):
        fields.setdefault("completed_at", now - timedelta(minutes=10))
        fields.setdefault("completion_notes", "Se cambió la fuente.")
    if status == AppointmentStatus.COMPLETED:
        fields.setdefault("service_rating", 4)
    return AppointmentFactory(ticket=ticket, status=status, **fields)
