"""Report queries: every number is a database aggregate (GROUP BY, conditional counts, date
truncation in the configured time zone). Python only shapes the handful of result rows."""

from datetime import datetime, timedelta

from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Min,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, ExtractMonth, Trunc
from django.utils import timezone

from tickets.models import Estado, EstadoCodigo, RequestStatus, StateChangeRequest, Ticket
from users.models import Role, User


def _in_range(queryset: QuerySet, field: str, lower: datetime | None, upper: datetime | None) -> QuerySet:
    if lower is not None:
        queryset = queryset.filter(**{f"{field}__gte": lower})
    if upper is not None:
        queryset = queryset.filter(**{f"{field}__lt": upper})
    return queryset


def _hours(duration: timedelta | None) -> float | None:
    return None if duration is None else round(duration.total_seconds() / 3600, 2)


def _full_name(first: str | None, last: str | None) -> str:
    return f"{first or ''} {last or ''}".strip() or "Sin técnico"


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


def _finalizations() -> QuerySet[StateChangeRequest]:
    """Approved requests into the "Finalizado" state: when a ticket was resolved."""
    return StateChangeRequest.objects.filter(status=RequestStatus.APPROVED, to_state__codigo=EstadoCodigo.FINALIZED)


def _resolution_time():
    return ExpressionWrapper(F("decided_at") - F("ticket__fecha"), output_field=DurationField())


# --- Documented reports ----------------------------------------------------------------------


def general_stats(*, lower: datetime | None, upper: datetime | None) -> dict:
    """Open (non-final), finalized and cancelled tickets opened in the range."""
    return _in_range(Ticket.objects.all(), "fecha", lower, upper).aggregate(
        tickets_abiertos=Count("id", filter=Q(estado__es_final=False)),
        tickets_finalizados=Count("id", filter=Q(estado__codigo=EstadoCodigo.FINALIZED)),
        tickets_cancelados=Count("id", filter=Q(estado__codigo=EstadoCodigo.CANCELED)),
        total_tickets=Count("id"),
    )


def performance_ranking(*, limit: int) -> list[dict]:
    """Active technicians by success rate (finalized / assigned), then by volume resolved."""
    technicians = (
        User.objects.filter(role=Role.TECH, is_active=True)
        .annotate(
            asignados=Count("tickets_asignados"),
            resueltos=Count("tickets_asignados", filter=Q(tickets_asignados__estado__codigo=EstadoCodigo.FINALIZED)),
        )
        .annotate(
            exito=Case(
                When(asignados=0, then=Value(0.0)),
                default=Cast("resueltos", FloatField()) * 100.0 / F("asignados"),
                output_field=FloatField(),
            )
        )
        .order_by("-exito", "-resueltos", "last_name", "first_name", "id")[:limit]
    )
    return [
        {
            "document": tech.document,
            "nombre_completo": tech.get_full_name(),
            "tickets_asignados": tech.asignados,
            "tickets_resueltos": tech.resueltos,
            "porcentaje_exito": _percent(tech.resueltos, tech.asignados),
        }
        for tech in technicians
    ]


def clients_evolution(*, year: int) -> dict:
    """Distinct clients who opened tickets in `year`, overall and per month (local time)."""
    zone = timezone.get_current_timezone()
    lower = datetime(year, 1, 1, tzinfo=zone)
    upper = datetime(year + 1, 1, 1, tzinfo=zone)
    tickets = _in_range(Ticket.objects.all(), "fecha", lower, upper)
    total = tickets.aggregate(total=Count("cliente", distinct=True))["total"]
    per_month = dict(
        tickets.annotate(month=ExtractMonth("fecha", tzinfo=zone))
        .values("month")
        .annotate(clients=Count("cliente", distinct=True))
        .values_list("month", "clients")
    )
    return {
        "year": year,
        "total_clientes": total,
        "mensual": {f"{month:02d}": per_month.get(month, 0) for month in range(1, 13)},
    }


# --- Analytics for the help-desk lead ---------------------------------------------------------


def status_distribution(*, lower: datetime | None, upper: datetime | None) -> list[dict]:
    """Tickets opened in the range per state (every state listed, zeros included)."""
    in_range = Q()
    if lower is not None:
        in_range &= Q(tickets__fecha__gte=lower)
    if upper is not None:
        in_range &= Q(tickets__fecha__lt=upper)
    states = Estado.objects.annotate(total=Count("tickets", filter=in_range)).order_by("id")
    grand_total = sum(state.total for state in states)
    return [
        {
            "estado_id": state.pk,
            "codigo": state.codigo,
            "nombre": state.nombre,
            "es_final": state.es_final,
            "total": state.total,
            "porcentaje": _percent(state.total, grand_total),
        }
        for state in states
    ]


