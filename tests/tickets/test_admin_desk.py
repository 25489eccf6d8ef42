"""The admin's front page shows the desk's pending work; tickets can be handed to the least
busy technician from the ticket list."""

import pytest

from tests.factories import StateChangeRequestFactory, TicketFactory, UserFactory, estado
from tickets.models import HistoryAction, Ticket, TicketHistory
from users.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_browser(client, admin_user):
    client.force_login(admin_user)
    return client


def test_admin_index_shows_pending_approvals_and_open_tickets(admin_browser):
    # given two pending requests, three open tickets (one unassigned) and a finalized one
    StateChangeRequestFactory()
    StateChangeRequestFactory()
    TicketFactory(tecnico=None)
    TicketFactory(estado=estado("finalized"))

    # when the admin opens the front page
    response = admin_browser.get("/admin/")

    # then the counts are there, with links to the lists
    html = response.content.decode()
    assert response.status_code == 200
    assert '<td id="desk-pending-approvals">2</td>' in html
    assert '<td id="desk-open-tickets">3</td>' in html
    assert '<td id="desk-unassigned-tickets">1</td>' in html
    assert "/admin/tickets/statechangerequest/?status__exact=pending" in html


def test_assign_least_busy_technician_action_spreads_the_selected_tickets(admin_browser, admin_user):
    # given a busy technician, an idle one, and two tickets assigned to the busy one
    busy = UserFactory(role=Role.TECH, last_name="Alfa")
    idle = UserFactory(role=Role.TECH, last_name="Beta")
    TicketFactory.create_batch(3, tecnico=busy)
    first, second = TicketFactory(tecnico=busy), TicketFactory(tecnico=busy)

    # when the admin runs the action on both
    response = admin_browser.post(
        "/admin/tickets/ticket/",
        {"action": "assign_least_busy_technician", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )

    # then each went to whoever was least busy at that moment, through the service (history)
    assert response.status_code == 200
    assert Ticket.objects.get(pk=first.pk).tecnico == idle
    assert Ticket.objects.get(pk=second.pk).tecnico == idle
    assert (
        TicketHistory.objects.filter(
            ticket__in=[first, second], action=HistoryAction.TECHNICIAN_CHANGED, actor=admin_user
        ).count()
        == 2
    )
