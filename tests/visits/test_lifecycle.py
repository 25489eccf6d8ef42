"""Staff API of the technicians' visits: booking, the lifecycle rules, the agenda."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from notifications.models import Notification
from tests.conftest import client_for
from tests.factories import TicketFactory, UserFactory, estado
from tests.visits.conftest import appointment_in, later
from tickets.models import TicketHistory
from users.models import Role
from visits.models import Appointment, AppointmentStatus

pytestmark = pytest.mark.django_db


def notified(appointment_or_ticket, codigo: str) -> set[int]:
    return set(
        Notification.objects.filter(tipo__codigo=codigo, ticket=appointment_or_ticket).values_list(
            "usuario_id", flat=True
        )
    )


# --- Booking ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "technician"])
def test_admin_or_the_assigned_technician_books_a_visit(who, ticket, technician, resident, as_admin, as_technician):
    # given
    client = as_admin if who == "admin" else as_technician
    when = timezone.now() + timedelta(days=1)

    # when
    response = client.post(
        f"/api/tickets/{ticket.pk}/appointments/",
        {"title": "Revisión", "scheduled_for": when.isoformat(), "duration": 90, "description": "Traer repuesto"},
        format="json",
    )

    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    appointment = Appointment.objects.get()
    assert body["message"] == "Visita agendada"
    assert body["appointment"]["id"] == appointment.pk
    assert body["appointment"]["tecnico"] == technician.document
    assert body["appointment"]["status"] == "scheduled"
    assert body["appointment"]["duration"] == 90
    assert parse_datetime(body["appointment"]["ends_at"]) == when + timedelta(minutes=90)
    assert (appointment.technician, appointment.ends_at) == (technician, when + timedelta(minutes=90))
    [history] = TicketHistory.objects.filter(ticket=ticket, action="appointment_booked")
    assert history.description.startswith(f"Visita #{appointment.pk}: agendada para el ")
    assert notified(ticket, "visita_agendada") == {resident.user.pk, technician.pk}


def test_the_ticket_owner_cannot_book_and_a_foreign_technician_does_not_see_the_ticket(ticket, resident):
    # given
    body = {"title": "Revisión", "scheduled_for": later(days=1)}
    other_tech = client_for(UserFactory(role=Role.TECH))

    # when
    by_owner = client_for(resident.user).post(f"/api/tickets/{ticket.pk}/appointments/", body, format="json")
    by_other = other_tech.post(f"/api/tickets/{ticket.pk}/appointments/", body, format="json")

    # then
    assert by_owner.status_code == 403
    assert (by_other.status_code, by_other.json()) == (
        404,
        {"detail": "Ticket no encontrado.", "code": "ticket_not_found"},
    )
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scheduled_for": "2030-01-01T10:00:00Z"}, "title"),
        ({"title": "x"}, "scheduled_for"),
        ({"title": "x", "scheduled_for": "mañana"}, "scheduled_for"),
        ({"title": "x", "scheduled_for": "2030-01-01T10:00:00Z", "duration": 5}, "duration"),
        ({"title": "x", "scheduled_for": "2030-01-01T10:00:00Z", "duration": 10_000}, "duration"),
        ({"title": "x", "scheduled_for": "2001-01-01T10:00:00Z"}, "scheduled_for"),
    ],
)
def test_bad_booking_input_is_a_400_naming_the_field(ticket, as_admin, body, field):
    response = as_admin.post(f"/api/tickets/{ticket.pk}/appointments/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Appointment.objects.exists()


def test_overlapping_visit_of_the_same_technician_is_a_409(ticket, technician, as_admin):
    # given a visit tomorrow 10:00-11:00 on another ticket of the same technician
    start = (timezone.now() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    existing = appointment_in(
        TicketFactory(tecnico=technician), scheduled_for=start, ends_at=start + timedelta(hours=1)
    )

    # when one is booked 10:30 and one at 11:00 (touching, not overlapping)
    clash = as_admin.post(
        f"/api/tickets/{ticket.pk}/appointments/",
        {"title": "Cruce", "scheduled_for": (start + timedelta(minutes=30)).isoformat()},
        format="json",
    )
    after = as_admin.post(
        f"/api/tickets/{ticket.pk}/appointments/",
        {"title": "Después", "scheduled_for": (start + timedelta(hours=1)).isoformat()},
        format="json",
    )

    # then
    assert (clash.status_code, clash.json()) == (
        409,
        {
            "detail": "El técnico ya tiene una visita activa que se cruza con ese horario.",
            "code": "appointment_overlap",
        },
    )
    assert after.status_code == 201
    assert set(Appointment.objects.values_list("title", flat=True)) == {existing.title, "Después"}


def test_a_cancelled_visit_frees_its_slot(ticket, technician, as_admin):
    start = timezone.now() + timedelta(days=1)
    appointment_in(ticket, AppointmentStatus.CANCELLED, scheduled_for=start, ends_at=start + timedelta(hours=1))

    response = as_admin.post(
        f"/api/tickets/{ticket.pk}/appointments/", {"title": "Otra", "scheduled_for": start.isoformat()}, format="json"
    )

    assert response.status_code == 201


def test_a_ticket_in_a_final_state_gets_no_visit(as_admin, technician):
    ticket = TicketFactory(tecnico=technician, estado=estado("finalized"))

    response = as_admin.post(
        f"/api/tickets/{ticket.pk}/appointments/", {"title": "x", "scheduled_for": later(days=1)}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (409, "ticket_final")


# --- Transitions -----------------------------------------------------------------------------


def test_the_whole_lifecycle_through_the_api(ticket, technician, resident, as_technician):
    # given a scheduled visit
    appointment = appointment_in(ticket)
    path = f"/api/appointments/{appointment.pk}"

    # when the technician starts and completes it
    started = as_technician.post(f"{path}/start/")
    completed = as_technician.post(f"{path}/complete/", {"completion_notes": "Fuente cambiada."}, format="json")

    # then it awaits the resident's feedback, every step is in the ticket's history
    assert (started.status_code, started.json()["appointment"]["status"]) == (200, "in_progress")
    assert (completed.status_code, completed.json()["appointment"]["status"]) == (200, "awaiting_feedback")
    appointment.refresh_from_db()
    assert appointment.started_at is not None
    assert appointment.completed_at is not None
    assert appointment.completion_notes == "Fuente cambiada."
    actions = list(TicketHistory.objects.filter(ticket=ticket).values_list("action", flat=True))
    assert actions == ["appointment_started", "appointment_completed"]
    # and the resident (only) is asked to rate it
    assert notified(ticket, "visita_calificar") == {resident.user.pk}


ALLOWED = {
    "start": {AppointmentStatus.SCHEDULED},
    "complete": {AppointmentStatus.IN_PROGRESS},
    "cancel": {AppointmentStatus.SCHEDULED, AppointmentStatus.IN_PROGRESS},
    "no-show": {AppointmentStatus.SCHEDULED, AppointmentStatus.IN_PROGRESS},
    "reschedule": {AppointmentStatus.SCHEDULED},
}
BODIES = {
    "start": {},
    "complete": {"completion_notes": "Listo."},
    "cancel": {"reason": "Sin repuesto."},
    "no-show": {"reason": "Nadie abrió."},
    "reschedule": {"scheduled_for": "2040-05-05T15:00:00Z"},
}
RESULT = {
    "start": "in_progress",
    "complete": "awaiting_feedback",
    "cancel": "cancelled",
    "no-show": "no_show",
    "reschedule": "scheduled",
}


@pytest.mark.parametrize("action", list(ALLOWED))
@pytest.mark.parametrize("status", AppointmentStatus.values)
def test_each_action_only_from_the_states_that_allow_it(ticket, as_admin, action, status):
    # given a visit in `status`
    appointment = appointment_in(ticket, status)
    before = Appointment.objects.filter(pk=appointment.pk).values().get()

    # when the action is asked
    response = as_admin.post(f"/api/appointments/{appointment.pk}/{action}/", BODIES[action], format="json")

    # then it applies only from its states; from any other it is a 409 that changes nothing
    if status in ALLOWED[action]:
        assert (response.status_code, response.json()["appointment"]["status"]) == (200, RESULT[action])
    else:
        assert response.status_code == 409
        assert response.json()["code"] == "appointment_invalid_transition"
        assert Appointment.objects.filter(pk=appointment.pk).values().get() == before
        assert not TicketHistory.objects.filter(ticket=ticket).exists()


@pytest.mark.parametrize(
    ("action", "field"), [("complete", "completion_notes"), ("cancel", "reason"), ("no-show", "reason")]
)
@pytest.mark.parametrize("value", [None, "", "   "])
def test_notes_and_reasons_are_required(ticket, as_admin, action, field, value):
    appointment = appointment_in(ticket, AppointmentStatus.IN_PROGRESS)
    body = {} if value is None else {field: value}

    response = as_admin.post(f"/api/appointments/{appointment.pk}/{action}/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.IN_PROGRESS


def test_cancel_notifies_client_and_technician_and_keeps_the_reason(ticket, technician, resident, as_admin):
    appointment = appointment_in(ticket)

    response = as_admin.post(f"/api/appointments/{appointment.pk}/cancel/", {"reason": "Sin repuesto"}, format="json")

    assert response.status_code == 200
    appointment.refresh_from_db()
    assert (appointment.status, appointment.reason) == ("cancelled", "Sin repuesto")
    assert notified(ticket, "visita_cancelada") == {resident.user.pk, technician.pk}
    assert (
        TicketHistory.objects.get(ticket=ticket).description
        == f"Visita #{appointment.pk}: cancelada. Motivo: Sin repuesto"
    )


def test_reschedule_moves_the_same_row_counts_it_and_reminds_again(ticket, technician, resident, as_technician):
    # given a visit whose reminder already went out
    appointment = appointment_in(ticket, reminder_sent_at=timezone.now())
    new_time = (timezone.now() + timedelta(days=5)).replace(microsecond=0)

    # when the technician moves it
    response = as_technician.post(
        f"/api/appointments/{appointment.pk}/reschedule/",
        {"scheduled_for": new_time.isoformat(), "duration": 120, "reason": "Pedido del residente"},
        format="json",
    )

    # then
    assert response.status_code == 200, response.json()
    assert Appointment.objects.count() == 1
    appointment.refresh_from_db()
    assert appointment.scheduled_for == new_time
    assert appointment.ends_at == new_time + timedelta(minutes=120)
    assert appointment.reschedule_count == 1
    assert appointment.reminder_sent_at is None
    history = TicketHistory.objects.get(ticket=ticket, action="appointment_rescheduled")
    assert history.description.endswith("Motivo: Pedido del residente")
    assert notified(ticket, "visita_reprogramada") == {resident.user.pk, technician.pk}


def test_reschedule_into_another_visit_is_a_409(ticket, technician, as_admin):
    start = timezone.now() + timedelta(days=3)
    appointment_in(TicketFactory(tecnico=technician), scheduled_for=start, ends_at=start + timedelta(hours=1))
    moving = appointment_in(ticket)

    response = as_admin.post(
        f"/api/appointments/{moving.pk}/reschedule/",
        {"scheduled_for": (start + timedelta(minutes=15)).isoformat()},
        format="json",
    )

    assert (response.status_code, response.json()["code"]) == (409, "appointment_overlap")
    assert Appointment.objects.get(pk=moving.pk).reschedule_count == 0


def test_another_technician_does_not_reach_the_visit(ticket):
    appointment = appointment_in(ticket)
    intruder = client_for(UserFactory(role=Role.TECH))

    response = intruder.post(f"/api/appointments/{appointment.pk}/start/")

    assert (response.status_code, response.json()) == (
        404,
        {"detail": "Cita no encontrada.", "code": "appointment_not_found"},
    )
    assert Appointment.objects.get(pk=appointment.pk).status == "scheduled"


# --- Lists -----------------------------------------------------------------------------------


def test_ticket_appointments_for_its_participants(ticket, resident, as_technician):
    first = appointment_in(ticket, scheduled_for=timezone.now() + timedelta(days=1))
    second = appointment_in(ticket, AppointmentStatus.CANCELLED, scheduled_for=timezone.now() + timedelta(days=3))

    response = client_for(resident.user).get(f"/api/tickets/{ticket.pk}/appointments/")

    assert response.status_code == 200
    body = response.json()
    assert (body["message"], body["ticket_id"], body["total_appointments"]) == ("Visitas del ticket", ticket.pk, 2)
    assert [row["id"] for row in body["appointments"]] == [first.pk, second.pk]


def test_a_technician_sees_only_their_own_agenda(technician, as_technician):
    mine = appointment_in(TicketFactory(tecnico=technician))
    appointment_in(TicketFactory())  # someone else's

    own = as_technician.get("/api/appointments/")
    others = as_technician.get(f"/api/appointments/?tecnico={UserFactory(role=Role.TECH).document}")

    assert [row["id"] for row in own.json()] == [mine.pk]
    assert own["X-Total-Count"] == "1"
    assert (others.status_code, others.json()["code"]) == (403, "not_own_agenda")


def test_the_admin_filters_the_agenda(technician, as_admin):
    # given visits of the technician tomorrow and in a week, and one of another technician
    tomorrow = timezone.now() + timedelta(days=1)
    soon = appointment_in(TicketFactory(tecnico=technician), scheduled_for=tomorrow)
    appointment_in(TicketFactory(tecnico=technician), AppointmentStatus.CANCELLED, scheduled_for=tomorrow)
    appointment_in(TicketFactory(tecnico=technician), scheduled_for=tomorrow + timedelta(days=7))
    appointment_in(TicketFactory(), scheduled_for=tomorrow)

    # when
    day = timezone.localtime(tomorrow).date().isoformat()
    response = as_admin.get(
        f"/api/appointments/?tecnico={technician.document}&desde={day}&hasta={day}&estado=scheduled"
    )

    # then
    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [soon.pk]
    assert len(as_admin.get("/api/appointments/").json()) == 4


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("tecnico=NOPE", "tecnico"),
        ("desde=ayer", "desde"),
        ("hasta=2025-13-01", "hasta"),
        ("estado=done", "estado"),
        ("desde=2025-02-01&hasta=2025-01-01", "desde"),
        ("page=0", "page"),
    ],
)
def test_bad_agenda_parameters_are_a_400_naming_them(as_admin, query, field):
    response = as_admin.get(f"/api/appointments/?{query}")

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_clients_have_no_agenda(as_client):
    assert as_client.get("/api/appointments/").status_code == 403
