"""Decisions of the visits that must happen once, under real concurrency on PostgreSQL."""

from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from notifications.models import Notification
from tests.conftest import client_for
from tests.factories import AppointmentFactory, TenantFactory, TicketFactory, UserFactory
from tests.tickets.test_concurrency import THREADS, run_together
from users.models import Role
from visits import services
from visits.models import Appointment, AppointmentStatus, RatingMonth

pytestmark = pytest.mark.django_db(transaction=True)


def test_eight_overlapping_bookings_of_one_technician_leave_one():
    # given one technician with eight tickets, and eight admins booking overlapping slots
    technician = UserFactory(role=Role.TECH)
    tickets = [TicketFactory(tecnico=technician) for _ in range(THREADS)]
    clients = [client_for(UserFactory(role=Role.ADMIN)) for _ in range(THREADS)]
    start = timezone.now() + timedelta(days=1)

    def book(index: int) -> int:
        when = start + timedelta(minutes=5 * index)  # every pair of slots overlaps
        return (
            clients[index]
            .post(
                f"/api/tickets/{tickets[index].pk}/appointments/",
                {"title": f"Visita {index}", "scheduled_for": when.isoformat()},
                format="json",
            )
            .status_code
        )

    # when they all book at the same moment
    statuses = run_together(book)

    # then one wins, the others are told the slot is taken
    assert Counter(statuses) == {201: 1, 409: THREADS - 1}, statuses
    assert Appointment.objects.filter(technician=technician).count() == 1


def test_the_exclusion_constraint_is_the_guarantee_and_its_refusal_is_a_409(monkeypatch):
    # given a scheduled visit
    existing = AppointmentFactory()
    ticket = existing.ticket

    # then the database refuses an overlapping active row written past the service...
    with pytest.raises(IntegrityError, match="visits_appointment_no_overlap"), transaction.atomic():
        AppointmentFactory(ticket=ticket, scheduled_for=existing.scheduled_for, ends_at=existing.ends_at)
    # ...but not an overlapping cancelled one
    AppointmentFactory(
        ticket=ticket,
        scheduled_for=existing.scheduled_for,
        ends_at=existing.ends_at,
        status=AppointmentStatus.CANCELLED,
    )

    # and with the service's own check switched off, the constraint's refusal is the same 409
    monkeypatch.setattr(services.selectors, "technician_busy", lambda **kwargs: False)
    response = client_for(ticket.administrador).post(
        f"/api/tickets/{ticket.pk}/appointments/",
        {"title": "Cruce", "scheduled_for": existing.scheduled_for.isoformat()},
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (409, "appointment_overlap")
    assert Appointment.objects.filter(status=AppointmentStatus.SCHEDULED).count() == 1


def test_eight_concurrent_ratings_of_one_visit_count_once():
    # given a visit awaiting the resident's feedback
    resident = TenantFactory()
    ticket = TicketFactory(cliente=resident.user)
    appointment = AppointmentFactory(
        ticket=ticket,
        status=AppointmentStatus.AWAITING_FEEDBACK,
        started_at=timezone.now(),
        completed_at=timezone.now(),
    )
    clients = [client_for(resident.user) for _ in range(THREADS)]

    def rate(index: int) -> int:
        path = f"/api/tenant/appointments/{appointment.pk}/member-feedback"
        return clients[index].post(path, {"service_rating": 1 + index % 5}, format="json").status_code

    # when the app sends it eight times at once
    statuses = run_together(rate)

    # then one is taken; the roll-up counts one rating
    assert Counter(statuses) == {200: 1, 409: THREADS - 1}, statuses
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.COMPLETED
    assert list(RatingMonth.objects.values_list("rating", "total")) == [(appointment.service_rating, 1)]


def test_two_reminder_runs_at_once_remind_each_visit_once():
    # given visits due within a day
    appointments = [AppointmentFactory(scheduled_for=timezone.now() + timedelta(hours=3 + i)) for i in range(20)]
    for appointment in appointments:
        appointment.ends_at = appointment.scheduled_for + timedelta(hours=1)
        appointment.save(update_fields=["ends_at"])

    # when the command runs eight times concurrently
    run_together(lambda index: call_command("send_appointment_reminders", stdout=open("/dev/null", "w")))  # noqa: SIM115

    # then each visit's client and technician got exactly one reminder
    reminders = Notification.objects.filter(tipo__codigo="visita_recordatorio")
    assert reminders.count() == 2 * len(appointments)
    assert len(set(reminders.values_list("ticket_id", "usuario_id"))) == 2 * len(appointments)
    assert connection.vendor == "postgresql"
