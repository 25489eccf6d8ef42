"""Tickets, their state catalog, the approval workflow, history and attachments.

Invariants live in the database: one pending state-change request per ticket (partial
unique constraint), a decided request carries who decided and when, a rejection carries
its reason, ticket codes are unique, priorities and statuses are from their lists.
"""

import os
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from sla.status import SLA_COLUMNS, expected_resolution, sla_status
from tickethelp.uploads import ALLOWED_MIME_TYPES, MAX_UPLOAD_SIZE, served_name


class PortalStatus(models.TextChoices):
    """How the tenant portal names a state."""

    OPEN = "open", "Abierto"
    IN_PROGRESS = "in_progress", "En progreso"
    RESOLVED = "resolved", "Resuelto"
    CLOSED = "closed", "Cerrado"
    CANCELLED = "cancelled", "Cancelado"


class EstadoCodigo:
    """Codes of the seeded states (stable ids 1..5, see migration 0002)."""

    OPEN = "open"
    DIAGNOSIS = "diagnosis"
    IN_REPAIR = "in_repair"
    FINALIZED = "finalized"
    CANCELED = "canceled"


# States in which the owner (or an admin) may still cancel a ticket.
CANCELLABLE_STATE_CODES = (EstadoCodigo.OPEN, EstadoCodigo.DIAGNOSIS)
# At most one pending state-change request per ticket (partial unique index).
PENDING_REQUEST_CONSTRAINT = "tickets_one_pending_request_per_ticket"


class Estado(models.Model):
    codigo = models.SlugField("código", max_length=30, unique=True)
    nombre = models.CharField("nombre", max_length=60, unique=True)
    es_activo = models.BooleanField("activo", default=True)
    es_final = models.BooleanField("final", default=False)
    portal_status = models.CharField(
        "estado en el portal", max_length=20, choices=PortalStatus.choices, default=PortalStatus.IN_PROGRESS
    )
    # A ticket in this state waits on the client: its resolution clock (sla) is paused.
    pausa_sla = models.BooleanField(
        "pausa el nivel de servicio",
        default=False,
        help_text="El ticket espera al cliente: el reloj de resolución se detiene mientras esté en este estado.",
    )

    class Meta:
        verbose_name = "estado"
        verbose_name_plural = "estados"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(portal_status__in=PortalStatus.values), name="tickets_estado_portal_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.nombre


class Priority(models.TextChoices):
    LOW = "low", "Baja"
    MEDIUM = "medium", "Media"
    HIGH = "high", "Alta"
    URGENT = "urgent", "Urgente"


def ticket_code_for(pk: int) -> str:
    """The human code of a ticket, derived from its primary key (hence collision-free)."""
    return f"TK-{pk:06d}"


