"""Writes on appointments (technicians' visits). Each function is one transaction.

Lock order, as in tickets.services: technician -> ticket -> appointment. Booking and
rescheduling lock the technician's user row, so that two bookings of one technician are
decided one after the other and the second sees the first (a clear 409); the PostgreSQL
exclusion constraint `NO_OVERLAP_CONSTRAINT` is the guarantee underneath (its
IntegrityError is the same 409). Every transition appends a TicketHistory row of the
ticket; notifications are written in the same transaction (e-mails after commit).
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F
from django.utils import timezone

from notifications.services import Announcement, notify_all
from sla import clocks
from tickethelp.exceptions import Conflict, DomainError, Forbidden, NotFound
from tickets.models import HistoryAction, Ticket, TicketHistory
from tickets.selectors import is_participant
from tickets.services import lock_ticket
from users.models import Role, User
from visits import selectors
from visits.models import (
    ACTIVE_STATUSES,
    DEFAULT_DURATION_MINUTES,
    NO_OVERLAP_CONSTRAINT,
    Appointment,
    AppointmentStatus,
    RatingMonth,
)

TICKET_NOT_FOUND = "Ticket no encontrado."
FINAL_TICKET_MESSAGE = "El ticket está en un estado final: no admite visitas nuevas."
# A reminder goes out once the visit is at most this far ahead ("the day before").
REMINDER_LEAD = timedelta(hours=24)
REMINDER_BATCH = 500


def _overlap_conflict() -> Conflict:
    return Conflict("El técnico ya tiene una visita activa que se cruza con ese horario.", code="appointment_overlap")


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")


def _record(*, appointment: Appointment, ticket: Ticket, actor: User | None, action: str, description: str) -> None:
    TicketHistory.objects.create(
        ticket=ticket,
        actor=actor,
        action=action,
        from_state=ticket.estado,
        to_state=ticket.estado,
        description=f"Visita #{appointment.pk}: {description}",
    )


def _datos(appointment: Appointment, event: str, **extra) -> dict:
    return {
        "evento": event,
        "ticket_id": appointment.ticket_id,
        "appointment_id": appointment.pk,
        "scheduled_for": appointment.scheduled_for.isoformat(),
        **extra,
    }


def _announce(appointment: Appointment, ticket: Ticket, codigo: str, titulo: str, mensaje: str, **extra) -> None:
    """The event's notification to the ticket's client and the visit's technician."""
    notify_all(
        [
            Announcement(
                codigo=codigo,
                recipients=[ticket.cliente, appointment.technician],
                titulo=titulo,
                mensaje=mensaje,
                datos=_datos(appointment, codigo, **extra),
            )
        ],
        ticket=ticket,
    )


# --- Locks ---------------------------------------------------------------------------------


def _lock_technician(technician_id: int) -> None:
    list(User.objects.select_for_update().filter(pk=technician_id).values_list("pk"))


def _refuse_overlap(*, technician_id: int, start: datetime, end: datetime, exclude_id: int | None = None) -> None:
    """The service's overlap check (the only one on SQLite): the caller holds the technician's lock."""
    if selectors.technician_busy(technician_id=technician_id, start=start, end=end, exclude_id=exclude_id):
        raise _overlap_conflict()


def _guard_overlap(write: Callable[[], Appointment]) -> Appointment:
    """Run `write` in a savepoint; the exclusion constraint's refusal becomes the 409."""
    try:
        with transaction.atomic():
            return write()
    except IntegrityError as exc:
        if NO_OVERLAP_CONSTRAINT in str(exc):
            raise _overlap_conflict() from None
        raise


def _check_time(scheduled_for: datetime) -> None:
    if scheduled_for <= timezone.now():
        raise DomainError(
            "La visita debe programarse en el futuro.",
            code="appointment_in_past",
            field_errors={"scheduled_for": ["Debe ser una fecha y hora futura."]},
        )


def _lock_appointment(*, appointment_id: int, actor: User) -> tuple[Appointment, Ticket]:
    """The appointment and its ticket, locked; only an ADMIN or the visit's technician reach
    it (anyone else: the same 404 as a missing id)."""
    found = selectors.appointment_ticket_id(appointment_id=appointment_id)
    if found is None:
        raise selectors.appointment_not_found()
    ticket = lock_ticket(found)
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("technician")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None or not selectors.staff_reaches(appointment=appointment, user=actor):
        raise selectors.appointment_not_found()
    appointment.ticket = ticket
    return appointment, ticket


def _require_status(appointment: Appointment, allowed: tuple[str, ...], verb: str) -> None:
    if appointment.status not in allowed:
        raise Conflict(
            f"No se puede {verb} una visita en estado «{appointment.get_status_display()}».",
            code="appointment_invalid_transition",
        )


