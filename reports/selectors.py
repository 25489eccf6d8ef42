"""Report queries: every number is a database aggregate (GROUP BY, conditional counts, date
truncation in the configured time zone). Python only shapes the handful of result rows."""

from bisect import bisect_right
from datetime import date, datetime, timedelta
from functools import cache

from django.conf import settings
from django.db import connection
from django.db.models import (
    Avg,
    BooleanField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Trunc
from django.utils import timezone

from reports.models import (
    ApprovalMonth,
    DailyFlow,
    DistinctClients,
    PortalCount,
    RollupZone,
    SLAMonth,
    SLAPriorityMonth,
)
from tenants.models import Building
from tickets.models import Estado, EstadoCodigo, Priority, RequestStatus, StateChangeRequest, Ticket, TicketCount
from tickets.selectors import ticket_counts
from users.models import Role, User
from visits.models import Appointment, RatingMonth


def _in_range(queryset: QuerySet, field: str, lower: datetime | None, upper: datetime | None) -> QuerySet:
    if lower is not None:
        queryset = queryset.filter(**{f"{field}__gte": lower})
    if upper is not None:
        queryset = queryset.filter(**{f"{field}__lt": upper})
    return queryset


def _rollups_ready() -> bool:
    """Are the roll-ups (reports.models) kept, and in the time zone the reports use?"""
    return connection.vendor == "postgresql" and RollupZone.objects.filter(zone=settings.TIME_ZONE).exists()


def _local_day(moment: datetime | None):
    return timezone.localtime(moment).date() if moment is not None else None


def _hours(duration: timedelta | None) -> float | None:
    return None if duration is None else round(duration.total_seconds() / 3600, 2)


def _full_name(first: str | None, last: str | None) -> str:
    return f"{first or ''} {last or ''}".strip() or "Sin técnico"


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


def _resolved() -> QuerySet[Ticket]:
    """Tickets an admin approved into "Finalizado" (`fecha_resolucion` is set then)."""
    return Ticket.objects.filter(fecha_resolucion__isnull=False)


def _resolution_time():
    return ExpressionWrapper(F("fecha_resolucion") - F("fecha"), output_field=DurationField())


def _counts_by_state(*, lower: datetime | None, upper: datetime | None) -> dict[int, int]:
    """{estado_id: tickets opened in the range}: from the ticket counters for all of history,
    else one GROUP BY over the (estado, fecha) index."""
    counters = ticket_counts()
    if counters is not None and lower is None and upper is None:
        rows = counters.order_by().values("estado_id").annotate(n=Sum("total")).values_list("estado_id", "n")
        return dict(rows)
    tickets = _in_range(Ticket.objects.all(), "fecha", lower, upper)
    return dict(tickets.order_by().values("estado_id").annotate(total=Count("*")).values_list("estado_id", "total"))


# --- Documented reports ----------------------------------------------------------------------


def general_stats(*, lower: datetime | None, upper: datetime | None) -> dict:
    """Open (non-final), finalized and cancelled tickets opened in the range: one statement,
    the tickets per state (from the ticket counters for all of history, else one GROUP BY
    over the (estado, fecha) index) joined to the states and added up in the database."""
    if ticket_counts() is not None and lower is None and upper is None:
        per_state, params = _COUNTERS_PER_STATE, []
    else:
        per_state, params = _tickets_per_state(lower, upper)
    with connection.cursor() as cursor:
        cursor.execute(_general_stats_sql(per_state), [EstadoCodigo.FINALIZED, EstadoCodigo.CANCELED, *params])
        opened, finalized, cancelled, total = cursor.fetchone()
    return {
        "tickets_abiertos": opened,
        "tickets_finalizados": finalized,
        "tickets_cancelados": cancelled,
        "total_tickets": total,
    }


@cache
def _general_stats_sql(per_state: str) -> str:
    """The four figures over `per_state` (SQL of `(estado_id, n)` rows): written once per
    source, from the models' metadata; the two state codes are parameters."""
    state = Estado._meta
    final, code = (f'e."{state.get_field(name).column}"' for name in ("es_final", "codigo"))

    def added(term: str) -> str:
        return f"CAST(COALESCE(SUM({term}), 0) AS BIGINT)"

    return (
        f"SELECT {added(f'CASE WHEN NOT {final} THEN per_state.n END')}, "  # noqa: S608 - identifiers from the models
        f"{added(f'CASE WHEN {code} = %s THEN per_state.n END')}, "
        f"{added(f'CASE WHEN {code} = %s THEN per_state.n END')}, {added('per_state.n')} "
        f'FROM ({per_state}) per_state JOIN "{state.db_table}" e ON e."{state.pk.column}" = per_state.estado_id'
    )


_COUNTERS_PER_STATE = (
    f'SELECT "{TicketCount._meta.get_field("estado").column}" AS estado_id, '  # noqa: S608 - identifiers from the model
    f'SUM("{TicketCount._meta.get_field("total").column}") AS n FROM "{TicketCount._meta.db_table}" GROUP BY 1'
)


def _tickets_per_state(lower: datetime | None, upper: datetime | None) -> tuple[str, list]:
    """(SQL of (estado_id, n) over the tickets opened in the range, its parameters)."""
    conditions, params = ["1 = 1"], []
    # Bound as the backend stores date-times (SQLite compares UTC text, not aware values).
    for bound, operator in ((lower, ">="), (upper, "<")):
        if bound is not None:
            conditions.append(f'"{Ticket._meta.get_field("fecha").column}" {operator} %s')
            params.append(connection.ops.adapt_datetimefield_value(bound))
    estado = Ticket._meta.get_field("estado").column
    sql = (
        f'SELECT "{estado}" AS estado_id, COUNT(*) AS n FROM "{Ticket._meta.db_table}" '  # noqa: S608 - identifiers from the model, values bound
        f"WHERE {' AND '.join(conditions)} GROUP BY 1"
    )
    return sql, params


def performance_ranking(*, limit: int) -> list[dict]:
    """Active technicians by success rate (finalized / assigned), then by volume resolved.

    Tickets are counted per (technician, state) over the (tecnico, estado) index; the
    handful of resulting rows are combined per technician here."""
    finalized = set(Estado.objects.filter(codigo=EstadoCodigo.FINALIZED).values_list("pk", flat=True))
    assigned: dict[int, int] = {}
    resolved: dict[int, int] = {}
    counters = ticket_counts()
    if counters is not None:  # (technician, state) is exactly what the counters keep
        per_state = counters.filter(tecnico__isnull=False).values_list("tecnico_id", "estado_id", "total")
    else:
        per_state = (
            Ticket.objects.filter(tecnico__isnull=False)
            .order_by()
            .values("tecnico_id", "estado_id")
            .annotate(total=Count("*"))
            .values_list("tecnico_id", "estado_id", "total")
        )
    for tecnico_id, estado_id, total in per_state:
        assigned[tecnico_id] = assigned.get(tecnico_id, 0) + total
        if estado_id in finalized:
            resolved[tecnico_id] = resolved.get(tecnico_id, 0) + total
    ratings = _ratings_per_technician()
    rows = [
        {
            "document": tech.document,
            "nombre_completo": tech.get_full_name(),
            "tickets_asignados": assigned.get(tech.pk, 0),
            "tickets_resueltos": resolved.get(tech.pk, 0),
            "porcentaje_exito": _percent(resolved.get(tech.pk, 0), assigned.get(tech.pk, 0)),
            "calificacion_promedio": ratings.get(tech.pk, (None, 0))[0],
            "calificaciones": ratings.get(tech.pk, (None, 0))[1],
        }
        for tech in User.objects.filter(role=Role.TECH, is_active=True).order_by("last_name", "first_name", "id")
    ]
    rows.sort(key=lambda row: (-row["porcentaje_exito"], -row["tickets_resueltos"]))
    return rows[:limit]


def _ratings_per_technician() -> dict[int, tuple[float | None, int]]:
    """{technician id: (average service rating, number of ratings)} of all history, from the
    monthly roll-up (visits.RatingMonth): one GROUP BY over a few rows per technician."""
    rows = (
        RatingMonth.objects.order_by()
        .values("technician_id")
        .annotate(points=Sum(F("rating") * F("total")), ratings=Sum("total"))
        .filter(ratings__gt=0)
        .values_list("technician_id", "points", "ratings")
    )
    return {tech: (round(points / ratings, 2), ratings) for tech, points, ratings in rows}


@cache
def _distinct_clients_sql() -> str:
    """One row `(kept, NULL...)` when the roll-ups are not kept in the given zone (or hold
    nothing for the range); else `(true, period, start, clients)` per period of the range
    (the slots added up). Parameters: the zone, the range's first day, the day after it."""
    zone, counts = RollupZone._meta, DistinctClients._meta
    zone_column = zone.get_field("zone").column
    period, start, clients = (f'"{counts.get_field(name).column}"' for name in ("period", "start", "clients"))
    return (
        f"SELECT rollups.kept, d.period, d.start, d.clients FROM "  # noqa: S608 - identifiers from the models
        f'(SELECT EXISTS (SELECT 1 FROM "{zone.db_table}" WHERE "{zone_column}" = %s) AS kept) rollups '
        f"LEFT JOIN (SELECT {period} AS period, {start} AS start, CAST(SUM({clients}) AS BIGINT) AS clients "
        f'FROM "{counts.db_table}" WHERE {start} >= %s AND {start} < %s GROUP BY 1, 2) d ON rollups.kept'
    )


def clients_evolution(*, year: int) -> dict:
    """Distinct clients who opened tickets in `year`, overall and per month (local time).

    With the roll-ups, a handful of counter rows (reports.models.DistinctClients). Without
    them, distinct (month, client) pairs are formed first (a hash aggregate over the
    (fecha, cliente) index), then counted: much cheaper than COUNT(DISTINCT) per group."""
    if connection.vendor == "postgresql":
        # Whether the roll-ups are kept, and their counts of the year, in one statement.
        with connection.cursor() as cursor:
            cursor.execute(_distinct_clients_sql(), [settings.TIME_ZONE, date(year, 1, 1), date(year + 1, 1, 1)])
            rows = cursor.fetchall()
        if rows[0][0]:
            month, whole_year = DistinctClients.Period.MONTH, DistinctClients.Period.YEAR
            per_month = {start.month: clients for _, period, start, clients in rows if period == month}
            total = sum(clients for _, period, _, clients in rows if period == whole_year)
            return {
                "year": year,
                "total_clientes": total,
                "mensual": {f"{m:02d}": per_month.get(m, 0) for m in range(1, 13)},
            }
    zone = timezone.get_current_timezone()
    # Bound as the backend stores date-times (SQLite compares UTC text, not aware values).
    lower = connection.ops.adapt_datetimefield_value(datetime(year, 1, 1, tzinfo=zone))
    upper = connection.ops.adapt_datetimefield_value(datetime(year + 1, 1, 1, tzinfo=zone))
    table = Ticket._meta.db_table
    month = connection.ops.datetime_extract_sql("month", '"fecha"', (), str(zone))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT pairs.month, COUNT(*) FROM (
                    SELECT DISTINCT {month[0]} AS month, "cliente_id" FROM "{table}"
                    WHERE "fecha" >= %s AND "fecha" < %s
                ) AS pairs GROUP BY pairs.month""",  # noqa: S608 - identifiers from the model, values bound
            [*month[1], lower, upper],
        )
        per_month = {int(m): clients for m, clients in cursor.fetchall()}
        cursor.execute(
            f"""SELECT COUNT(*) FROM (SELECT DISTINCT "cliente_id" FROM "{table}"
                WHERE "fecha" >= %s AND "fecha" < %s) AS clients""",  # noqa: S608
            [lower, upper],
        )
        total = cursor.fetchone()[0]
    return {
        "year": year,
        "total_clientes": total,
        "mensual": {f"{m:02d}": per_month.get(m, 0) for m in range(1, 13)},
    }


# --- Analytics for the help-desk lead ---------------------------------------------------------


def status_distribution(*, lower: datetime | None, upper: datetime | None) -> list[dict]:
    """Tickets opened in the range per state (every state listed, zeros included)."""
    counts = _counts_by_state(lower=lower, upper=upper)
    grand_total = sum(counts.values())
    return [
        {
            "estado_id": state.pk,
            "codigo": state.codigo,
            "nombre": state.nombre,
            "es_final": state.es_final,
            "total": counts.get(state.pk, 0),
            "porcentaje": _percent(counts.get(state.pk, 0), grand_total),
        }
        for state in Estado.objects.order_by("id")
    ]


def resolution_time(*, lower: datetime | None, upper: datetime | None) -> dict:
    """Opening -> approval into "Finalizado", for tickets finalized in the range: overall and
    per technician (fastest first). All of history comes from the ticket counters; a range
    reads only its part of the (fecha_resolucion, tecnico, fecha) index."""
    counters = ticket_counts()
    if counters is not None and lower is None and upper is None:
        # All of history: the ticket counters carry the resolved tickets and their times.
        per_tech = [
            (tech, tickets, timedelta(microseconds=int(total)))
            for tech, tickets, total in counters.order_by()
            .values("tecnico_id")
            .annotate(tickets=Sum("resolved"), total=Sum("resolution_us"))
            .filter(tickets__gt=0)
            .values_list("tecnico_id", "tickets", "total")
        ]
    else:
        resolved = _in_range(_resolved(), "fecha_resolucion", lower, upper).order_by()
        per_tech = list(
            resolved.values("tecnico_id")
            .annotate(tickets=Count("*"), total=Sum(_resolution_time()))
            .values_list("tecnico_id", "tickets", "total")
        )
    people = {user.pk: user for user in User.objects.filter(pk__in=[row[0] for row in per_tech if row[0]])}
    tickets = sum(row[1] for row in per_tech)
    total = sum((row[2] for row in per_tech), timedelta())
    rows = [
        {
            "document": people[tech].document if tech in people else None,
            "nombre_completo": people[tech].get_full_name() if tech in people else "Sin técnico",
            "tickets_resueltos": count,
            "promedio_horas": _hours(duration / count),
        }
        for tech, count, duration in per_tech
    ]
    rows.sort(key=lambda row: (row["promedio_horas"], row["nombre_completo"]))
    return {
        "tickets_resueltos": tickets,
        "promedio_horas": _hours(total / tickets) if tickets else None,
        "por_tecnico": rows,
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


# Without `from`, the flow report covers this many periods back (the current one included).
DEFAULT_THROUGHPUT_PERIODS = 12


def _period_start(moment: datetime, period: str) -> datetime:
    local_day = timezone.localtime(moment).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "month":
        return local_day.replace(day=1)
    return local_day - timedelta(days=local_day.weekday())


def throughput(*, period: str, lower: datetime | None, upper: datetime | None) -> list[dict]:
    """Tickets opened vs. finalized per week or month (local time), oldest period first.
    With no `from`, the last 12 periods: what a lead looks at, at a bounded cost."""
    zone = timezone.get_current_timezone()
    if lower is None:
        start = _period_start(upper or timezone.now(), period)
        for _ in range(DEFAULT_THROUGHPUT_PERIODS - 1):
            start = _period_start(start - timedelta(days=1), period)
        lower = start
    if _rollups_ready():
        return _throughput_from_rollups(period=period, lower=lower, upper=upper)
    opened = dict(
        _in_range(Ticket.objects.order_by(), "fecha", lower, upper)
        .annotate(period=Trunc("fecha", period, tzinfo=zone))
        .values("period")
        .annotate(total=Count("*"))
        .values_list("period", "total")
    )
    finished = dict(
        _in_range(_resolved(), "fecha_resolucion", lower, upper)
        .annotate(period=Trunc("fecha_resolucion", period, tzinfo=zone))
        .values("period")
        .annotate(total=Count("*"))
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


def _throughput_from_rollups(*, period: str, lower: datetime, upper: datetime | None) -> list[dict]:
    """`throughput` from the daily roll-up: the bounds are local midnights (reports.params)."""
    days = DailyFlow.objects.filter(day__gte=_local_day(lower))
    if upper is not None:
        days = days.filter(day__lt=_local_day(upper))
    rows = (
        days.annotate(period=Trunc("day", period))
        .values("period")
        .annotate(opened=Sum("opened"), finalized=Sum("finalized"))
        .order_by("period")
    )
    return [
        {"periodo": row["period"].isoformat(), "abiertos": row["opened"], "finalizados": row["finalized"]}
        for row in rows
        if row["opened"] or row["finalized"]
    ]


def pending_approvals_age(*, limit: int) -> dict:
    """How long final-state requests have been waiting for an admin."""
    now = timezone.now()
    pending = StateChangeRequest.objects.filter(status=RequestStatus.PENDING)
    summary = pending.aggregate(
        total=Count("*"),
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
    """Tickets residents opened about a device, by category, priority and building.

    One GROUP BY (category, priority, building): over reports.PortalCount for all of
    history, else over the partial index of device tickets in the range; the few
    resulting rows are summed per dimension here."""
    building = "cliente__tenant_profile__apartment__building"
    if connection.vendor == "postgresql" and lower is None and upper is None:
        # All of history: the trigger-kept counts per (client, category, priority).
        source, total = PortalCount.objects.filter(tickets__gt=0), Sum("tickets")
    else:
        source, total = _in_range(Ticket.objects.filter(device__isnull=False), "fecha", lower, upper), Count("*")
    groups = (
        source.order_by()
        .values("category", "priority", f"{building}_id")
        .annotate(total=total)
        .values_list("category", "priority", f"{building}_id", "total")
    )
    by_category: dict[str, int] = {}
    by_priority: dict[str, int] = {}
    by_building: dict[int | None, int] = {}
    for category, priority, building_id, total in groups:
        by_category[category or ""] = by_category.get(category or "", 0) + total
        by_priority[priority] = by_priority.get(priority, 0) + total
        by_building[building_id] = by_building.get(building_id, 0) + total
    names = dict(Building.objects.filter(pk__in=[pk for pk in by_building if pk]).values_list("pk", "name"))

    def ranked(counts: dict) -> list:
        return sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))

    return {
        "total_tickets": sum(by_category.values()),
        "por_categoria": [{"categoria": key, "total": total} for key, total in ranked(by_category)],
        "por_prioridad": [{"prioridad": key, "total": total} for key, total in ranked(by_priority)],
        "por_edificio": [
            {"edificio_id": key, "edificio": names.get(key), "total": total}
            for key, total in sorted(by_building.items(), key=lambda item: (-item[1], names.get(item[0]) or ""))
        ],
    }


# --- Residents' satisfaction with the technicians' visits ------------------------------------

RATINGS = range(1, 6)


def _month_start(moment: datetime) -> datetime:
    local = timezone.localtime(moment)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _next_month(moment: datetime) -> datetime:
    return _month_start(_month_start(moment) + timedelta(days=32))


def _rated_in(lower: datetime, upper: datetime) -> list[tuple[date, int, int, int]]:
    """(month, technician, rating, visits) of the visits completed in [lower, upper), from the
    partial index of rated visits (used for the partial months at the range's edges)."""
    zone = timezone.get_current_timezone()
    rows = (
        Appointment.objects.filter(service_rating__isnull=False, completed_at__gte=lower, completed_at__lt=upper)
        .order_by()
        .annotate(month=Trunc("completed_at", "month", tzinfo=zone))
        .values("month", "technician_id", "service_rating")
        .annotate(total=Count("*"))
        .values_list("month", "technician_id", "service_rating", "total")
    )
    return [(timezone.localtime(month).date(), tech, rating, total) for month, tech, rating, total in rows]


def _rating_groups(lower: datetime | None, upper: datetime | None) -> list[tuple[date, int, int, int]]:
    """(month, technician, rating, visits): whole months from the roll-up, and a range's
    partial first and last month from the rated visits themselves."""
    whole_from = None if lower is None else (lower if lower == _month_start(lower) else _next_month(lower))
    whole_to = None if upper is None else _month_start(upper)
    groups: list[tuple[date, int, int, int]] = []
    if whole_from is not None and whole_to is not None and whole_from >= whole_to:
        # The range lies inside one month (or two partial ones): no whole month in it.
        return _rated_in(lower, upper)
    months = RatingMonth.objects.filter(total__gt=0)
    if whole_from is not None:
        months = months.filter(month__gte=whole_from.date())
        if lower < whole_from:
            groups += _rated_in(lower, whole_from)
    if whole_to is not None:
        months = months.filter(month__lt=whole_to.date())
        if whole_to < upper:
            groups += _rated_in(whole_to, upper)
    groups += list(months.values_list("month", "technician_id", "rating", "total"))
    return groups


def _rating_summary(counts: dict[int, int]) -> dict:
    ratings = sum(counts.values())
    points = sum(rating * total for rating, total in counts.items())
    return {
        "calificaciones": ratings,
        "promedio": round(points / ratings, 2) if ratings else None,
        "distribucion": {str(rating): counts.get(rating, 0) for rating in RATINGS},
    }


def satisfaction(*, lower: datetime | None, upper: datetime | None) -> dict:
    """Residents' ratings (1-5) of the visits completed in the range: average and distribution
    overall, per local month (and technician within it) and per technician."""
    per_month: dict[date, dict[int, dict[int, int]]] = {}
    per_tech: dict[int, dict[int, int]] = {}
    overall: dict[int, int] = {}
    for month, tech, rating, total in _rating_groups(lower, upper):
        month_techs = per_month.setdefault(month, {})
        month_techs.setdefault(tech, {})
        month_techs[tech][rating] = month_techs[tech].get(rating, 0) + total
        per_tech.setdefault(tech, {})
        per_tech[tech][rating] = per_tech[tech].get(rating, 0) + total
        overall[rating] = overall.get(rating, 0) + total
    people = {user.pk: user for user in User.objects.filter(pk__in=list(per_tech))}

    def technician(tech: int, counts: dict[int, int]) -> dict:
        person = people.get(tech)
        return {
            "document": person.document if person else None,
            "nombre_completo": person.get_full_name() if person else "Sin técnico",
            **_rating_summary(counts),
        }

    def ranked(techs: dict[int, dict[int, int]]) -> list[dict]:
        rows = [technician(tech, counts) for tech, counts in techs.items()]
        return sorted(rows, key=lambda row: (-(row["promedio"] or 0), -row["calificaciones"], row["nombre_completo"]))

    months = []
    for month in sorted(per_month):
        counts: dict[int, int] = {}
        for tech_counts in per_month[month].values():
            for rating, total in tech_counts.items():
                counts[rating] = counts.get(rating, 0) + total
        months.append(
            {"mes": month.strftime("%Y-%m"), **_rating_summary(counts), "por_tecnico": ranked(per_month[month])}
        )
    return {**_rating_summary(overall), "por_mes": months, "por_tecnico": ranked(per_tech)}


# --- Service levels: compliance per month, technician and priority; approval waits ----------

# Priorities in the report's order, most urgent first.
PRIORITY_ORDER = (Priority.URGENT, Priority.HIGH, Priority.MEDIUM, Priority.LOW)
FIRST_RESPONSE, RESOLUTION = SLAMonth.Clock.FIRST_RESPONSE.value, SLAMonth.Clock.RESOLUTION.value
# Without `from`, the compliance report covers this many months back (the current one included).
DEFAULT_SLA_MONTHS = 3

# Lower bounds of the business-minute buckets of the roll-ups: exact below 10, then ten per
# decade (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten). The same array is in
# the SQL function reports_sla_bucket (migration 0004).
SLA_MINUTE_BUCKETS = (
    *range(10),
    *(int(step * 10**power) for power in range(1, 6) for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8)),
)


def sla_minutes_bucket(minutes: int) -> int:
    """The lower bound of the bucket `minutes` falls in."""
    return SLA_MINUTE_BUCKETS[max(0, bisect_right(SLA_MINUTE_BUCKETS, minutes) - 1)]


def _bucket_end(bound: int) -> int:
    """The next bucket's lower bound (the last bucket: its own)."""
    index = SLA_MINUTE_BUCKETS.index(bound)
    return SLA_MINUTE_BUCKETS[min(index + 1, len(SLA_MINUTE_BUCKETS) - 1)]


# Per clock: the instant it counts at (its month), the condition for counting, "met" and the
# business minutes it ran. The trigger of migration 0004 says the same in SQL. The resolution
# met its target if it last ran (until its final pause, the final-state request, or until the
# clocks stopped) no later than its due instant: sla.clocks moves the due on each resume only.
SLA_CLOCKS = {
    FIRST_RESPONSE: (
        "first_responded_at",
        Q(first_responded_at__isnull=False, first_response_due__isnull=False, first_response_minutes__isnull=False),
        Q(first_responded_at__lte=F("first_response_due")),
        "first_response_minutes",
    ),
    RESOLUTION: (
        "fecha_resolucion",
        Q(
            fecha_resolucion__isnull=False,
            resolution_due__isnull=False,
            resolution_minutes__isnull=False,
            sla_stopped_at__isnull=False,
        ),
        Q(resolution_due__gte=Coalesce(F("resolution_paused_at"), F("sla_stopped_at"))),
        "resolution_minutes",
    ),
}


class _Tally:
    """Met / breached counts and a histogram of business minutes (bucket lower bound -> clocks)."""

    __slots__ = ("breached", "histogram", "met")

    def __init__(self):
        self.met = 0
        self.breached = 0
        self.histogram: dict[int, int] = {}

    def add(self, *, met: bool, minutes: int, total: int) -> None:
        if met:
            self.met += total
        else:
            self.breached += total
        self.histogram[minutes] = self.histogram.get(minutes, 0) + total

    def median(self) -> int | None:
        """The lower median (the ceil(n/2)-th smallest value), interpolated inside its bucket
        as if the bucket's clocks were spread evenly over it: exact below 10 minutes, within
        the bucket's width (about a fifth of the value) above."""
        total = self.met + self.breached
        if not total:
            return None
        rank, below = (total + 1) // 2, 0
        for bound in sorted(self.histogram):
            count = self.histogram[bound]
            if below + count >= rank:
                return int(bound + (_bucket_end(bound) - bound) * (rank - below - 0.5) / count)
            below += count
        raise AssertionError("unreachable: the histogram holds every counted clock")

    def summary(self) -> dict:
        counted = self.met + self.breached
        return {
            "cumplidos": self.met,
            "incumplidos": self.breached,
            "porcentaje_cumplimiento": _percent(self.met, counted) if counted else None,
            "mediana_minutos": self.median(),
        }


Span = tuple[datetime | None, datetime | None]


def _within(field: str, spans: list[Span]) -> Q:
    """`field` in any of the [lower, upper) spans (None: unbounded on that side)."""
    condition = None
    for lower, upper in spans:
        span = Q()
        if lower is not None:
            span &= Q(**{f"{field}__gte": lower})
        if upper is not None:
            span &= Q(**{f"{field}__lt": upper})
        if not span:
            return Q()  # all of history (an empty Q would vanish from an OR)
        condition = span if condition is None else condition | span
    return condition if condition is not None else Q(pk__in=[])


def _clocks_in(spans: list[Span]) -> tuple[list[tuple], list[tuple]]:
    """(per technician, per priority) groups (month, clock, technician or priority, met,
    bucket, tickets) of the clocks that stopped in the spans, from the tickets themselves:
    one query for both clocks."""
    zone = timezone.get_current_timezone()
    per_clock = [
        Ticket.objects.filter(counted, _within(stopped, spans))
        .order_by()
        .annotate(
            month=Trunc(stopped, "month", tzinfo=zone),
            clock=Value(clock),
            met=ExpressionWrapper(met, output_field=BooleanField()),
            ran=F(minutes),
        )
        .values("month", "clock", "tecnico_id", "priority", "met", "ran")
        .annotate(total=Count("*"))
        .values_list("month", "clock", "tecnico_id", "priority", "met", "ran", "total")
        for clock, (stopped, counted, met, minutes) in SLA_CLOCKS.items()
    ]
    per_tech: dict[tuple, int] = {}
    per_priority: dict[tuple, int] = {}
    for month, clock, tech, priority, met, ran, total in per_clock[0].union(*per_clock[1:], all=True):
        day, bucket = timezone.localtime(month).date(), sla_minutes_bucket(ran)
        tech_key = (day, clock, tech or 0, bool(met), bucket)
        priority_key = (day, clock, priority, bool(met), bucket)
        per_tech[tech_key] = per_tech.get(tech_key, 0) + total
        per_priority[priority_key] = per_priority.get(priority_key, 0) + total
    return [(*k, n) for k, n in per_tech.items()], [(*k, n) for k, n in per_priority.items()]


def _approvals_in(spans: list[Span]) -> list[tuple]:
    """(month, admin, approved, met, bucket, requests) of the requests decided in the spans."""
    zone = timezone.get_current_timezone()
    rows = (
        StateChangeRequest.objects.filter(
            _within("decided_at", spans),
            status__in=(RequestStatus.APPROVED, RequestStatus.REJECTED),
            waited_minutes__isnull=False,
            approval_due__isnull=False,
        )
        .order_by()
        .annotate(
            month=Trunc("decided_at", "month", tzinfo=zone),
            approved=ExpressionWrapper(Q(status=RequestStatus.APPROVED), output_field=BooleanField()),
            met=ExpressionWrapper(Q(decided_at__lte=F("approval_due")), output_field=BooleanField()),
        )
        .values("month", "decided_by_id", "approved", "met", "waited_minutes")
        .annotate(total=Count("*"))
        .values_list("month", "decided_by_id", "approved", "met", "waited_minutes", "total")
    )
    groups: dict[tuple, int] = {}
    for month, admin, approved, met, waited, total in rows:
        key = (timezone.localtime(month).date(), admin, bool(approved), bool(met), sla_minutes_bucket(waited))
        groups[key] = groups.get(key, 0) + total
    return [(*key, total) for key, total in groups.items()]


def _tally_cells(per_tech: list[tuple], per_priority: list[tuple]) -> tuple[dict, dict]:
    """The cells of `sla_compliance` in Python, from clock groups: (month or None for the whole
    range, technician / priority or None for all, clock) -> _Tally."""
    techs: dict[tuple, _Tally] = {}
    priorities: dict[tuple, _Tally] = {}
    for month, clock, tech, met, minutes, total in per_tech:
        _count(techs, ((None, tech, clock), (month, tech, clock)), met, minutes, total)
    for month, clock, priority, met, minutes, total in per_priority:
        # every counted clock has one priority: the totals come from here
        keys = ((None, None, clock), (None, priority, clock), (month, None, clock), (month, priority, clock))
        _count(priorities, keys, met, minutes, total)
    return techs, priorities


# The same cells in SQL, from a roll-up's whole months plus the partial months' groups (passed
# as arrays): met / total per grouping set, and the bucket holding the lower median with the
# clocks below it, for `_Cell` to interpolate. Tens of thousands of roll-up rows at a million
# tickets become one row per cell here, not in Python.
_CELLS_SQL = """
WITH source (month, who, clock, met, minutes, tickets) AS (
    SELECT month, {who}, clock, met, minutes, tickets FROM {table}
    WHERE tickets > 0 AND month >= %s AND (%s::date IS NULL OR month < %s)
    UNION ALL
    SELECT * FROM unnest(%s::date[], %s::{who_type}[], %s::text[], %s::boolean[], %s::integer[], %s::bigint[])
), hist AS (
    SELECT month, who, clock, minutes, sum(tickets) AS n, coalesce(sum(tickets) FILTER (WHERE met), 0) AS met
    FROM source GROUP BY GROUPING SETS ({sets})
), ranked AS (
    SELECT *, sum(n) OVER (PARTITION BY month, who, clock ORDER BY minutes) AS upto,
           sum(n) OVER (PARTITION BY month, who, clock) AS total,
           sum(met) OVER (PARTITION BY month, who, clock) AS met_total
    FROM hist
)
SELECT month, who, clock, total::bigint, met_total::bigint, minutes, n::bigint, (upto - n)::bigint FROM ranked
WHERE upto >= div(total + 1, 2) AND upto - n < div(total + 1, 2)
"""


class _Cell:
    """A cell computed in SQL: its counts and the bucket of its lower median."""

    __slots__ = ("breached", "med", "met")

    def __init__(self, *, met: int, breached: int, median: int | None):
        self.met, self.breached, self.med = met, breached, median

    def median(self) -> int | None:
        return self.med

    summary = _Tally.summary


def _sql_cells(*, table: str, who: str, who_type: str, sets: str, months: Span, edges: list[tuple]) -> dict:
    whole_from, whole_to = (None if bound is None else bound.date() for bound in months)
    columns = list(zip(*edges, strict=True)) if edges else [[]] * 6
    # groups are (month, clock, who, met, minutes, tickets); the SQL wants who before clock
    arrays = [list(columns[0]), list(columns[2]), list(columns[1]), *(list(column) for column in columns[3:])]
    with connection.cursor() as cursor:
        cursor.execute(
            _CELLS_SQL.format(table=table, who=who, who_type=who_type, sets=sets),
            [whole_from, whole_to, whole_to, *arrays],
        )
        rows = cursor.fetchall()
    cells = {}
    for month, key, clock, total, met, minutes, count, below in rows:
        rank = (total + 1) // 2
        median = int(minutes + (_bucket_end(minutes) - minutes) * (rank - below - 0.5) / count)
        cells[(month, key, clock)] = _Cell(met=met, breached=total - met, median=median)
    return cells


def _sla_cells(lower: datetime, upper: datetime | None) -> tuple[dict, dict, list[tuple]]:
    """(per technician cells, per priority cells, approval groups): whole months from the
    roll-ups (reports.SLAMonth, SLAPriorityMonth, ApprovalMonth) when they are kept, a range's
    partial first and last month (or everything, without roll-ups) from the tickets and
    requests themselves."""
    if not _rollups_ready():
        return (*_tally_cells(*_clocks_in([(lower, upper)])), _approvals_in([(lower, upper)]))
    whole_from = lower if lower == _month_start(lower) else _next_month(lower)
    whole_to = None if upper is None else _month_start(upper)
    if whole_to is not None and whole_from >= whole_to:
        return (*_tally_cells(*_clocks_in([(lower, upper)])), _approvals_in([(lower, upper)]))
    months = {"month__gte": whole_from.date()} | ({"month__lt": whole_to.date()} if whole_to else {})
    edges: list[Span] = [(lower, whole_from)] if lower < whole_from else []
    if whole_to is not None and whole_to < upper:
        edges.append((whole_to, upper))
    per_tech, per_priority = _clocks_in(edges) if edges else ([], [])
    techs = _sql_cells(
        table=SLAMonth._meta.db_table,
        who="technician_id",
        who_type="bigint",
        sets="(month, who, clock, minutes), (who, clock, minutes)",
        months=(whole_from, whole_to),
        edges=per_tech,
    )
    priorities = _sql_cells(
        table=SLAPriorityMonth._meta.db_table,
        who="priority",
        who_type="text",
        sets="(month, who, clock, minutes), (who, clock, minutes), (month, clock, minutes), (clock, minutes)",
        months=(whole_from, whole_to),
        edges=per_priority,
    )
    approvals = _approvals_in(edges) if edges else []
    approvals += ApprovalMonth.objects.filter(requests__gt=0, **months).values_list(
        "month", "admin_id", "approved", "met", "minutes", "requests"
    )
    return techs, priorities, approvals


def _count(cells: dict, keys: tuple, met: bool, minutes: int, total: int) -> None:
    """Add `total` clocks of `minutes` (met or not) to the tallies of `keys` (created as needed)."""
    for key in keys:
        tally = cells.get(key)
        if tally is None:
            tally = cells[key] = _Tally()
        if met:
            tally.met += total
        else:
            tally.breached += total
        tally.histogram[minutes] = tally.histogram.get(minutes, 0) + total


class _Approvals:
    __slots__ = ("approved", "rejected", "wait")

    def __init__(self):
        self.approved = 0
        self.rejected = 0
        self.wait = _Tally()

    def add(self, *, approved: bool, met: bool, minutes: int, total: int) -> None:
        if approved:
            self.approved += total
        else:
            self.rejected += total
        self.wait.add(met=met, minutes=minutes, total=total)

    def summary(self) -> dict:
        wait = self.wait.summary()
        return {
            "aprobadas": self.approved,
            "rechazadas": self.rejected,
            "a_tiempo": wait["cumplidos"],
            "fuera_de_plazo": wait["incumplidos"],
            "porcentaje_a_tiempo": wait["porcentaje_cumplimiento"],
            "mediana_espera_minutos": wait["mediana_minutos"],
        }


def _person(people: dict, pk: int, *, nobody: str) -> dict:
    person = people.get(pk)
    return {
        "document": person.document if person else None,
        "nombre_completo": person.get_full_name() if person else nobody,
    }


def _sla_default_from(upper: datetime | None) -> datetime:
    """The first of the DEFAULT_SLA_MONTHS local months that end with the one of `upper`
    (exclusive: the range's last instant is just before it) or of now."""
    start = _month_start(upper - timedelta(microseconds=1) if upper else timezone.now())
    for _ in range(DEFAULT_SLA_MONTHS - 1):
        start = _month_start(start - timedelta(days=1))
    return start


def sla_compliance(*, lower: datetime | None, upper: datetime | None) -> dict:
    """Service levels of the clocks that stopped in the range (the first response when it was
    given, the resolution when the ticket was finalized): met / breached and the median
    business minutes, overall and per local month, technician and priority; and how long the
    final-state requests decided in the range waited, per admin who decided them. With no
    `from`, the current month and the two before: what a lead looks at, at a bounded cost."""
    lower = lower or _sla_default_from(upper)
    techs, priorities, approval_groups = _sla_cells(lower, upper)
    decisions: dict[tuple, _Approvals] = {}
    for month, admin, approved, met, minutes, total in approval_groups:
        for key in ((None, None), (None, admin), (month, None), (month, admin)):
            decisions.setdefault(key, _Approvals()).add(approved=approved, met=met, minutes=minutes, total=total)
    people_ids = {key[1] for key in techs if key[1]} | {key[1] for key in decisions if key[1]}
    people = {user.pk: user for user in User.objects.filter(pk__in=people_ids)}
    empty = _Tally()

    def clocks(cells: dict, month, key) -> dict:
        return {
            "primera_respuesta": cells.get((month, key, FIRST_RESPONSE), empty).summary(),
            "resolucion": cells.get((month, key, RESOLUTION), empty).summary(),
        }

    def by_priority(month) -> list[dict]:
        return [
            {"prioridad": priority.value, **clocks(priorities, month, priority.value)}
            for priority in PRIORITY_ORDER
            if (month, priority.value, FIRST_RESPONSE) in priorities
            or (month, priority.value, RESOLUTION) in priorities
        ]

    def by_technician(month) -> list[dict]:
        rows = [
            {**_person(people, tech, nobody="Sin técnico"), **clocks(techs, month, tech)}
            for tech in {key[1] for key in techs if key[0] == month}
        ]
        return sorted(rows, key=lambda row: (row["nombre_completo"], row["document"] or ""))

    def approvals(month) -> dict:
        rows = [
            {**_person(people, admin, nobody=""), **decisions[(month, admin)].summary()}
            for admin in {key[1] for key in decisions if key[0] == month and key[1] is not None}
        ]
        rows.sort(key=lambda row: (row["nombre_completo"], row["document"] or ""))
        return {**(decisions.get((month, None)) or _Approvals()).summary(), "por_administrador": rows}

    months = sorted({key[0] for key in priorities if key[0]} | {key[0] for key in decisions if key[0]})
    return {
        "desde": timezone.localtime(lower).date(),
        **clocks(priorities, None, None),
        "aprobaciones": approvals(None),
        "por_prioridad": by_priority(None),
        "por_tecnico": by_technician(None),
        "por_mes": [
            {
                "mes": month.strftime("%Y-%m"),
                **clocks(priorities, month, None),
                "aprobaciones": approvals(month),
                "por_prioridad": by_priority(month),
                "por_tecnico": by_technician(month),
            }
            for month in months
        ],
    }
