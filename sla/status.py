"""The service-level state of one ticket as the API shows it, computed from its clock columns
only (no query): `tickets.Ticket.ROW_SOURCES["sla"]` uses it for list pages built from rows,
the model's `sla` property for instances. No Django models are imported here (tickets.models
imports this module)."""

from datetime import datetime

from django.utils import timezone

# The columns `sla_status` reads, in its parameters' order.
SLA_COLUMNS = (
    "first_response_due",
    "first_responded_at",
    "resolution_due",
    "resolution_paused_at",
    "sla_stopped_at",
    "approval_due",
)


def sla_status(
    first_response_due: datetime | None,
    first_responded_at: datetime | None,
    resolution_due: datetime | None,
    resolution_paused_at: datetime | None,
    sla_stopped_at: datetime | None,
    approval_due: datetime | None,
) -> dict:
    """`breached` lists every clock whose target was missed or is being missed: the first
    response came (or the ticket closed, or now is) after its due; the resolution clock ran
    past its due before it paused or stopped (or runs past it now); a pending request waits
    past its approval due. `paused`: the resolution clock is paused on an open ticket."""
    now = timezone.now()
    breached = []
    if first_response_due is not None and (first_responded_at or sla_stopped_at or now) > first_response_due:
        breached.append("first_response")
    if resolution_due is not None and (resolution_paused_at or sla_stopped_at or now) > resolution_due:
        breached.append("resolution")
    if approval_due is not None and now > approval_due:
        breached.append("approval")
    return {
        "first_response_due": first_response_due,
        "resolution_due": resolution_due,
        "approval_due": approval_due,
        "breached": breached,
        "paused": resolution_paused_at is not None and sla_stopped_at is None,
    }


def expected_resolution(resolution_due: datetime | None, sla_stopped_at: datetime | None) -> datetime | None:
    """When an open ticket is expected to be resolved (its resolution due; while the clock is
    paused this moves later on resume); None once the ticket is closed or has no clock."""
    return resolution_due if sla_stopped_at is None else None
