"""Roll-ups that keep the time-series reports constant-time at millions of tickets.

Maintained by PostgreSQL triggers on `tickets_ticket` (migration 0001), in the same
transaction as every ticket insert, delete and change of `fecha`, `fecha_resolucion` or
`cliente`, whoever makes it. Days and months are local to `RollupZone.zone` (the
`TIME_ZONE` setting when they were built); the report selectors use them only while that
still matches the setting, and `manage.py rebuild_report_rollups` rebuilds them.
"""

from django.conf import settings
from django.db import models


class RollupZone(models.Model):
    """The one time zone the roll-ups' days and months are in."""

    zone = models.CharField("zona horaria", max_length=64)

    class Meta:
        verbose_name = "zona horaria de los resúmenes"
        verbose_name_plural = "zona horaria de los resúmenes"

    def __str__(self) -> str:
        return self.zone


class DailyFlow(models.Model):
    """Tickets opened (by `fecha`) and finalized (by `fecha_resolucion`) per local day.

    Each day is split in a few slots (ticket id modulo FLOW_SLOTS) so that concurrent
    ticket writes of the same day do not all wait on one row; reports add the slots up."""

    day = models.DateField("día")
    slot = models.PositiveSmallIntegerField("franja")
    opened = models.IntegerField("abiertos", default=0)
    finalized = models.IntegerField("finalizados", default=0)

    class Meta:
        verbose_name = "flujo diario"
        verbose_name_plural = "flujo diario"
        constraints = [models.UniqueConstraint(fields=["day", "slot"], name="reports_dailyflow_day_slot_uniq")]

    def __str__(self) -> str:
        return f"{self.day} #{self.slot}: +{self.opened} / ✓{self.finalized}"


