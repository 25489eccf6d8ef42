"""Django admin for tickets. State and technician changes go through the services, so the
admin site keeps the same rules, locks and history as the API."""

from django.contrib import admin, messages
from django.utils import formats, timezone

from sla import clocks
from sla import queries as sla_queries
from tickethelp.exceptions import DomainError
from tickets import selectors, services
from tickets.models import Estado, RequestStatus, StateChangeRequest, Ticket, TicketAttachment, TicketHistory
from users.models import Role, User

ADMIN_REJECTION_REASON = "Rechazada desde el panel de administración."
SLA_READONLY = (
    "first_response_due",
    "first_responded_at",
    "resolution_due",
    "resolution_paused_at",
    "approval_due",
    "sla_stopped_at",
)


def _when(moment):
    """A date-time as the admin shows model fields (local time, localized): read-only
    callables are printed as-is otherwise."""
    return formats.localize(timezone.localtime(moment)) if moment else None


class SpanishLabels:
    """Spanish headers for the fields whose model verbose names are still English (the
    admin shows them through these, in lists, inlines and read-only forms)."""

    @admin.display(description="estado de origen", ordering="from_state")
    def estado_origen(self, obj):
        return obj.from_state

    @admin.display(description="estado destino", ordering="to_state")
    def estado_destino(self, obj):
        return obj.to_state

    @admin.display(description="solicitada por", ordering="requested_by")
    def solicitada_por(self, obj):
        return obj.requested_by

    @admin.display(description="decidida por", ordering="decided_by")
    def decidida_por(self, obj):
        return obj.decided_by

    @admin.display(description="fecha de decisión", ordering="decided_at")
    def fecha_decision(self, obj):
        return _when(obj.decided_at)

    @admin.display(description="subido por", ordering="uploaded_by")
    def subido_por(self, obj):
        return obj.uploaded_by

    @admin.display(description="fecha", ordering="created_at")
    def creado(self, obj):
        return _when(obj.created_at)


class ToStateFilter(admin.RelatedFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "estado destino"


class ReadOnlyInline(SpanishLabels, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    related: tuple[str, ...] = ()

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.related)


class HistoryInline(ReadOnlyInline):
    model = TicketHistory
    related = ("actor", "from_state", "to_state")
    fields = ("creado", "action", "actor", "estado_origen", "estado_destino", "description")
    readonly_fields = fields
    ordering = ("created_at", "id")


class AttachmentInline(ReadOnlyInline):
    model = TicketAttachment
    related = ("uploaded_by",)
    fields = ("creado", "original_name", "mime_type", "size", "subido_por")
    readonly_fields = fields


class StateChangeRequestInline(ReadOnlyInline):
    model = StateChangeRequest
    fk_name = "ticket"
    related = ("requested_by", "from_state", "to_state", "decided_by")
    fields = (
        "creado",
        "status",
        "solicitada_por",
        "estado_origen",
        "estado_destino",
        "decidida_por",
        "rejection_reason",
    )
    readonly_fields = fields


class SLAFilter(admin.SimpleListFilter):
    """Tickets with a running service-level clock past its target, or past 80 % of it."""

    title = "nivel de servicio"
    parameter_name = "sla"

    def lookups(self, request, model_admin):
        return (("breached", "Incumplido"), ("at_risk", "En riesgo"))

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "breached":
            return queryset.filter(sla_queries.breached(now))
        if self.value() == "at_risk":
            return queryset.filter(sla_queries.at_risk(now))
        return queryset


SLA_LABELS = {"first_response": "primera respuesta", "resolution": "resolución", "approval": "aprobación"}


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "titulo",
        "estado",
        "tecnico",
        "cliente",
        "priority",
        "category",
        "fecha",
        "sla_resolution_due",
        "sla_breached",
    )
    list_filter = (SLAFilter, "estado", "priority", "category", "fecha")
    search_fields = (
        "code",
        "titulo",
        "equipo",
        "cliente__document",
        "cliente__email",
        "cliente__last_name",
        "tecnico__document",
        "tecnico__last_name",
    )
    list_select_related = ("estado", "tecnico", "cliente")
    # Searched by name, e-mail or document; each field offers only active users of its role.
    autocomplete_fields = ("administrador", "tecnico", "cliente")
    date_hierarchy = "fecha"
    ordering = ("-fecha", "-id")
    # conversations.admin appends the messages inline (the arrow goes conversations -> tickets).
    inlines = (StateChangeRequestInline, AttachmentInline, HistoryInline)
    actions = ("assign_least_busy_technician",)
    fields = (
        "code",
        "titulo",
        "descripcion",
        "equipo",
        "category",
        "priority",
        "fecha",
        "estado",
        "administrador",
        "tecnico",
        "cliente",
        "device",
        "created_at",
        "updated_at",
        "first_response_due",
        "first_responded_at",
        "resolution_due",
        "resolution_paused_at",
        "approval_due",
        "sla_stopped_at",
    )

    @admin.display(description="resolución vence", ordering="resolution_due")
    def sla_resolution_due(self, obj):
        return _when(obj.resolution_due)

    @admin.display(description="incumplido")
    def sla_breached(self, obj):
        """The clocks past their target (computed from the row's columns, no query)."""
        return ", ".join(SLA_LABELS[clock] for clock in obj.sla["breached"]) or "—"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # The same choices the API accepts, so the services' checks never surprise the form.
        limits = {
            "estado": Estado.objects.filter(es_final=False, es_activo=True),
            "administrador": User.objects.filter(role=Role.ADMIN, is_active=True),
            "tecnico": User.objects.filter(role=Role.TECH, is_active=True),
            "cliente": User.objects.filter(role=Role.CLIENT, is_active=True),
        }
        if db_field.name in limits:
            kwargs["queryset"] = limits[db_field.name]
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.action(description="Asignar al técnico menos ocupado")
    def assign_least_busy_technician(self, request, queryset):
        """One ticket at a time through the service, so each pick sees the previous ones."""
        assigned, skipped = 0, []
        for ticket in queryset.order_by("fecha", "id"):
            technician = selectors.least_busy_technician()
            if technician is None:
                self.message_user(request, "No hay técnicos activos disponibles.", level=messages.ERROR)
                return
            try:
                services.ticket_change_technician(ticket_id=ticket.pk, actor=request.user, tecnico=technician)
                assigned += 1
            except DomainError as exc:
                skipped.append(f"{ticket.code}: {exc.message}")
        if assigned:
            self.message_user(request, f"{assigned} ticket(s) asignados.", level=messages.SUCCESS)
        for reason in skipped:
            self.message_user(request, reason, level=messages.WARNING)

    def get_readonly_fields(self, request, obj=None):
        # The device is the resident's choice in the portal; the admin shows it, never edits it.
        readonly = ["code", "device", "created_at", "updated_at", *SLA_READONLY]
        if obj is not None:
            # State moves only through the workflow; the client of a ticket never changes.
            readonly += ["estado", "cliente", "administrador"]
        return readonly

    def save_model(self, request, obj, form, change):
        try:
            if not change:
                created = services.ticket_create(
                    actor=request.user,
                    administrador=obj.administrador,
                    tecnico=obj.tecnico,
                    cliente=obj.cliente,
                    estado=obj.estado,
                    titulo=obj.titulo,
                    descripcion=obj.descripcion,
                    equipo=obj.equipo,
                    fecha=obj.fecha,
                    category=obj.category,
                    priority=obj.priority,
                )
                obj.pk, obj.code = created.pk, created.code
                return
            plain_fields = [f for f in form.changed_data if f in ("titulo", "descripcion", "equipo", "category")]
            plain_fields += [f for f in form.changed_data if f in ("priority", "fecha")]
            if {"priority", "category"} & set(plain_fields):
                # Other targets: the clocks are re-aimed from the opening (sla).
                plain_fields += clocks.on_retargeted(obj)
            if "tecnico" in form.changed_data and obj.tecnico is not None:
                services.ticket_change_technician(ticket_id=obj.pk, actor=request.user, tecnico=obj.tecnico)
            if plain_fields:
                obj.save(update_fields=[*plain_fields, "updated_at"])
        except DomainError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)


