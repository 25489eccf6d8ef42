"""Contract of the residents' app's appointment routes (REAL-CLIENTS.md §2)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tests.conftest import client_for
from tests.factories import TenantFactory, TicketFactory
from tests.visits.conftest import appointment_in
from tickets.models import TicketHistory
from visits.models import Appointment, AppointmentStatus, RatingMonth

pytestmark = pytest.mark.django_db

UTC_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_a_tickets_appointments_in_the_apps_shape(ticket, technician, as_resident):
    # given a finished visit awaiting feedback and a cancelled one
    done = appointment_in(
        ticket, AppointmentStatus.AWAITING_FEEDBACK, scheduled_for=timezone.now() - timedelta(hours=2)
    )
    cancelled = appointment_in(ticket, AppointmentStatus.CANCELLED, reason="Sin repuesto")

    # when the resident opens the ticket's visits
    response = as_resident.get(f"/api/tenant/tickets/{ticket.pk}/appointments")

    # then every key the app reads is there, with its type
    assert response.status_code == 200
    body = response.json()
    technical = {"id": technician.pk, "name": "Tomás Técnico", "email": technician.email, "phone": "+57 300 1234567"}
    expected_done = {
        "id": done.pk,
        "title": done.title,
        "description": "Revisar el equipo.",
        "scheduled_for": stamp(done.scheduled_for),
        "duration": 60,
        "status": "awaiting_feedback",
        "started_at": stamp(done.started_at),
        "completed_at": stamp(done.completed_at),
        "completion_notes": "Se cambió la fuente.",
        "service_rating": None,
        "member_feedback": None,
        "reschedule_count": 0,
        "technical": technical,
    }
    assert body == {
        "success": True,
        "ticket_id": ticket.pk,
        "ticket_status": "open",
        "appointments": [
            expected_done,
            {
                **expected_done,
                "id": cancelled.pk,
                "title": cancelled.title,
                "scheduled_for": stamp(cancelled.scheduled_for),
                "status": "cancelled",
                "started_at": None,
                "completed_at": None,
                "completion_notes": None,
            },
        ],
        "active_appointment": None,
        "appointment_awaiting_feedback": expected_done,
        "feedback_available": True,
        "feedback_reason": None,
    }
    assert UTC_STAMP.match(body["appointments"][0]["scheduled_for"])


def test_without_visits_feedback_is_not_available_and_says_why(ticket, as_resident):
    active = appointment_in(ticket)

    body = as_resident.get(f"/api/tenant/tickets/{ticket.pk}/appointments").json()

    assert body["active_appointment"]["id"] == active.pk
    assert (body["feedback_available"], body["feedback_reason"]) == (False, "No appointment is awaiting feedback.")


def test_another_residents_ticket_is_not_found(ticket):
    response = client_for(TenantFactory().user).get(f"/api/tenant/tickets/{ticket.pk}/appointments")

    assert response.status_code == 404
    assert response.json()["message"] == "Ticket not found."


def test_the_resident_rates_a_finished_visit_once(ticket, technician, resident, as_resident):
    # given a visit awaiting feedback
    appointment = appointment_in(ticket, AppointmentStatus.AWAITING_FEEDBACK)

    # when the resident rates it, then tries again
    response = as_resident.post(
        f"/api/tenant/appointments/{appointment.pk}/member-feedback",
        {"service_rating": 5, "member_feedback": "Muy amable"},
        format="json",
    )
    again = as_resident.post(
        f"/api/tenant/appointments/{appointment.pk}/member-feedback", {"service_rating": 1}, format="json"
    )

    # then the first is taken, the visit is completed and counted; the second is refused
    assert (response.status_code, response.json()) == (
        200,
        {"success": True, "message": "Feedback submitted successfully", "appointment_id": appointment.pk, "rating": 5},
    )
    appointment.refresh_from_db()
    assert (appointment.status, appointment.service_rating, appointment.member_feedback) == (
        "completed",
        5,
        "Muy amable",
    )
    assert again.status_code == 409
    assert again.json()["message"] == "Feedback is not available for this appointment."
    month = timezone.localtime(appointment.completed_at).date().replace(day=1)
    assert list(RatingMonth.objects.values_list("month", "technician_id", "rating", "total")) == [
        (month, technician.pk, 5, 1)
    ]
    [history] = TicketHistory.objects.filter(ticket=ticket, action="appointment_rated")
    assert history.actor == resident.user


@pytest.mark.parametrize("status", [s for s in AppointmentStatus.values if s != "awaiting_feedback"])
def test_feedback_only_while_awaiting_it(ticket, as_resident, status):
    appointment = appointment_in(ticket, status)

    response = as_resident.post(
        f"/api/tenant/appointments/{appointment.pk}/member-feedback", {"service_rating": 3}, format="json"
    )

    assert response.status_code == 409
    assert Appointment.objects.get(pk=appointment.pk).status == status


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"service_rating": 0},
        {"service_rating": 6},
        {"service_rating": "x"},
        {"service_rating": 4.5},
        {"service_rating": None},
    ],
)
def test_a_rating_from_1_to_5_is_required(ticket, as_resident, body):
    appointment = appointment_in(ticket, AppointmentStatus.AWAITING_FEEDBACK)

    response = as_resident.post(f"/api/tenant/appointments/{appointment.pk}/member-feedback", body, format="json")

    assert response.status_code == 422
    assert response.json()["message"] == "The given data was invalid."
    assert list(response.json()["errors"]) == ["service_rating"]
    assert Appointment.objects.get(pk=appointment.pk).status == "awaiting_feedback"


def test_only_the_tickets_own_resident_rates(ticket):
    appointment = appointment_in(ticket, AppointmentStatus.AWAITING_FEEDBACK)
    flatmate = TenantFactory(apartment=ticket.cliente.tenant_profile.apartment)

    response = client_for(flatmate.user).post(
        f"/api/tenant/appointments/{appointment.pk}/member-feedback", {"service_rating": 1}, format="json"
    )

    assert response.status_code == 404
    assert response.json()["message"] == "Appointment not found."
    assert Appointment.objects.get(pk=appointment.pk).status == "awaiting_feedback"


def test_staff_cannot_use_the_portal_routes(ticket, as_technician):
    appointment = appointment_in(ticket, AppointmentStatus.AWAITING_FEEDBACK)

    assert as_technician.get(f"/api/tenant/tickets/{ticket.pk}/appointments").status_code == 403
    assert (
        as_technician.post(
            f"/api/tenant/appointments/{appointment.pk}/member-feedback", {"service_rating": 5}, format="json"
        ).status_code
        == 403
    )


def test_resident_tickets_of_others_are_not_listed(as_resident):
    foreign = TicketFactory()
    assert as_resident.get(f"/api/tenant/tickets/{foreign.pk}/appointments").status_code == 404
