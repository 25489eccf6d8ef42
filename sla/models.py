"""Service levels: the targets per priority (and optionally category), the days the office is
closed beyond the country's public holidays, and the warnings already sent.

The clocks themselves are columns of `tickets.Ticket` (see `sla.clocks`), so that breach and
at-risk lists are index scans of the ticket table.
"""

from django.db import models
from django.db.models import Q

from tickets.models import Priority

# The clocks a ticket runs (names used in the API's `sla.breached` and in SLAWarning.clock).
FIRST_RESPONSE, RESOLUTION, APPROVAL = "first_response", "resolution", "approval"


class Clock(models.TextChoices):
    FIRST_RESPONSE = FIRST_RESPONSE, "Primera respuesta"
    RESOLUTION = RESOLUTION, "Resolución"
    APPROVAL = APPROVAL, "Aprobación"


class WarningLevel(models.TextChoices):
    AT_RISK = "at_risk", "80 % del objetivo"
    BREACHED = "breached", "Incumplido"


class SLAPolicy(models.Model):
    """Targets in business minutes for the tickets of one priority. A policy with a category
    applies to that category's tickets only and wins over the priority's general policy
    (blank category). Only active policies apply."""

    priority = models.CharField("prioridad", max_length=10, choices=Priority.choices)
    category = models.CharField("categoría", max_length=50, blank=True, default="")
    first_response_minutes = models.PositiveIntegerField("primera respuesta (minutos hábiles)")
    resolution_minutes = models.PositiveIntegerField("resolución (minutos hábiles)")
    approval_minutes = models.PositiveIntegerField("aprobación (minutos hábiles)")
    active = models.BooleanField("activa", default=True)
    created_at = models.DateTimeField("creada", auto_now_add=True)
    updated_at = models.DateTimeField("actualizada", auto_now=True)

    class Meta:
        verbose_name = "política de nivel de servicio"
        verbose_name_plural = "políticas de nivel de servicio"
        ordering = ["priority", "category", "id"]
        constraints = [
            # One active policy per (priority, category): the lookup is never ambiguous.
            models.UniqueConstraint(
                fields=["priority", "category"], condition=Q(active=True), name="sla_policy_one_active"
            ),
            models.CheckConstraint(condition=Q(priority__in=Priority.values), name="sla_policy_priority_valid"),
            models.CheckConstraint(
                condition=Q(first_response_minutes__gt=0, resolution_minutes__gt=0, approval_minutes__gt=0),
                name="sla_policy_targets_positive",
            ),
        ]

    def __str__(self) -> str:
        scope = f" · {self.category}" if self.category else ""
        return f"{self.get_priority_display()}{scope}: {self.first_response_minutes}/{self.resolution_minutes} min"


class ClosureDay(models.Model):
    """A day the office is closed besides the country's public holidays (added by admins)."""

    date = models.DateField("fecha", unique=True)
    reason = models.CharField("motivo", max_length=200, blank=True)
    created_at = models.DateTimeField("creado", auto_now_add=True)

    class Meta:
        verbose_name = "día de cierre"
        verbose_name_plural = "días de cierre"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}" + (f" · {self.reason}" if self.reason else "")


class SLAWarning(models.Model):
    """One row per warning sent: its unique key (ticket, clock, level, due) is the once-only
    guard of `send_sla_warnings` (inserted with ON CONFLICT DO NOTHING; only the inserting
    run notifies). The due instant is part of the key, so a clock that was re-armed (a
    rejected request opens a new approval clock) warns again."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="sla_warnings")
    clock = models.CharField("reloj", max_length=20, choices=Clock.choices)
    level = models.CharField("nivel", max_length=10, choices=WarningLevel.choices)
    due = models.DateTimeField("vencimiento")
    sent_at = models.DateTimeField("enviado", auto_now_add=True)

    class Meta:
        verbose_name = "aviso de nivel de servicio"
        verbose_name_plural = "avisos de nivel de servicio"
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "clock", "level", "due"], name="sla_warning_once"),
            models.CheckConstraint(condition=Q(clock__in=Clock.values), name="sla_warning_clock_valid"),
            models.CheckConstraint(condition=Q(level__in=WarningLevel.values), name="sla_warning_level_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} · {self.clock} · {self.level}"
