"""An administrator approves a technician's pending request in the admin site and the
ticket ends finalized — through the real browser, the admin action and the service."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import admin_login
from tickets.models import RequestStatus, StateChangeRequest, TicketHistory

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_approves_pending_request_and_ticket_is_finalized(page, screenshot, admin_account, pending_finalization):
    # given a logged-in administrator and one pending request to finalize an "in repair" ticket
    state_request = pending_finalization
    ticket = state_request.ticket
    assert ticket.estado.codigo == "in_repair"
    admin_login(page, screenshot)

    # when they open the pending requests, select it and run the approve action
    page.goto(f"/admin/tickets/statechangerequest/?status__exact={RequestStatus.PENDING}")
    row = page.locator("#result_list tbody tr", has=page.locator(f"input.action-select[value='{state_request.pk}']"))
    expect(row).to_contain_text(ticket.code)
    expect(row).to_contain_text("Pendiente")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    screenshot("pending-requests")
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option("approve_requests")
    screenshot("approve-action-selected")
    page.locator("button[name=index]").click()

    # then the page confirms it and no request is left pending
    expect(page.locator(".messagelist .success")).to_contain_text("1 solicitud(es) aprobadas.")
    expect(page.locator(".messagelist .warning")).to_have_count(0)
    expect(page.locator("#result_list")).to_have_count(0)
    screenshot("approved-message")

    # and the request and the ticket's page show the decision
    page.goto(f"/admin/tickets/statechangerequest/{state_request.pk}/change/")
    expect(page.locator(".field-status .readonly")).to_have_text("Aprobada")
    expect(page.locator(".field-decidida_por .readonly")).to_contain_text(admin_account.email)
    screenshot("request-approved")
    page.goto(f"/admin/tickets/ticket/{ticket.pk}/change/")
    expect(page).to_have_url(re.compile(rf"/admin/tickets/ticket/{ticket.pk}/change/$"))
    expect(page.locator(".field-estado .readonly")).to_have_text("Finalizado")
    screenshot("ticket-finalized")

    # and the database agrees: approved once by this admin, ticket finalized, history kept
    state_request.refresh_from_db()
    ticket.refresh_from_db()
    assert state_request.status == RequestStatus.APPROVED
    assert state_request.decided_by_id == admin_account.pk
    assert state_request.decided_at is not None
    assert ticket.estado.codigo == "finalized"
    assert ticket.fecha_resolucion is not None
    assert StateChangeRequest.objects.filter(status=RequestStatus.PENDING).count() == 0
    assert TicketHistory.objects.filter(ticket=ticket, to_state__codigo="finalized", actor=admin_account).count() == 1