class ClientMonth(models.Model):
    """How many tickets a client opened in a local month (rows at 0 mean none any more)."""

    month = models.DateField("mes")  # its first day
    cliente_id = models.BigIntegerField("cliente")
    tickets = models.IntegerField("tickets", default=0)

    class Meta:
        verbose_name = "cliente por mes"
        verbose_name_plural = "clientes por mes"
        constraints = [
            models.UniqueConstraint(fields=["month", "cliente_id"], name="reports_clientmonth_month_client_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} · {self.cliente_id}: {self.tickets}"


class ClientYear(models.Model):
    """How many tickets a client opened in a local year (rows at 0 mean none any more)."""

    year = models.DateField("año")  # its first day
    cliente_id = models.BigIntegerField("cliente")
    tickets = models.IntegerField("tickets", default=0)

    class Meta:
        verbose_name = "cliente por año"
        verbose_name_plural = "clientes por año"
        constraints = [
            models.UniqueConstraint(fields=["year", "cliente_id"], name="reports_clientyear_year_client_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.year:%Y} · {self.cliente_id}: {self.tickets}"


class DistinctClients(models.Model):
    """How many clients opened at least one ticket in a local month or year.

    Kept by the triggers of ClientMonth / ClientYear when a client's count there goes from
    0 to 1 or back; spread over a few slots (client id modulo 8) like DailyFlow, so that
    concurrent first tickets of different clients do not all wait on one row."""

    class Period(models.TextChoices):
        MONTH = "month", "mes"
        YEAR = "year", "año"

    period = models.CharField("periodo", max_length=5, choices=Period.choices)
    start = models.DateField("inicio")
    slot = models.PositiveSmallIntegerField("franja")
    clients = models.IntegerField("clientes", default=0)

    class Meta:
        verbose_name = "clientes distintos"
        verbose_name_plural = "clientes distintos"
        constraints = [models.UniqueConstraint(fields=["period", "start", "slot"], name="reports_distinctclients_uniq")]

    def __str__(self) -> str:
        return f"{self.period} {self.start} #{self.slot}: {self.clients}"


class PortalCount(models.Model):
    """Residents' device tickets per (client, category, priority), for the all-history
    tickets-portal report (a few thousand rows instead of every device ticket).

    Kept by its own PostgreSQL trigger on `tickets_ticket`, independent of the time zone
    (it has no dates); the building is the client's current one, read with the report."""

    # A key without a constraint: the row follows the tickets (the trigger), not the user.
    cliente = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name="cliente",
    )
    category = models.CharField("categoría", max_length=50)
    priority = models.CharField("prioridad", max_length=10)
    tickets = models.IntegerField("tickets", default=0)

    class Meta:
        verbose_name = "tickets del portal"
        verbose_name_plural = "tickets del portal"
        constraints = [
            models.UniqueConstraint(
                fields=["cliente", "category", "priority"], name="reports_portalcount_client_category_priority_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cliente_id} · {self.category} · {self.priority}: {self.tickets}"


class SLAClockMonth(models.Model):
    """What SLAMonth and SLAPriorityMonth share: per local month and clock, how many tickets
    met or breached it, per bucket of business minutes the clock ran; the subclass adds the
    grouping (technician or priority)."""

    class Clock(models.TextChoices):
        FIRST_RESPONSE = "first_response", "primera respuesta"
        RESOLUTION = "resolution", "resolución"

    month = models.DateField("mes")  # its first day
    clock = models.CharField("reloj", max_length=20, choices=Clock.choices)
    met = models.BooleanField("cumplido")
    minutes = models.IntegerField("minutos hábiles (desde)")
    tickets = models.IntegerField("tickets", default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} · {self.clock} · {self.group}: {self.tickets}"


class SLAMonth(SLAClockMonth):
    """Service-level outcomes per local month and technician: how many of the technician's
    tickets met or breached a clock, per bucket of business minutes the clock ran.

    A clock counts in the month it stopped: the first response when it was given, the
    resolution when the ticket was finalized. `minutes` is the lower bound of the clock's
    bucket (reports.selectors.SLA_MINUTE_BUCKETS: exact below 10, then ten per decade), so
    the report's medians come from a few rows per month and technician whatever the number
    of tickets. Kept by PostgreSQL triggers on `tickets_ticket` (migration 0004) like the
    other roll-ups, in `RollupZone.zone`; SLAPriorityMonth is its twin per priority."""

    technician_id = models.BigIntegerField("técnico")  # 0: no technician

    class Meta:
        verbose_name = "nivel de servicio por técnico y mes"
        verbose_name_plural = "niveles de servicio por técnico y mes"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "clock", "technician_id", "met", "minutes"], name="reports_slamonth_uniq"
            )
        ]

    @property
    def group(self):
        return self.technician_id


class SLAPriorityMonth(SLAClockMonth):
    """SLAMonth per ticket priority instead of technician (the same clocks, counted once more)."""

    priority = models.CharField("prioridad", max_length=10)

    class Meta:
        verbose_name = "nivel de servicio por prioridad y mes"
        verbose_name_plural = "niveles de servicio por prioridad y mes"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "clock", "priority", "met", "minutes"], name="reports_slaprioritymonth_uniq"
            )
        ]

    @property
    def group(self):
        return self.priority


class ApprovalMonth(models.Model):
    """Final-state requests an admin decided per local month (of the decision): approved or
    rejected, within the approval target or not, per bucket of business minutes waited
    (bucketed like SLAMonth.minutes). Kept by a PostgreSQL trigger on
    `tickets_statechangerequest` (migration 0004)."""

    month = models.DateField("mes")  # its first day
    admin_id = models.BigIntegerField("administrador")
    approved = models.BooleanField("aprobada")
    met = models.BooleanField("a tiempo")
    minutes = models.IntegerField("minutos hábiles de espera (desde)")
    requests = models.IntegerField("solicitudes", default=0)

    class Meta:
        verbose_name = "aprobaciones por mes"
        verbose_name_plural = "aprobaciones por mes"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "admin_id", "approved", "met", "minutes"], name="reports_approvalmonth_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} · {self.admin_id}: {self.requests}"
