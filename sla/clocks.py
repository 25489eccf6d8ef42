"""The service-level clocks of a ticket, recomputed by the services that change the ticket.

Every function takes the (locked) ticket instance and the instant of the change, sets the
clock columns on the instance and returns the names of the fields it changed: the caller
adds them to the `save(update_fields=...)` it already does, so the clocks ride on the same
UPDATE (or on the INSERT, for `on_created`) in the same transaction. Nothing here imports
the tickets services (they call us).

Clocks (business time, sla.calendar):
- first response: from opening until the first public staff reply or the first state change;
- resolution: from opening until the ticket reaches a final state; paused while a final-state
  request awaits approval (the work is done) and while the state waits on the client
  (`Estado.pausa_sla`); on resume its due and 80 % instants move by the business time that
  was left at the pause;
- approval: runs only while a final-state request is pending.
"""

from dataclasses import dataclass
from datetime import datetime

from sla import cache
from sla.business_time import add_business_seconds, business_seconds_between
from sla.calendar import configured_calendar

WARN_FRACTION = 0.8


@dataclass(frozen=True)
class Targets:
    first_response_minutes: int
    resolution_minutes: int
    approval_minutes: int


def policy_for(*, priority: str, category: str = "") -> Targets | None:
    """The targets of a ticket: the active policy of its category if any, else its
    priority's general one (blank category); None when neither exists. Cached (sla.cache)."""
    known = cache.policies()
    found = known.get((priority, category or "")) or known.get((priority, ""))
    return Targets(*found) if found else None


def _due_and_warn(calendar, start: datetime, minutes: int) -> tuple[datetime, datetime]:
    seconds = minutes * 60
    return add_business_seconds(calendar, start, seconds), add_business_seconds(
        calendar, start, seconds * WARN_FRACTION
    )


def _minutes(seconds: float) -> int:
    return max(0, round(seconds / 60))


def on_created(ticket, *, now: datetime) -> list[str]:
    """Start the first-response and resolution clocks of a new ticket (before its INSERT)."""
    policy = policy_for(priority=ticket.priority, category=ticket.category)
    if policy is None:
        return []
    calendar = configured_calendar()
    ticket.first_response_due, ticket.first_response_warn_at = _due_and_warn(
        calendar, now, policy.first_response_minutes
    )
    ticket.resolution_due, ticket.resolution_warn_at = _due_and_warn(calendar, now, policy.resolution_minutes)
    fields = ["first_response_due", "first_response_warn_at", "resolution_due", "resolution_warn_at"]
    if ticket.estado.pausa_sla:
        ticket.resolution_paused_at = now
        fields.append("resolution_paused_at")
    return fields


def on_first_response(ticket, *, now: datetime) -> list[str]:
    """A public staff reply or a state change: stops the first-response clock (once)."""
    if ticket.first_responded_at is not None or ticket.sla_stopped_at is not None:
        return []
    ticket.first_responded_at = now
    fields = ["first_responded_at"]
    if ticket.first_response_due is not None:
        ticket.first_response_minutes = _minutes(
            business_seconds_between(configured_calendar(), ticket.created_at, now)
        )
        fields.append("first_response_minutes")
    return fields


def _pause(ticket, *, now: datetime) -> list[str]:
    if ticket.resolution_due is None or ticket.resolution_paused_at is not None:
        return []
    ticket.resolution_paused_at = now
    return ["resolution_paused_at"]


def _resume(ticket, *, now: datetime) -> list[str]:
    paused_at = ticket.resolution_paused_at
    if paused_at is None or ticket.resolution_due is None:
        return []
    calendar = configured_calendar()
    ticket.resolution_paused_minutes += _minutes(business_seconds_between(calendar, paused_at, now))
    # What was left at the pause is left now; a target already missed at the pause stays missed.
    if ticket.resolution_due > paused_at:
        left = business_seconds_between(calendar, paused_at, ticket.resolution_due)
        ticket.resolution_due = add_business_seconds(calendar, now, left)
    if ticket.resolution_warn_at is not None and ticket.resolution_warn_at > paused_at:
        left = business_seconds_between(calendar, paused_at, ticket.resolution_warn_at)
        ticket.resolution_warn_at = add_business_seconds(calendar, now, left)
    ticket.resolution_paused_at = None
    return ["resolution_paused_at", "resolution_paused_minutes", "resolution_due", "resolution_warn_at"]