def _required_text(value: str, *, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(
            "Falta un dato obligatorio.", code="required", field_errors={field: ["Este campo es obligatorio."]}
        )
    return value


# --- Booking -------------------------------------------------------------------------------


def appointment_book(
    *,
    ticket_id: int,
    actor: User,
    title: str,
    scheduled_for: datetime,
    description: str = "",
    duration_minutes: int = DEFAULT_DURATION_MINUTES,
) -> Appointment:
    """Book a visit of the ticket's technician (ADMIN or that technician), never overlapping
    another active visit of theirs."""
    technician_id = Ticket.objects.filter(pk=ticket_id).values_list("tecnico_id", flat=True).first()
    with transaction.atomic():
        if technician_id is not None:
            _lock_technician(technician_id)
        ticket = lock_ticket(ticket_id)
        if not is_participant(ticket=ticket, user=actor):
            raise NotFound(TICKET_NOT_FOUND, code="ticket_not_found")
        if actor.role not in (Role.ADMIN, Role.TECH):
            raise Forbidden("Solo un administrador o el técnico asignado pueden agendar visitas.")
        if ticket.estado.es_final:
            raise Conflict(FINAL_TICKET_MESSAGE, code="ticket_final")
        if ticket.tecnico_id is None:
            raise Conflict("El ticket no tiene técnico asignado.", code="ticket_without_technician")
        if ticket.tecnico_id != technician_id:
            # Reassigned between the read and the locks: lock the technician it has now.
            _lock_technician(ticket.tecnico_id)
        _check_time(scheduled_for)
        end = scheduled_for + timedelta(minutes=duration_minutes)
        _refuse_overlap(technician_id=ticket.tecnico_id, start=scheduled_for, end=end)

        def write() -> Appointment:
            return Appointment.objects.create(
                ticket=ticket,
                technician=ticket.tecnico,
                created_by=actor,
                title=title.strip(),
                description=(description or "").strip(),
                scheduled_for=scheduled_for,
                duration_minutes=duration_minutes,
                ends_at=end,
            )

        appointment = _guard_overlap(write)
        # Booking a visit answers the resident: a first response (sla).
        sla_fields = clocks.on_first_response(ticket, now=timezone.now())
        if sla_fields:
            ticket.save(update_fields=[*sla_fields, "updated_at"])
        _record(
            appointment=appointment,
            ticket=ticket,
            actor=actor,
            action=HistoryAction.APPOINTMENT_BOOKED,
            description=f"agendada para el {_local(scheduled_for)} con {ticket.tecnico.get_full_name()}.",
        )
        _announce(
            appointment,
            ticket,
            "visita_agendada",
            f"Visita agendada: ticket {ticket.code}",
            f"Visita técnica del ticket {ticket.code} «{appointment.title}» el {_local(scheduled_for)} "
            f"({duration_minutes} min) con {ticket.tecnico.get_full_name()}.",
        )
    return appointment


def appointment_reschedule(
    *,
    appointment_id: int,
    actor: User,
    scheduled_for: datetime,
    duration_minutes: int | None = None,
    reason: str = "",
) -> Appointment:
    """Move a scheduled visit (same row): counted, recorded, announced, reminded again."""
    technician_id = Appointment.objects.filter(pk=appointment_id).values_list("technician_id", flat=True).first()
    with transaction.atomic():
        if technician_id is not None:
            _lock_technician(technician_id)
        appointment, ticket = _lock_appointment(appointment_id=appointment_id, actor=actor)
        _require_status(appointment, (AppointmentStatus.SCHEDULED,), "reprogramar")
        _check_time(scheduled_for)
        minutes = duration_minutes or appointment.duration_minutes
        end = scheduled_for + timedelta(minutes=minutes)
        _refuse_overlap(
            technician_id=appointment.technician_id, start=scheduled_for, end=end, exclude_id=appointment.pk
        )
        before = appointment.scheduled_for
        appointment.scheduled_for = scheduled_for
        appointment.duration_minutes = minutes
        appointment.ends_at = end
        appointment.reschedule_count += 1
        appointment.reminder_sent_at = None
        reason = (reason or "").strip()

        def write() -> Appointment:
            appointment.save(
                update_fields=[
                    "scheduled_for",
                    "duration_minutes",
                    "ends_at",
                    "reschedule_count",
                    "reminder_sent_at",
                    "updated_at",
                ]
            )
            return appointment

        _guard_overlap(write)
        because = f" Motivo: {reason}" if reason else ""
        _record(
            appointment=appointment,
            ticket=ticket,
            actor=actor,
            action=HistoryAction.APPOINTMENT_RESCHEDULED,
            description=f"reprogramada del {_local(before)} al {_local(scheduled_for)}.{because}",
        )
        _announce(
            appointment,
            ticket,
            "visita_reprogramada",
            f"Visita reprogramada: ticket {ticket.code}",
            f"La visita del ticket {ticket.code} «{appointment.title}» pasó del {_local(before)} "
            f"al {_local(scheduled_for)}.{because}",
            previous=before.isoformat(),
        )
    return appointment


# --- Lifecycle -----------------------------------------------------------------------------


def appointment_start(*, appointment_id: int, actor: User) -> Appointment:
    """scheduled -> in_progress (the technician arrived)."""
    with transaction.atomic():
        appointment, ticket = _lock_appointment(appointment_id=appointment_id, actor=actor)
        _require_status(appointment, (AppointmentStatus.SCHEDULED,), "iniciar")
        appointment.status = AppointmentStatus.IN_PROGRESS
        appointment.started_at = timezone.now()
        appointment.save(update_fields=["status", "started_at", "updated_at"])
        _record(
            appointment=appointment,
            ticket=ticket,
            actor=actor,
            action=HistoryAction.APPOINTMENT_STARTED,
            description="el técnico inició la visita.",
        )
    return appointment


def appointment_complete(*, appointment_id: int, actor: User, completion_notes: str) -> Appointment:
    """in_progress -> awaiting_feedback, with the technician's notes; the resident is asked to rate it."""
    completion_notes = _required_text(completion_notes, field="completion_notes")
    with transaction.atomic():
        appointment, ticket = _lock_appointment(appointment_id=appointment_id, actor=actor)
        _require_status(appointment, (AppointmentStatus.IN_PROGRESS,), "completar")
        appointment.status = AppointmentStatus.AWAITING_FEEDBACK
        appointment.completed_at = timezone.now()
        appointment.completion_notes = completion_notes
        appointment.save(update_fields=["status", "completed_at", "completion_notes", "updated_at"])
        _record(
            appointment=appointment,
            ticket=ticket,
            actor=actor,
            action=HistoryAction.APPOINTMENT_COMPLETED,
            description=f"completada. Notas: {completion_notes}",
        )
        notify_all(
            [
                Announcement(
                    codigo="visita_calificar",
                    recipients=[ticket.cliente],
                    titulo=f"¿Cómo fue la visita? Ticket {ticket.code}",
                    mensaje=(
                        f"El técnico terminó la visita del ticket {ticket.code} «{appointment.title}». "
                        "Califica el servicio de 1 a 5."
                    ),
                    datos=_datos(appointment, "visita_calificar"),
                )
            ],
            ticket=ticket,
        )
    return appointment


def _close(*, appointment_id: int, actor: User, reason: str, to_status: str) -> Appointment:
    cancelling = to_status == AppointmentStatus.CANCELLED
    reason = _required_text(reason, field="reason")
    with transaction.atomic():
        appointment, ticket = _lock_appointment(appointment_id=appointment_id, actor=actor)
        _require_status(appointment, ACTIVE_STATUSES, "cancelar" if cancelling else "marcar como no atendida")
        appointment.status = to_status
        appointment.reason = reason
        appointment.save(update_fields=["status", "reason", "updated_at"])
        _record(
            appointment=appointment,
            ticket=ticket,
            actor=actor,
            action=HistoryAction.APPOINTMENT_CANCELLED if cancelling else HistoryAction.APPOINTMENT_NO_SHOW,
            description=("cancelada" if cancelling else "no se pudo atender") + f". Motivo: {reason}",
        )
        if cancelling:
            _announce(
                appointment,
                ticket,
                "visita_cancelada",
                f"Visita cancelada: ticket {ticket.code}",
                f"Se canceló la visita del ticket {ticket.code} del {_local(appointment.scheduled_for)}. "
                f"Motivo: {reason}",
            )
    return appointment


def appointment_cancel(*, appointment_id: int, actor: User, reason: str) -> Appointment:
    """scheduled | in_progress -> cancelled, with a reason; client and technician are told."""
    return _close(appointment_id=appointment_id, actor=actor, reason=reason, to_status=AppointmentStatus.CANCELLED)


def appointment_no_show(*, appointment_id: int, actor: User, reason: str) -> Appointment:
    """scheduled | in_progress -> no_show (nobody was there to let the technician in)."""
    return _close(appointment_id=appointment_id, actor=actor, reason=reason, to_status=AppointmentStatus.NO_SHOW)


# --- The resident's rating -----------------------------------------------------------------


def _month_of(moment: datetime) -> date:
    return timezone.localtime(moment).date().replace(day=1)


def appointment_rate(*, appointment_id: int, resident: User, rating: int, feedback: str = "") -> Appointment:
    """The ticket's own client rates a visit awaiting feedback, exactly once (row lock and a
    re-read status): awaiting_feedback -> completed, counted in the monthly roll-up."""
    ticket_id = (
        Appointment.objects.filter(pk=appointment_id, ticket__cliente_id=resident.pk)
        .values_list("ticket_id", flat=True)
        .first()
    )
    if ticket_id is None:
        raise NotFound("Appointment not found.", code="appointment_not_found")
    with transaction.atomic():
        ticket = lock_ticket(ticket_id)  # the lock order of every other transition
        appointment = (
            Appointment.objects.select_for_update(of=("self",)).select_related("technician").get(pk=appointment_id)
        )
        appointment.ticket = ticket
        if appointment.status != AppointmentStatus.AWAITING_FEEDBACK:
            raise Conflict("Feedback is not available for this appointment.", code="feedback_not_available")
        appointment.status = AppointmentStatus.COMPLETED
        appointment.service_rating = rating
        appointment.member_feedback = (feedback or "").strip()
        appointment.rated_at = timezone.now()
        appointment.save(update_fields=["status", "service_rating", "member_feedback", "rated_at", "updated_at"])
        comment = f" Comentario: {appointment.member_feedback}" if appointment.member_feedback else ""
        _record(
            appointment=appointment,
            ticket=appointment.ticket,
            actor=resident,
            action=HistoryAction.APPOINTMENT_RATED,
            description=f"calificada con {rating}/5 por el residente.{comment}",
        )
        row, _ = RatingMonth.objects.get_or_create(
            month=_month_of(appointment.completed_at or appointment.rated_at),
            technician_id=appointment.technician_id,
            rating=rating,
            defaults={"total": 0},
        )
        RatingMonth.objects.filter(pk=row.pk).update(total=F("total") + 1)
    return appointment


def rating_rollup_rebuild() -> int:
    """Recount RatingMonth from the rated visits (after bulk loads or SQL edits)."""
    zone = timezone.get_current_timezone()
    with transaction.atomic():
        RatingMonth.objects.all().delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    """INSERT INTO visits_ratingmonth (month, technician_id, rating, total)
                       SELECT date_trunc('month', completed_at AT TIME ZONE %s)::date, technician_id,
                              service_rating, COUNT(*)
                       FROM visits_appointment WHERE service_rating IS NOT NULL
                       GROUP BY 1, 2, 3""",
                    [str(zone)],
                )
        else:
            counts: dict[tuple, int] = {}
            rated = Appointment.objects.filter(service_rating__isnull=False).values_list(
                "completed_at", "technician_id", "service_rating"
            )
            for completed_at, technician_id, rating in rated.iterator():
                key = (_month_of(completed_at), technician_id, rating)
                counts[key] = counts.get(key, 0) + 1
            RatingMonth.objects.bulk_create(
                RatingMonth(month=m, technician_id=t, rating=r, total=n) for (m, t, r), n in counts.items()
            )
        return RatingMonth.objects.aggregate(n=Count("*"))["n"]