def resolution_time(*, lower: datetime | None, upper: datetime | None) -> dict:
    """Opening -> approval into "Finalizado", for tickets finalized in the range: overall and
    per technician (fastest first)."""
    finalized = _in_range(_finalizations(), "decided_at", lower, upper).annotate(duration=_resolution_time())
    overall = finalized.aggregate(tickets=Count("id"), average=Avg("duration"))
    per_technician = (
        finalized.values(
            "ticket__tecnico_id",
            "ticket__tecnico__document",
            "ticket__tecnico__first_name",
            "ticket__tecnico__last_name",
        )
        .annotate(tickets=Count("id"), average=Avg("duration"))
        .order_by("average", "ticket__tecnico_id")
    )
    return {
        "tickets_resueltos": overall["tickets"],
        "promedio_horas": _hours(overall["average"]),
        "por_tecnico": [
            {
                "document": row["ticket__tecnico__document"],
                "nombre_completo": _full_name(row["ticket__tecnico__first_name"], row["ticket__tecnico__last_name"]),
                "tickets_resueltos": row["tickets"],
                "promedio_horas": _hours(row["average"]),
            }
            for row in per_technician
        ],
    }


def ticket_aging(*, limit: int) -> list[dict]:
    """The oldest tickets still open (non-final), with their technician and client."""
    now = timezone.now()
    tickets = (
        Ticket.objects.filter(estado__es_final=False)
        .select_related("estado", "tecnico", "cliente")
        .order_by("fecha", "id")[:limit]
    )
    return [
        {
            "id": ticket.pk,
            "code": ticket.code,
            "titulo": ticket.titulo,
            "estado": ticket.estado.nombre,
            "fecha": ticket.fecha,
            "dias_abierto": (now - ticket.fecha).days,
            "tecnico": ticket.tecnico.get_full_name() if ticket.tecnico else None,
            "tecnico_document": ticket.tecnico.document if ticket.tecnico else None,
            "cliente": ticket.cliente.get_full_name(),
            "cliente_document": ticket.cliente.document,
        }
        for ticket in tickets
    ]


def throughput(*, period: str, lower: datetime | None, upper: datetime | None) -> list[dict]:
    """Tickets opened vs. finalized per week or month (local time), oldest period first."""
    zone = timezone.get_current_timezone()
    opened = dict(
        _in_range(Ticket.objects.all(), "fecha", lower, upper)
        .annotate(period=Trunc("fecha", period, tzinfo=zone))
        .values("period")
        .annotate(total=Count("id"))
        .values_list("period", "total")
    )
    finished = dict(
        _in_range(_finalizations(), "decided_at", lower, upper)
        .annotate(period=Trunc("decided_at", period, tzinfo=zone))
        .values("period")
        .annotate(total=Count("id"))
        .values_list("period", "total")
    )
    return [
        {
            "periodo": moment.date().isoformat(),
            "abiertos": opened.get(moment, 0),
            "finalizados": finished.get(moment, 0),
        }
        for moment in sorted(set(opened) | set(finished))
    ]


def pending_approvals_age(*, limit: int) -> dict:
    """How long final-state requests have been waiting for an admin."""
    now = timezone.now()
    pending = StateChangeRequest.objects.filter(status=RequestStatus.PENDING)
    summary = pending.aggregate(
        total=Count("id"),
        oldest=Min("created_at"),
        average_age=Avg(ExpressionWrapper(Value(now) - F("created_at"), output_field=DurationField())),
    )
    oldest = pending.select_related("ticket", "requested_by", "to_state").order_by("created_at", "id")[:limit]
    return {
        "total_pendientes": summary["total"],
        "antiguedad_promedio_horas": _hours(summary["average_age"]),
        "antiguedad_maxima_horas": _hours(now - summary["oldest"]) if summary["oldest"] else None,
        "solicitudes": [
            {
                "request_id": request.pk,
                "ticket_id": request.ticket_id,
                "ticket_code": request.ticket.code,
                "to_state": request.to_state.nombre,
                "tecnico": request.requested_by.get_full_name(),
                "creada": request.created_at,
                "antiguedad_horas": _hours(now - request.created_at),
            }
            for request in oldest
        ],
    }


def portal_tickets(*, lower: datetime | None, upper: datetime | None) -> dict:
    """Tickets residents opened about a device, by category, priority and building."""
    tickets = _in_range(Ticket.objects.filter(device__isnull=False), "fecha", lower, upper)
    by_category = tickets.values("category").annotate(total=Count("id")).order_by("-total", "category")
    by_priority = tickets.values("priority").annotate(total=Count("id")).order_by("-total", "priority")
    building = "cliente__tenant_profile__apartment__building"
    by_building = (
        tickets.values(f"{building}_id", f"{building}__name")
        .annotate(total=Count("id"))
        .order_by("-total", f"{building}__name")
    )
    return {
        "total_tickets": sum(row["total"] for row in by_category),
        "por_categoria": [{"categoria": row["category"] or "", "total": row["total"]} for row in by_category],
        "por_prioridad": [{"prioridad": row["priority"], "total": row["total"]} for row in by_priority],
        "por_edificio": [
            {"edificio_id": row[f"{building}_id"], "edificio": row[f"{building}__name"], "total": row["total"]}
            for row in by_building
        ],
    }
