"""Django admin pages and actions for tickets, and the demo data of seed_demo."""

import pytest
from django.core.management import call_command

from tests.factories import StateChangeRequestFactory, TicketAttachmentFactory, TicketFactory, TicketHistoryFactory
from tickets.models import Estado, HistoryAction, RequestStatus, StateChangeRequest, Ticket, TicketHistory

pytestmark = pytest.mark.django_db


def test_admin_pages_load(admin_site):
    ticket = TicketFactory()
    TicketHistoryFactory(ticket=ticket)
    TicketAttachmentFactory(ticket=ticket)
    state_request = StateChangeRequestFactory()

    for path in (
        "/admin/tickets/ticket/",
        "/admin/tickets/ticket/?q=TK",
        f"/admin/tickets/ticket/{ticket.pk}/change/",
        "/admin/tickets/ticket/add/",
        "/admin/tickets/statechangerequest/",
        f"/admin/tickets/statechangerequest/{state_request.pk}/change/",
        "/admin/tickets/estado/",
        "/admin/tickets/estado/1/change/",
        "/admin/tickets/tickethistory/",
    ):
        assert admin_site.get(path).status_code == 200, path


def test_admin_add_ticket_goes_through_the_service(admin_site, admin_user, tech_user, client_user):
    response = admin_site.post(
        "/admin/tickets/ticket/add/",
        {
            "titulo": "Desde el admin",
            "descripcion": "Creado en el panel",
            "equipo": "",
            "category": "",
            "priority": "high",
            "fecha_0": "2025-11-03",
            "fecha_1": "10:00:00",
            "estado": 1,
            "administrador": admin_user.pk,
            "tecnico": tech_user.pk,
            "cliente": client_user.pk,
            **{
                f"{prefix}-{key}": value
                for prefix in ("state_requests", "attachments", "history")
                for key, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0))
            },
        },
    )

    assert response.status_code == 302, response.content[:2000]
    ticket = Ticket.objects.get(titulo="Desde el admin")
    assert ticket.code == f"TK-{ticket.pk:06d}"
    assert TicketHistory.objects.get(ticket=ticket).action == HistoryAction.CREATED


@pytest.mark.parametrize(
    ("action", "status", "state"),
    [
        ("approve_requests", RequestStatus.APPROVED, "finalized"),
        ("reject_requests", RequestStatus.REJECTED, "in_repair"),
    ],
)
def test_admin_actions_decide_requests_through_the_service(admin_site, admin_user, action, status, state):
    state_request = StateChangeRequestFactory()

    response = admin_site.post(
        "/admin/tickets/statechangerequest/", {"action": action, "_selected_action": [state_request.pk]}
    )

    assert response.status_code == 302
    state_request.refresh_from_db()
    assert (state_request.status, state_request.decided_by) == (status, admin_user)
    assert Ticket.objects.get(pk=state_request.ticket_id).estado.codigo == state
    assert TicketHistory.objects.filter(ticket=state_request.ticket).count() == 1


def test_history_and_catalog_cannot_be_deleted_from_admin(admin_site):
    entry = TicketHistoryFactory()

    assert admin_site.get(f"/admin/tickets/tickethistory/{entry.pk}/delete/").status_code == 403
    assert admin_site.get("/admin/tickets/estado/1/delete/").status_code == 403


def test_seed_demo_creates_tickets_in_every_state_and_is_idempotent():
    call_command("seed_demo", "--force", stdout=None)
    first = (Ticket.objects.count(), TicketHistory.objects.count(), StateChangeRequest.objects.count())

    call_command("seed_demo", "--force")

    assert (Ticket.objects.count(), TicketHistory.objects.count(), StateChangeRequest.objects.count()) == first
    states = set(Ticket.objects.values_list("estado__codigo", flat=True))
    assert states == set(Estado.objects.values_list("codigo", flat=True))
    assert StateChangeRequest.objects.filter(status=RequestStatus.PENDING).count() == 2
    assert StateChangeRequest.objects.filter(status=RequestStatus.REJECTED).exists()
    assert all(Ticket.objects.values_list("code", flat=True))
