"""Writes of the sla app: the policies (ADMIN) and the warnings (`send_sla_warnings`).

The clocks of open tickets keep the targets they were started with when a policy changes;
new tickets (and re-aimed ones, see sla.clocks.on_retargeted) take the new ones."""

from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from notifications.services import Announcement, notify_all
from sla import queries
from sla.models import APPROVAL, FIRST_RESPONSE, RESOLUTION, SLAPolicy, SLAWarning, WarningLevel
from tickethelp.exceptions import Conflict, NotFound
from tickets.models import Ticket
from users.models import Role, User

POLICY_FIELDS = ("priority", "category", "first_response_minutes", "resolution_minutes", "approval_minutes", "active")


def _duplicate() -> Conflict:
    return Conflict("Ya existe una política activa para esa prioridad y categoría.", code="sla_policy_exists")


def _locked(policy_id: int) -> SLAPolicy:
    policy = SLAPolicy.objects.select_for_update().filter(pk=policy_id).first()
    if policy is None:
        raise NotFound("Política de nivel de servicio no encontrada.", code="sla_policy_not_found")
    return policy


def policy_create(*, data: dict) -> SLAPolicy:
    try:
        with transaction.atomic():
            return SLAPolicy.objects.create(**{name: data[name] for name in POLICY_FIELDS if name in data})
    except IntegrityError:
        raise _duplicate() from None


def policy_update(*, policy_id: int, data: dict) -> SLAPolicy:
    try:
        with transaction.atomic():
            policy = _locked(policy_id)
            changed = [name for name in POLICY_FIELDS if name in data]
            for name in changed:
                setattr(policy, name, data[name])
            policy.save(update_fields=[*changed, "updated_at"])
            return policy
    except IntegrityError:
        raise _duplicate() from None


def policy_delete(*, policy_id: int) -> None:
    with transaction.atomic():
        _locked(policy_id).delete()


# --- Warnings ------------------------------------------------------------------------------

WARNING_BATCH = 200
# Per clock and level and run; the next run (a minute later) goes on where this one stopped.
MAX_BATCHES = 50
CLOCK_LABELS = {FIRST_RESPONSE: "primera respuesta", RESOLUTION: "resolución", APPROVAL: "aprobación"}
WARNING_TYPES = {WarningLevel.AT_RISK: "sla_en_riesgo", WarningLevel.BREACHED: "sla_incumplido"}


def _claim(rows: list[tuple[int, str, str, datetime]], now: datetime) -> set[int]:
    """Insert the warning rows; the ids of the tickets whose row this call inserted. A row
    another run inserted first (committed, or committing: the insert waits for it) is
    skipped by ON CONFLICT DO NOTHING, so exactly one run notifies each warning."""
    table = SLAWarning._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    params = [value for row in rows for value in (*row, now)]
    sql = (
        f"INSERT INTO {table} (ticket_id, clock, level, due, sent_at) VALUES {values} "  # noqa: S608 - table name from model metadata; values are parameters
        "ON CONFLICT (ticket_id, clock, level, due) DO NOTHING RETURNING ticket_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {ticket_id for (ticket_id,) in cursor.fetchall()}


def _warning_text(ticket: Ticket, clock: str, level: str, due: datetime) -> tuple[str, str]:
    label = f"{ticket.code} «{ticket.titulo}»"
    when = timezone.localtime(due).strftime("%Y-%m-%d %H:%M")
    what = CLOCK_LABELS[clock]
    if level == WarningLevel.AT_RISK:
        return (
            f"En riesgo: {what} del ticket {ticket.code}",
            f"El ticket {label} pasó el 80 % de su objetivo de {what}: vence el {when}.",
        )
    return (
        f"Incumplido: {what} del ticket {ticket.code}",
        f"El ticket {label} incumplió su objetivo de {what}: venció el {when}.",
    )


def _send_batch(clock: str, level: str, now: datetime, admins: list[User]) -> tuple[int, int]:
    """One batch of one (clock, level): (warnings sent, candidates seen)."""
    due_column = queries.DUE[clock]
    condition = (
        queries.clock_at_risk(clock, now) if level == WarningLevel.AT_RISK else queries.clock_breached(clock, now)
    )
    already = SLAWarning.objects.filter(ticket=OuterRef("pk"), clock=clock, level=level, due=OuterRef(due_column))
    candidates = list(
        Ticket.objects.filter(condition)
        .exclude(Exists(already))
        .select_related("tecnico")
        .order_by(due_column, "pk")[:WARNING_BATCH]
    )
    if not candidates:
        return 0, 0
    with transaction.atomic():
        claimed = _claim([(ticket.pk, clock, level, getattr(ticket, due_column)) for ticket in candidates], now)
        for ticket in candidates:
            if ticket.pk not in claimed:
                continue
            # The technician answers for the ticket; admins for approvals and unassigned tickets.
            recipients = admins if clock == APPROVAL or ticket.tecnico is None else [ticket.tecnico]
            due = getattr(ticket, due_column)
            titulo, mensaje = _warning_text(ticket, clock, level, due)
            datos = {
                "evento": WARNING_TYPES[level],
                "ticket_id": ticket.pk,
                "ticket_code": ticket.code,
                "clock": clock,
                "level": str(level),
                "due": due.isoformat(),
            }
            announcement = Announcement(
                codigo=WARNING_TYPES[level], recipients=recipients, titulo=titulo, mensaje=mensaje, datos=datos
            )
            notify_all([announcement], ticket=ticket)
    return len(claimed), len(candidates)


def warnings_send(*, now: datetime | None = None) -> int:
    """Notify every running clock past 80 % of its target or past the target, once per
    ticket, clock, level and due instant, however often (and however many at once) it runs.
    Returns the number of warnings this call sent."""
    now = now or timezone.now()
    admins = list(User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk"))
    sent = 0
    for clock in (FIRST_RESPONSE, RESOLUTION, APPROVAL):
        for level in (WarningLevel.BREACHED, WarningLevel.AT_RISK):
            while True:
                batch_sent, seen = _send_batch(clock, level, now, admins)
                sent += batch_sent
                # A short batch was the last; a full one that another run had claimed is
                # read again without those rows (they are committed by then).
                if seen < WARNING_BATCH or (batch_sent == 0 and seen == 0):
                    break
    return sent
