"""What the admin's front page shows an office admin first: the work waiting for them."""

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from sla import queries as sla_queries
from tickets.models import RequestStatus, StateChangeRequest, Ticket

register = template.Library()


@register.simple_tag
def desk_counts() -> dict[str, int]:
    """Pending approvals, open tickets, open tickets nobody is assigned to, and the tickets
    whose service level is breached or at risk (three queries; the last reads the partial
    indexes of the running clocks only)."""
    open_tickets = Ticket.objects.filter(estado__es_final=False).aggregate(
        open=Count("id"), unassigned=Count("id", filter=Q(tecnico__isnull=True))
    )
    now = timezone.now()
    breached, at_risk = sla_queries.breached(now), sla_queries.at_risk(now)
    sla = Ticket.objects.filter(breached | at_risk).aggregate(
        breached=Count("id", filter=breached), at_risk=Count("id", filter=at_risk & ~breached)
    )
    return {
        "pending_approvals": StateChangeRequest.objects.filter(status=RequestStatus.PENDING).count(),
        "open_tickets": open_tickets["open"],
        "unassigned_tickets": open_tickets["unassigned"],
        "sla_breached": sla["breached"],
        "sla_at_risk": sla["at_risk"],
    }
