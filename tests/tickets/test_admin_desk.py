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


@pytest.mark.parametrize(
    ("field", "role"), [("tecnico", Role.TECH), ("cliente", Role.CLIENT), ("administrador", Role.ADMIN)]
)
def test_ticket_people_autocomplete_offers_only_active_users_of_the_role(admin_browser, field, role):
    # given one user of each role, and an inactive one of the field's role, all named Zeta
    expected = UserFactory(role=role, last_name="Zeta")
    UserFactory(role=role, last_name="Zeta", is_active=False)
    for other in {Role.TECH, Role.CLIENT, Role.ADMIN} - {role}:
        UserFactory(role=other, last_name="Zeta")

    # when the ticket form's autocomplete searches for "Zeta"
    response = admin_browser.get(
        "/admin/autocomplete/", {"term": "Zeta", "app_label": "tickets", "model_name": "ticket", "field_name": field}
    )

    # then only the active user of that role is offered
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(expected.pk)]


def test_ticket_form_picks_people_by_autocomplete(admin_browser):
    response = admin_browser.get("/admin/tickets/ticket/add/")

    content = response.content.decode()
    assert response.status_code == 200
    for field in ("administrador", "tecnico", "cliente"):
        assert f'data-field-name="{field}"' in content
    assert "admin-autocomplete" in content


def test_ticket_page_shows_requests_attachments_and_history_inline_in_spanish(admin_browser):
    # given a ticket with a pending request (the factory writes no history of its own)
    request = StateChangeRequestFactory()
    TicketHistory.objects.create(
        ticket=request.ticket,
        action=HistoryAction.STATE_CHANGE_REQUESTED,
        actor=request.requested_by,
        from_state=request.from_state,
        to_state=request.to_state,
        description="Solicitud enviada",
    )

    # when the admin opens the ticket
    response = admin_browser.get(f"/admin/tickets/ticket/{request.ticket.pk}/change/")

    # then the three inlines are there, with Spanish headers only
    content = response.content.decode()
    assert response.status_code == 200
    for group in ("state_requests-group", "attachments-group", "history-group"):
        assert f'id="{group}"' in content
    for header in ("Estado de origen", "Estado destino", "Solicitada por", "Subido por"):
        assert header.lower() in content.lower()
    for english in ("From state", "To state", "Requested by", "Uploaded by", "Created at"):
        assert english.lower() not in content.lower()


def test_state_change_request_list_speaks_spanish(admin_browser):
    StateChangeRequestFactory()

    response = admin_browser.get("/admin/tickets/statechangerequest/")

    content = response.content.decode()
    assert response.status_code == 200
    assert "Por estado destino" in content
    for english in ("From state", "To state", "Requested by", "Decided by", "Created at"):
        assert english.lower() not in content.lower()


def test_state_change_request_page_is_read_only(admin_browser):
    # a request changes only through the approve/reject actions, never through its form
    request = StateChangeRequestFactory()

    response = admin_browser.get(f"/admin/tickets/statechangerequest/{request.pk}/change/")

    content = response.content.decode()
    assert response.status_code == 200
    for field in ("requested_by", "from_state", "to_state", "decided_by", "decided_at", "status", "reason"):
        assert f'name="{field}"' not in content
    assert "Solicitada por" in content
