"""Roll-ups that keep the time-series reports constant-time at millions of tickets.

Maintained by PostgreSQL triggers on `tickets_ticket` (migration 0001), in the same
transaction as every ticket insert, delete and change of `fecha`, `fecha_resolucion` or
`cliente`, whoever makes it. Days and months are local to `RollupZone.zone` (the
`TIME_ZONE` setting when they were built); the report selectors use them only while that
still matches the setting, and `manage.py rebuild_report_rollups` rebuilds them.
"""

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