class Ticket(models.Model):
    # From the pk: by the INSERT itself on PostgreSQL (trigger, migration 0013), else right
    # after it in the creating transaction (tickets.services.ticket_create).
    code = models.CharField("código", max_length=20, unique=True, null=True, blank=True, editable=False)
    administrador = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="tickets_administrados",
        # Null for tickets nobody on staff opened (tenant portal).
        null=True,
        blank=True,
        verbose_name="administrador",
    )
    tecnico = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="tickets_asignados",
        null=True,
        blank=True,
        verbose_name="técnico",
    )
    cliente = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tickets_cliente", verbose_name="cliente"
    )
    estado = models.ForeignKey(Estado, on_delete=models.PROTECT, related_name="tickets", verbose_name="estado")
    # The device a resident's ticket is about (tenant portal); staff tickets may have none.
    device = models.ForeignKey(
        "tenants.Device",
        on_delete=models.PROTECT,
        related_name="tickets",
        null=True,
        blank=True,
        verbose_name="dispositivo",
    )
    titulo = models.CharField("título", max_length=255)
    descripcion = models.TextField("descripción", max_length=5000)
    equipo = models.CharField("equipo", max_length=200, blank=True)
    fecha = models.DateTimeField("fecha", default=timezone.now)
    # When an admin approved the move into "Finalizado": kept on the row so that resolution
    # reports read one table (set by the approval service, never by hand).
    fecha_resolucion = models.DateTimeField("fecha de resolución", null=True, blank=True, editable=False)
    category = models.CharField("categoría", max_length=50, blank=True)
    priority = models.CharField("prioridad", max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    created_at = models.DateTimeField("creado", auto_now_add=True)
    updated_at = models.DateTimeField("actualizado", auto_now=True)
    # Service-level clocks (sla app; written only by sla.clocks, called by the services in
    # their transaction). Each clock has its due instant and its 80 % instant ("warn"),
    # both in business time; NULL = no clock (tickets older than the sla app, no policy).
    # `sla_stopped_at`: when the ticket reached a final state (its clocks stopped for good).
    first_response_due = models.DateTimeField("primera respuesta vence", null=True, blank=True, editable=False)
    first_response_warn_at = models.DateTimeField("primera respuesta en riesgo", null=True, blank=True, editable=False)
    first_responded_at = models.DateTimeField("primera respuesta", null=True, blank=True, editable=False)
    # Business minutes from opening to the first response.
    first_response_minutes = models.PositiveIntegerField(
        "minutos hábiles a la primera respuesta", null=True, blank=True, editable=False
    )
    resolution_due = models.DateTimeField("resolución vence", null=True, blank=True, editable=False)
    resolution_warn_at = models.DateTimeField("resolución en riesgo", null=True, blank=True, editable=False)
    # Set while the resolution clock is paused (a final-state request awaits approval, or the
    # state waits on the client): on resume both instants move by the business time left.
    resolution_paused_at = models.DateTimeField("resolución en pausa desde", null=True, blank=True, editable=False)
    # Business minutes the resolution clock spent paused so far (added at each resume).
    resolution_paused_minutes = models.PositiveIntegerField("minutos hábiles en pausa", default=0, editable=False)
    # Business minutes the resolution clock ran (pauses excluded), set when the clocks stop.
    resolution_minutes = models.PositiveIntegerField(
        "minutos hábiles de resolución", null=True, blank=True, editable=False
    )
    # The approval clock runs only while a final-state request is pending (NULL otherwise).
    approval_due = models.DateTimeField("aprobación vence", null=True, blank=True, editable=False)
    approval_warn_at = models.DateTimeField("aprobación en riesgo", null=True, blank=True, editable=False)
    sla_stopped_at = models.DateTimeField("relojes detenidos", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "ticket"
        verbose_name_plural = "tickets"
        ordering = ["-fecha", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(priority__in=Priority.values), name="tickets_ticket_priority_valid"),
        ]
        indexes = [
            # Default list order, and every filter path combined with that order.
            models.Index(fields=["fecha", "id"], name="tickets_fecha_idx"),
            models.Index(fields=["estado", "fecha"], name="tickets_estado_fecha_idx"),
            models.Index(fields=["tecnico", "estado"], name="tickets_tecnico_estado_idx"),
            models.Index(fields=["tecnico", "fecha"], name="tickets_tecnico_fecha_idx"),
            models.Index(fields=["cliente", "fecha"], name="tickets_cliente_fecha_idx"),
            models.Index(fields=["administrador", "fecha"], name="tickets_admin_fecha_idx"),
            models.Index(fields=["priority", "fecha"], name="tickets_priority_fecha_idx"),
            # Reports: index-only scans for client counts per period and resolution times.
            models.Index(fields=["fecha", "cliente"], name="tickets_fecha_cliente_idx"),
            models.Index(
                fields=["fecha_resolucion", "tecnico", "fecha"],
                name="tickets_resolution_idx",
                condition=models.Q(fecha_resolucion__isnull=False),
            ),
            models.Index(
                fields=["fecha", "category", "priority", "cliente"],
                name="tickets_portal_report_idx",
                condition=models.Q(device__isnull=False),
            ),
            # Service levels: breach and at-risk lists read only the running clocks.
            models.Index(
                fields=["first_response_due", "first_response_warn_at"],
                name="tickets_sla_first_response_idx",
                condition=Q(
                    first_response_due__isnull=False, first_responded_at__isnull=True, sla_stopped_at__isnull=True
                ),
            ),
            models.Index(
                fields=["resolution_due", "resolution_warn_at"],
                name="tickets_sla_resolution_idx",
                condition=Q(
                    resolution_due__isnull=False, resolution_paused_at__isnull=True, sla_stopped_at__isnull=True
                ),
            ),
            models.Index(
                fields=["approval_due", "approval_warn_at"],
                name="tickets_sla_approval_idx",
                condition=Q(approval_due__isnull=False),
            ),
            # sla-compliance: the partial months at a range's ends read the answered tickets.
            models.Index(
                fields=["first_responded_at"],
                name="tickets_first_responded_idx",
                condition=Q(first_responded_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code or 'TK-?'} · {self.titulo}"

    # The API's `sla` key, from the clock columns alone (list pages built from rows, see
    # tickethelp.rows, compute it from the same columns with the same function).
    ROW_SOURCES = {
        "sla": (SLA_COLUMNS, sla_status),
        "expected_resolution_at": (("resolution_due", "sla_stopped_at"), expected_resolution),
    }

    @property
    def sla(self) -> dict:
        return sla_status(*(getattr(self, column) for column in SLA_COLUMNS))

    @property
    def expected_resolution_at(self):
        return expected_resolution(self.resolution_due, self.sla_stopped_at)


class TicketCount(models.Model):
    """How many tickets each technician (or nobody: NULL) has in each state.

    Maintained by PostgreSQL triggers on `tickets_ticket` (migration 0006), in the same
    transaction as every insert, delete and change of technician, state or dates, whoever
    makes it (services, admin, SQL). It answers list totals, technician workloads and the
    all-history resolution times without reading a million rows (migration 0009 added the
    resolved tickets and their opening-to-approval time). `manage.py recount_tickets`
    rebuilds it from the tickets."""

    tecnico = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        related_name="ticket_counts",
        verbose_name="técnico",
    )
    estado = models.ForeignKey(Estado, on_delete=models.CASCADE, related_name="+", verbose_name="estado")
    total = models.BigIntegerField("tickets", default=0)
    # Of those, the ones with `fecha_resolucion`, and the sum of their `fecha_resolucion -
    # fecha` in microseconds (exact: numeric, as PostgreSQL's interval sums are).
    resolved = models.BigIntegerField("resueltos", default=0)
    resolution_us = models.DecimalField("tiempo de resolución (µs)", max_digits=30, decimal_places=0, default=0)

    class Meta:
        verbose_name = "conteo de tickets"
        verbose_name_plural = "conteos de tickets"
        constraints = [
            # One row per (technician or nobody, state): NULLs are equal (PostgreSQL 15+).
            models.UniqueConstraint(
                fields=["tecnico", "estado"], name="tickets_count_tecnico_estado_uniq", nulls_distinct=False
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tecnico_id or '-'} · {self.estado_id}: {self.total}"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Pendiente"
    APPROVED = "approved", "Aprobada"
    REJECTED = "rejected", "Rechazada"


class StateChangeRequest(models.Model):
    """A technician's request to move a ticket to a final state, decided once by an admin."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="state_requests", verbose_name="ticket")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="state_requests_made",
        verbose_name="solicitada por",
    )
    from_state = models.ForeignKey(Estado, on_delete=models.PROTECT, related_name="+", verbose_name="estado de origen")
    to_state = models.ForeignKey(Estado, on_delete=models.PROTECT, related_name="+", verbose_name="estado destino")
    reason = models.TextField("motivo", max_length=2000, blank=True)
    status = models.CharField("estado", max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="state_requests_decided",
        null=True,
        blank=True,
        verbose_name="decidida por",
    )
    decided_at = models.DateTimeField("decidida el", null=True, blank=True)
    rejection_reason = models.TextField("motivo de rechazo", max_length=2000, blank=True)
    created_at = models.DateTimeField("solicitada el", default=timezone.now)
    # Set when an admin decides (the sla-compliance report, through reports.ApprovalMonth):
    # the approval clock's due instant while the request waited, and the business minutes
    # it waited. NULL for requests decided before service levels, or closed by a cancel.
    approval_due = models.DateTimeField("aprobación vencía", null=True, blank=True, editable=False)
    waited_minutes = models.PositiveIntegerField("minutos hábiles de espera", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "solicitud de cambio de estado"
        verbose_name_plural = "solicitudes de cambio de estado"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"],
                condition=Q(status=RequestStatus.PENDING),
                name=PENDING_REQUEST_CONSTRAINT,
            ),
            models.CheckConstraint(condition=Q(status__in=RequestStatus.values), name="tickets_request_status_valid"),
            # Pending <=> undecided; decided => who and when are known.
            models.CheckConstraint(
                condition=(
                    Q(status=RequestStatus.PENDING, decided_by__isnull=True, decided_at__isnull=True)
                    | (~Q(status=RequestStatus.PENDING) & Q(decided_by__isnull=False, decided_at__isnull=False))
                ),
                name="tickets_request_decision_consistent",
            ),
            models.CheckConstraint(
                condition=~Q(status=RequestStatus.REJECTED) | ~Q(rejection_reason=""),
                name="tickets_request_rejection_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="tickets_request_status_idx"),
            models.Index(fields=["ticket", "created_at"], name="tickets_request_ticket_idx"),
            # sla-compliance: the partial months at a range's ends read the measured decisions.
            models.Index(
                fields=["decided_at"], name="tickets_request_waited_idx", condition=Q(waited_minutes__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"Solicitud #{self.pk} ({self.get_status_display()})"


class HistoryAction(models.TextChoices):
    CREATED = "created", "Ticket creado"
    TECHNICIAN_CHANGED = "technician_changed", "Técnico cambiado"
    STATE_CHANGED = "state_changed", "Estado cambiado"
    STATE_CHANGE_REQUESTED = "state_change_requested", "Cambio de estado solicitado"
    STATE_CHANGE_APPROVED = "state_change_approved", "Cambio de estado aprobado"
    STATE_CHANGE_REJECTED = "state_change_rejected", "Cambio de estado rechazado"
    ATTACHMENT_ADDED = "attachment_added", "Archivo adjuntado"
    CANCELED = "canceled", "Ticket cancelado"
    # Technicians' visits (visits app).
    APPOINTMENT_BOOKED = "appointment_booked", "Visita agendada"
    APPOINTMENT_RESCHEDULED = "appointment_rescheduled", "Visita reprogramada"
    APPOINTMENT_STARTED = "appointment_started", "Visita iniciada"
    APPOINTMENT_COMPLETED = "appointment_completed", "Visita completada"
    APPOINTMENT_CANCELLED = "appointment_cancelled", "Visita cancelada"
    APPOINTMENT_NO_SHOW = "appointment_no_show", "Visita no atendida"
    APPOINTMENT_RATED = "appointment_rated", "Visita calificada"


class TicketHistory(models.Model):
    """Append-only audit trail: who did what to a ticket, when, from which state to which."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="history", verbose_name="ticket")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="ticket_history",
        null=True,
        blank=True,
        verbose_name="usuario",
    )
    action = models.CharField("acción", max_length=30, choices=HistoryAction.choices)
    from_state = models.ForeignKey(
        Estado, on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name="estado anterior"
    )
    to_state = models.ForeignKey(
        Estado, on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name="estado nuevo"
    )
    description = models.TextField("descripción", max_length=4000, blank=True)
    created_at = models.DateTimeField("fecha", default=timezone.now)

    class Meta:
        verbose_name = "historial de ticket"
        verbose_name_plural = "historial de tickets"
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=HistoryAction.values), name="tickets_history_action_valid"),
        ]
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="tickets_history_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.created_at:%Y-%m-%d %H:%M}"


