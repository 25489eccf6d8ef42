"""What the admin's front page shows an office admin first: the work waiting for them."""

from django import template
from django.db.models import Count, Q

from tickets.models import RequestStatus, StateChangeRequest, Ticket

register = template.Library()


@register.simple_tag
def desk_counts() -> dict[str, int]:
    """Pending approvals, open tickets and open tickets nobody is assigned to (two queries)."""
    open_tickets = Ticket.objects.filter(estado__es_final=False).aggregate(
        open=Count("id"), unassigned=Count("id", filter=Q(tecnico__isnull=True))
    )
    return {
        "pending_approvals": StateChangeRequest.objects.filter(status=RequestStatus.PENDING).count(),
        "open_tickets": open_tickets["open"],
        "unassigned_tickets": open_tickets["unassigned"],
    }