def _stop(ticket, *, now: datetime) -> list[str]:
    """The ticket reached a final state: every clock stops (a paused resolution clock stopped
    at its pause: the work was done when the request was made)."""
    ticket.sla_stopped_at = now
    fields = ["sla_stopped_at", *_clear_approval(ticket)]
    if ticket.resolution_due is not None:
        end = ticket.resolution_paused_at or now
        worked = business_seconds_between(configured_calendar(), ticket.created_at, end)
        ticket.resolution_minutes = max(0, _minutes(worked) - ticket.resolution_paused_minutes)
        fields.append("resolution_minutes")
    return fields


def _clear_approval(ticket) -> list[str]:
    if ticket.approval_due is None and ticket.approval_warn_at is None:
        return []
    ticket.approval_due = ticket.approval_warn_at = None
    return ["approval_due", "approval_warn_at"]


def on_state_changed(ticket, *, from_state, to_state, now: datetime) -> list[str]:
    """A non-final state applied at once: a first response; entering a state that waits on
    the client pauses the resolution clock, leaving it resumes it."""
    fields = on_first_response(ticket, now=now)
    if to_state.pausa_sla and not from_state.pausa_sla:
        fields += _pause(ticket, now=now)
    elif from_state.pausa_sla and not to_state.pausa_sla:
        fields += _resume(ticket, now=now)
    return fields


def on_request_pending(ticket, *, now: datetime) -> list[str]:
    """A final-state request awaits an admin: the resolution clock pauses, the approval clock
    starts (with the policy's approval target)."""
    fields = on_first_response(ticket, now=now) + _pause(ticket, now=now)
    policy = policy_for(priority=ticket.priority, category=ticket.category)
    if policy is not None:
        ticket.approval_due, ticket.approval_warn_at = _due_and_warn(
            configured_calendar(), now, policy.approval_minutes
        )
        fields += ["approval_due", "approval_warn_at"]
    return fields


def on_request_decided(ticket, *, approved: bool, now: datetime) -> list[str]:
    """Approved: the ticket is in its final state, the clocks stop. Rejected: the approval
    clock ends and the resolution clock resumes (unless the state waits on the client)."""
    if approved and ticket.estado.es_final:
        return _stop(ticket, now=now)
    fields = _clear_approval(ticket)
    if not ticket.estado.pausa_sla:
        fields += _resume(ticket, now=now)
    return fields


def on_canceled(ticket, *, now: datetime) -> list[str]:
    """Cancelled: every clock stops."""
    return _stop(ticket, now=now)


def on_retargeted(ticket) -> list[str]:
    """The ticket's priority or category changed (Django admin): the running clocks are
    re-aimed at the new policy's targets, counted from the opening (pauses excluded). A
    pending request keeps its approval clock."""
    if ticket.sla_stopped_at is not None or ticket.created_at is None:
        return []
    policy = policy_for(priority=ticket.priority, category=ticket.category)
    if policy is None:
        return []
    calendar = configured_calendar()
    fields = []
    if ticket.first_responded_at is None:
        ticket.first_response_due, ticket.first_response_warn_at = _due_and_warn(
            calendar, ticket.created_at, policy.first_response_minutes
        )
        fields += ["first_response_due", "first_response_warn_at"]
    paused = ticket.resolution_paused_minutes * 60
    seconds = policy.resolution_minutes * 60
    ticket.resolution_due = add_business_seconds(calendar, ticket.created_at, seconds + paused)
    ticket.resolution_warn_at = add_business_seconds(calendar, ticket.created_at, seconds * WARN_FRACTION + paused)
    return [*fields, "resolution_due", "resolution_warn_at"]