# --- Reminders -----------------------------------------------------------------------------


def appointment_reminders_send(*, now: datetime | None = None) -> int:
    """Remind client and technician of every scheduled visit due within REMINDER_LEAD, once.

    Safe to run as often as wanted, also twice at the same time: each batch claims its rows
    (locked with SKIP LOCKED, then marked) in the transaction that writes the notifications,
    so a row is reminded by exactly one run; a rescheduled visit is reminded again."""
    now = now or timezone.now()
    sent = 0
    while True:
        with transaction.atomic():
            due = Appointment.objects.filter(
                status=AppointmentStatus.SCHEDULED,
                reminder_sent_at__isnull=True,
                scheduled_for__gt=now,
                scheduled_for__lte=now + REMINDER_LEAD,
            )
            if connection.features.has_select_for_update_skip_locked:
                due = due.select_for_update(skip_locked=True, of=("self",))
            ids = list(due.order_by("scheduled_for", "id").values_list("pk", flat=True)[:REMINDER_BATCH])
            if not ids:
                return sent
            Appointment.objects.filter(pk__in=ids, reminder_sent_at__isnull=True).update(reminder_sent_at=now)
            claimed = Appointment.objects.filter(pk__in=ids).select_related("ticket__cliente", "technician")
            for appointment in claimed:
                ticket = appointment.ticket
                _announce(
                    appointment,
                    ticket,
                    "visita_recordatorio",
                    f"Recordatorio: visita del ticket {ticket.code}",
                    f"Mañana o en las próximas horas: visita técnica del ticket {ticket.code} "
                    f"«{appointment.title}» el {_local(appointment.scheduled_for)}.",
                )
            sent += len(ids)
