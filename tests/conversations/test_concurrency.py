"""A message and the move into a final state racing, on PostgreSQL: the ticket row lock
serialises them, so a message lands before the ticket is closed or is refused with 409."""

from collections import Counter

import pytest

from conversations.models import TicketMessage
from tests.conftest import client_for
from tests.factories import StateChangeRequestFactory, TenantFactory, UserFactory
from tests.tickets.test_concurrency import THREADS, run_together
from tickets.models import HistoryAction, TicketHistory
from users.models import Role


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_messages_racing_an_approval_land_before_the_final_state_or_get_409(round_):
    # given a ticket awaiting approval to "finalized", an admin to approve it, and its
    # resident, technician and another admin writing at the same moment
    resident = TenantFactory()
    state_request = StateChangeRequestFactory(ticket__cliente=resident.user)
    ticket = state_request.ticket
    approver = client_for(UserFactory(role=Role.ADMIN))
    writers = [client_for(user) for user in (resident.user, ticket.tecnico, UserFactory(role=Role.ADMIN))]

    def act(index: int) -> tuple[str, int]:
        if index == round_:  # the approval starts from a different position each round
            path = f"/api/tickets/approve-state/{state_request.pk}/"
            return "approve", approver.put(path, {"action": "approve"}, format="json").status_code
        writer = writers[index % len(writers)]
        if index % len(writers) == 0:
            path = f"/api/tenant/tickets/{ticket.pk}/send-message-to-technical"
            response = writer.post(path, {"message": f"Mensaje {index}"}, format="json")
            return "message", 201 if response.status_code == 200 else response.status_code
        path = f"/api/tickets/{ticket.pk}/messages/"
        return "message", writer.post(path, {"body": f"Mensaje {index}"}, format="json").status_code

    # when they all run together
    results = run_together(act)

    # then the approval went through, and every message was either written or refused
    assert ("approve", 200) in results, results
    outcomes = Counter(status for kind, status in results if kind == "message")
    assert set(outcomes) <= {201, 409}, results
    assert sum(outcomes.values()) == THREADS - 1
    # and every message that was written is older than the closing of the ticket
    closed_at = TicketHistory.objects.get(ticket=ticket, action=HistoryAction.STATE_CHANGE_APPROVED).created_at
    written = list(TicketMessage.objects.filter(ticket=ticket).values_list("created_at", flat=True))
    assert len(written) == outcomes[201]
    assert all(created_at < closed_at for created_at in written)
