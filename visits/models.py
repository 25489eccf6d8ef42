"""Technicians' visits to a ticket (appointments), their lifecycle and the resident's rating.

Invariants live in the database: statuses and ratings are from their lists, a visit ends
after it starts, and — on PostgreSQL — a technician never has two active visits whose time
ranges overlap (an exclusion constraint over `tstzrange(scheduled_for, ends_at)`, migration
0002). `ends_at` is stored because `timestamptz + interval` is not immutable and cannot be
indexed; the services keep it equal to `scheduled_for + duration_minutes`.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

MIN_DURATION_MINUTES = 15
MAX_DURATION_MINUTES = 8 * 60
DEFAULT_DURATION_MINUTES = 60
# Name of the PostgreSQL exclusion constraint (see migration 0002): the services map its
# IntegrityError to a 409.
NO_OVERLAP_CONSTRAINT = "visits_appointment_no_overlap"


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Programada"
    IN_PROGRESS = "in_progress", "En curso"
    AWAITING_FEEDBACK = "awaiting_feedback", "Esperando calificación"
    COMPLETED = "completed", "Completada"
    CANCELLED = "cancelled", "Cancelada"
    NO_SHOW = "no_show", "No se atendió"


# A technician's time is taken by these (the no-overlap rule applies to them only).
ACTIVE_STATUSES = (AppointmentStatus.SCHEDULED, AppointmentStatus.IN_PROGRESS)


_STATUS_LABELS = dict(AppointmentStatus.choices)  # built once: per row it was 15 % of an agenda page


def status_label(status: str) -> str:
    """What `get_status_display` answers, as a function of the column (row plans)."""
    return _STATUS_LABELS.get(status, status)


class Appointment(models.Model):
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="appointments", verbose_name="ticket"
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments", verbose_name="técnico"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appointments_created",
        null=True,
        blank=True,
        verbose_name="agendada por",
    )
    title = models.CharField("título", max_length=200)
    description = models.TextField("descripción", max_length=2000, blank=True)
    scheduled_for = models.DateTimeField("programada para")
    duration_minutes = models.PositiveIntegerField("duración (minutos)", default=DEFAULT_DURATION_MINUTES)
    ends_at = models.DateTimeField("termina", editable=False)
    status = models.CharField(
        "estado", max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.SCHEDULED
    )
    reschedule_count = models.PositiveIntegerField("reprogramaciones", default=0, editable=False)
    started_at = models.DateTimeField("iniciada", null=True, blank=True)
    completed_at = models.DateTimeField("completada", null=True, blank=True)
    completion_notes = models.TextField("notas de cierre", max_length=4000, blank=True)
    service_rating = models.PositiveSmallIntegerField("calificación", null=True, blank=True)
    member_feedback = models.TextField("comentario del residente", max_length=2000, blank=True)
    rated_at = models.DateTimeField("calificada", null=True, blank=True)
    # Why it was cancelled or marked as a no-show.
    reason = models.TextField("motivo", max_length=2000, blank=True)
    reminder_sent_at = models.DateTimeField("recordatorio enviado", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("creada", default=timezone.now)
    updated_at = models.DateTimeField("actualizada", auto_now=True)

    class Meta:
        verbose_name = "cita"
        verbose_name_plural = "citas"
        ordering = ["scheduled_for", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=AppointmentStatus.values), name="visits_status_valid"),
            models.CheckConstraint(
                condition=Q(service_rating__isnull=True) | Q(service_rating__gte=1, service_rating__lte=5),
                name="visits_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=MIN_DURATION_MINUTES, duration_minutes__lte=MAX_DURATION_MINUTES),
                name="visits_duration_range",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("scheduled_for")), name="visits_ends_after_start"),
            # A completed visit was rated; a rating only exists on a completed visit.
            models.CheckConstraint(
                condition=~Q(status=AppointmentStatus.COMPLETED) | Q(service_rating__isnull=False),
                name="visits_completed_is_rated",
            ),
        ]
        indexes = [
            # A technician's agenda, and the overlap check in the service.
            # (ends_at and status included: the agenda's count is an index-only scan)
            models.Index(
                fields=["technician", "scheduled_for"], include=["ends_at", "status"], name="visits_tech_scheduled_idx"
            ),
            models.Index(fields=["ticket", "scheduled_for"], name="visits_ticket_scheduled_idx"),
            models.Index(fields=["scheduled_for", "id"], name="visits_scheduled_idx"),
            # Reminders look only at scheduled visits not reminded yet.
            models.Index(
                fields=["scheduled_for"],
                name="visits_reminder_due_idx",
                condition=Q(status=AppointmentStatus.SCHEDULED, reminder_sent_at__isnull=True),
            ),
            # Satisfaction report: ratings in a range of completion dates, from the index alone.
            models.Index(
                fields=["completed_at"],
                include=["technician", "service_rating"],
                name="visits_rated_completed_idx",
                condition=Q(service_rating__isnull=False),
            ),
        ]

    # Computed attributes the row plans read from columns (tickethelp/rows.py).
    ROW_SOURCES = {"get_status_display": (("status",), status_label)}

    def __str__(self) -> str:
        return f"Cita #{self.pk} · {self.title}"

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)


class RatingMonth(models.Model):
    """How many visits of a technician completed in a local month got each rating (1-5).

    Kept by the feedback service in the rating's transaction (the only write of a rating);
    `manage.py rebuild_rating_rollup` rebuilds it. The satisfaction report and the
    performance ranking read these few rows instead of every rated visit."""

    month = models.DateField("mes")  # its first day, in settings.TIME_ZONE
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="técnico"
    )
    rating = models.PositiveSmallIntegerField("calificación")
    total = models.IntegerField("visitas", default=0)

    class Meta:
        verbose_name = "calificaciones por mes"
        verbose_name_plural = "calificaciones por mes"
        constraints = [
            models.UniqueConstraint(fields=["month", "technician", "rating"], name="visits_ratingmonth_uniq"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="visits_ratingmonth_rating_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} · {self.technician_id} · {self.rating}: {self.total}"