@admin.register(StateChangeRequest)
class StateChangeRequestAdmin(SpanishLabels, admin.ModelAdmin):
    list_display = (
        "id",
        "ticket",
        "estado_origen",
        "estado_destino",
        "status",
        "solicitada_por",
        "creado",
        "decidida_por",
    )
    list_filter = ("status", ("to_state", ToStateFilter))
    search_fields = ("ticket__code", "ticket__titulo", "requested_by__document", "requested_by__last_name")
    list_select_related = ("ticket", "from_state", "to_state", "requested_by", "decided_by")
    date_hierarchy = "created_at"
    fields = readonly_fields = (
        "ticket",
        "solicitada_por",
        "estado_origen",
        "estado_destino",
        "reason",
        "status",
        "decidida_por",
        "fecha_decision",
        "rejection_reason",
        "creado",
    )
    actions = ("approve_requests", "reject_requests")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _decide(self, request, queryset, *, approve: bool):
        done = 0
        for pk in queryset.filter(status=RequestStatus.PENDING).order_by("pk").values_list("pk", flat=True):
            try:
                services.state_request_decide(
                    request_id=pk,
                    actor=request.user,
                    approve=approve,
                    rejection_reason="" if approve else ADMIN_REJECTION_REASON,
                )
                done += 1
            except DomainError as exc:
                self.message_user(request, f"Solicitud #{pk}: {exc.message}", level=messages.WARNING)
        verb = "aprobadas" if approve else "rechazadas"
        self.message_user(request, f"{done} solicitud(es) {verb}.", level=messages.SUCCESS)

    @admin.action(description="Aprobar las solicitudes seleccionadas")
    def approve_requests(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description="Rechazar las solicitudes seleccionadas")
    def reject_requests(self, request, queryset):
        self._decide(request, queryset, approve=False)


@admin.register(Estado)
class EstadoAdmin(admin.ModelAdmin):
    """The catalog: new states may be added; seeded ones keep their code and finality."""

    list_display = ("id", "codigo", "nombre", "es_activo", "es_final", "portal_status", "pausa_sla")
    list_filter = ("es_activo", "es_final", "portal_status", "pausa_sla")
    search_fields = ("codigo", "nombre")

    def get_readonly_fields(self, request, obj=None):
        return ("codigo", "es_final") if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TicketHistory)
class TicketHistoryAdmin(SpanishLabels, admin.ModelAdmin):
    list_display = ("creado", "ticket", "action", "actor", "estado_origen", "estado_destino")
    list_filter = ("action",)
    search_fields = ("ticket__code", "description", "actor__document")
    list_select_related = ("ticket", "actor", "from_state", "to_state")
    date_hierarchy = "created_at"
    fields = ("ticket", "creado", "action", "actor", "estado_origen", "estado_destino", "description")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