def attachment_upload_to(instance: "TicketAttachment", filename: str) -> str:
    """A random name under the ticket's folder: nothing of the client's file name is trusted."""
    extension = os.path.splitext(filename)[1].lower()[:10]
    return f"tickets/{instance.ticket_id}/{uuid.uuid4().hex}{extension}"


class TicketAttachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments", verbose_name="ticket")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ticket_attachments", verbose_name="subido por"
    )
    file = models.FileField("archivo", upload_to=attachment_upload_to, max_length=255)
    original_name = models.CharField("nombre original", max_length=255)
    mime_type = models.CharField("tipo", max_length=100)
    size = models.PositiveBigIntegerField("tamaño (bytes)")
    created_at = models.DateTimeField("subido el", default=timezone.now)

    class Meta:
        verbose_name = "adjunto"
        verbose_name_plural = "adjuntos"
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mime_type__in=sorted(ALLOWED_MIME_TYPES)), name="tickets_attachment_mime_allowed"
            ),
            models.CheckConstraint(condition=Q(size__lte=MAX_UPLOAD_SIZE), name="tickets_attachment_max_size"),
        ]
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="tickets_attachment_ticket_idx")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def download_name(self) -> str:
        """The name a download is served under: the stored (random) one with the extension of
        the sniffed type. `original_name` is the client's, for display only: never served."""
        return served_name(self.file.name, self.mime_type, fallback=f"adjunto-{self.pk}")
