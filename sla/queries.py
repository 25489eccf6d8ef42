"""The conditions of "breached" and "at risk" over the ticket's clock columns, as Q objects
for ticket querysets. Each term matches one partial index of tickets.Ticket (running clocks
only), so the lists are index scans whatever the number of closed tickets.

A clock counts here while it runs: first response not given yet, resolution neither paused
nor stopped, approval pending. (The API's `sla.breached`, sla.status, also names clocks that
missed their target before they paused or stopped.)"""

from datetime import datetime

from django.db.models import Q

from sla.models import APPROVAL, FIRST_RESPONSE, RESOLUTION

RUNNING = {
    FIRST_RESPONSE: Q(first_responded_at__isnull=True, sla_stopped_at__isnull=True),
    RESOLUTION: Q(resolution_paused_at__isnull=True, sla_stopped_at__isnull=True),
    APPROVAL: Q(),
}
DUE = {FIRST_RESPONSE: "first_response_due", RESOLUTION: "resolution_due", APPROVAL: "approval_due"}
WARN = {FIRST_RESPONSE: "first_response_warn_at", RESOLUTION: "resolution_warn_at", APPROVAL: "approval_warn_at"}


def clock_breached(clock: str, now: datetime) -> Q:
    return RUNNING[clock] & Q(**{f"{DUE[clock]}__lte": now})


def clock_at_risk(clock: str, now: datetime) -> Q:
    """Past 80 % of the target, not yet past the target."""
    return RUNNING[clock] & Q(**{f"{WARN[clock]}__lte": now, f"{DUE[clock]}__gt": now})


def breached(now: datetime) -> Q:
    return clock_breached(FIRST_RESPONSE, now) | clock_breached(RESOLUTION, now) | clock_breached(APPROVAL, now)


def at_risk(now: datetime) -> Q:
    """At risk on some clock (and a ticket breached on another clock may be at risk too)."""
    return clock_at_risk(FIRST_RESPONSE, now) | clock_at_risk(RESOLUTION, now) | clock_at_risk(APPROVAL, now)
