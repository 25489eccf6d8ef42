"""Reads of appointments: scoped querysets, the overlap check and the agenda."""

from datetime import datetime, timedelta

from django.db.models import QuerySet

from tickethelp.exceptions import NotFound
from tickets.models import Ticket
from users.models import Role, User
from visits.models import ACTIVE_STATUSES, MAX_DURATION_MINUTES, Appointment, AppointmentStatus

# Ids beyond a bigint cannot exist; they are answered without asking the database.
MAX_ID = 2**63 - 1


def appointment_not_found() -> NotFound:
    return NotFound("Cita no encontrada.", code="appointment_not_found")


def appointment_queryset() -> QuerySet[Appointment]:
    """Appointments with what their output shows (ticket code, technician): one query a page."""
    return Appointment.objects.select_related("ticket", "technician").order_by("scheduled_for", "id")


def staff_reaches(*, appointment: Appointment, user: User) -> bool:
    """ADMINs reach every appointment; a technician only their own visits."""
    return user.role == Role.ADMIN or (user.role == Role.TECH and appointment.technician_id == user.pk)


def appointment_ticket_id(*, appointment_id: int) -> int | None:
    if not 0 < appointment_id <= MAX_ID:
        return None
    return Appointment.objects.filter(pk=appointment_id).values_list("ticket_id", flat=True).first()


def appointment_get_for_staff(*, appointment_id: int, user: User) -> Appointment:
    appointment = appointment_queryset().filter(pk=appointment_id).first() if 0 < appointment_id <= MAX_ID else None
    if appointment is None or not staff_reaches(appointment=appointment, user=user):
        raise appointment_not_found()
    return appointment


def ticket_appointments(*, ticket: Ticket) -> QuerySet[Appointment]:
    return appointment_queryset().filter(ticket=ticket)


def agenda(
    *,
    user: User,
    technician: User | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    status: str | None = None,
) -> QuerySet[Appointment]:
    """A technician's agenda (ADMIN: anyone's or everyone's; TECH: always their own), by time.
    `since`/`until` select visits that overlap [since, until)."""
    queryset = appointment_queryset()
    if user.role != Role.ADMIN:
        queryset = queryset.filter(technician_id=user.pk)
    elif technician is not None:
        queryset = queryset.filter(technician_id=technician.pk)
    if since is not None:
        # A visit lasts at most MAX_DURATION_MINUTES, so one that ends after `since` starts
        # after `since` minus that: the redundant bound lets the (technician, scheduled_for)
        # index range-scan instead of reading every past visit of the technician.
        earliest_start = since - timedelta(minutes=MAX_DURATION_MINUTES)
        queryset = queryset.filter(ends_at__gt=since, scheduled_for__gt=earliest_start)
    if until is not None:
        queryset = queryset.filter(scheduled_for__lt=until)
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def technician_busy(*, technician_id: int, start: datetime, end: datetime, exclude_id: int | None = None) -> bool:
    """Has the technician an active visit overlapping [start, end)?"""
    clashing = Appointment.objects.filter(
        technician_id=technician_id, status__in=ACTIVE_STATUSES, scheduled_for__lt=end, ends_at__gt=start
    )
    if exclude_id is not None:
        clashing = clashing.exclude(pk=exclude_id)
    return clashing.exists()


# --- The resident's view ---------------------------------------------------------------------


def resident_ticket_appointments(*, ticket: Ticket) -> list[Appointment]:
    """A ticket's visits for its resident, oldest first, with their technician (one query)."""
    return list(Appointment.objects.filter(ticket=ticket).select_related("technician").order_by("scheduled_for", "id"))


def feedback_state(appointments: list[Appointment]) -> dict:
    """What the app shows beside the list: the active visit, the one awaiting feedback, and
    whether feedback is available (with the reason when it is not)."""
    active = next((a for a in appointments if a.status in ACTIVE_STATUSES), None)
    awaiting = next((a for a in appointments if a.status == AppointmentStatus.AWAITING_FEEDBACK), None)
    if awaiting is not None:
        reason = None
    elif not appointments:
        reason = "No appointments have been scheduled for this ticket."
    elif any(a.status == AppointmentStatus.COMPLETED for a in appointments):
        reason = "Feedback has already been submitted."
    else:
        reason = "No appointment is awaiting feedback."
    return {
        "active_appointment": active,
        "appointment_awaiting_feedback": awaiting,
        "feedback_available": awaiting is not None,
        "feedback_reason": reason,
    }


def resident_ticket(*, user: User, ticket_id: int) -> Ticket | None:
    """One of the user's own tickets (as its client) with its state, else None."""
    if not 0 < ticket_id <= MAX_ID:
        return None
    return Ticket.objects.filter(pk=ticket_id, cliente_id=user.pk).select_related("estado").first()
