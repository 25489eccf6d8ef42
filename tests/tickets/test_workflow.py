"""change-state, approve-state, pending-approvals and cancel: shapes, rules and history."""

import pytest

from tests.conftest import client_for
from tests.factories import StateChangeRequestFactory, TicketFactory, UserFactory, estado
from tickets.models import HistoryAction, RequestStatus, StateChangeRequest, Ticket, TicketHistory
from users.models import Role

pytestmark = pytest.mark.django_db


def change_state_url(ticket_id) -> str:
    return f"/api/tickets/change-state/{ticket_id}/"


def approve_url(request_id) -> str:
    return f"/api/tickets/approve-state/{request_id}/"


def cancel_url(ticket_id) -> str:
    return f"/api/tickets/cancel/{ticket_id}/"


PENDING_URL = "/api/tickets/pending-approvals/"


def ticket_state(ticket) -> str:
    return Ticket.objects.select_related("estado").get(pk=ticket.pk).estado.codigo


# --- change-state --------------------------------------------------------------------------


def test_assigned_technician_moves_to_a_non_final_state_at_once(as_tech, ticket, tech_user):
    response = as_tech.put(change_state_url(ticket.pk), {"to_state": 2, "reason": "Revisando"}, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "message": "Estado actualizado correctamente",
        "ticket_id": ticket.pk,
        "new_state": "En diagnóstico",
    }
    assert ticket_state(ticket) == "diagnosis"
    history = TicketHistory.objects.get(ticket=ticket)
    assert (history.action, history.actor, history.from_state.codigo, history.to_state.codigo) == (
        HistoryAction.STATE_CHANGED,
        tech_user,
        "open",
        "diagnosis",
    )
    assert "Revisando" in history.description


def test_moving_to_a_final_state_creates_a_pending_request_and_keeps_the_state(as_tech, ticket_in_repair, tech_user):
    response = as_tech.put(change_state_url(ticket_in_repair.pk), {"to_state": 4, "reason": "Listo"}, format="json")

    assert response.status_code == 200
    state_request = StateChangeRequest.objects.get(ticket=ticket_in_repair)
    assert response.json() == {
        "message": "El estado final requiere validación del administrador, solicitud enviada correctamente",
        "request_id": state_request.pk,
        "status": "pending_approval",
        "to_state": "Finalizado",
    }
    assert ticket_state(ticket_in_repair) == "in_repair"
    assert (state_request.status, state_request.requested_by, state_request.reason) == ("pending", tech_user, "Listo")
    assert TicketHistory.objects.get(ticket=ticket_in_repair).action == HistoryAction.STATE_CHANGE_REQUESTED


def test_a_second_pending_request_for_the_same_ticket_is_a_409(as_tech, ticket_in_repair):
    first = as_tech.put(change_state_url(ticket_in_repair.pk), {"to_state": 4}, format="json")

    second = as_tech.put(change_state_url(ticket_in_repair.pk), {"to_state": 5}, format="json")
    direct = as_tech.put(change_state_url(ticket_in_repair.pk), {"to_state": 2}, format="json")

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["code"] == "request_already_pending"
    assert direct.status_code == 409
    assert StateChangeRequest.objects.filter(ticket=ticket_in_repair).count() == 1
    assert ticket_state(ticket_in_repair) == "in_repair"


def test_a_technician_who_is_not_assigned_cannot_change_state(ticket):
    other_tech = UserFactory(role=Role.TECH)

    response = client_for(other_tech).put(change_state_url(ticket.pk), {"to_state": 2}, format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == "Solo el técnico asignado puede cambiar el estado de este ticket."
    assert ticket_state(ticket) == "open"
    assert not TicketHistory.objects.filter(ticket=ticket).exists()


@pytest.mark.parametrize("role_client", ["as_admin", "as_client"])
def test_only_technicians_call_change_state(request, ticket, role_client):
    response = request.getfixturevalue(role_client).put(change_state_url(ticket.pk), {"to_state": 2}, format="json")

    assert response.status_code == 403
    assert ticket_state(ticket) == "open"


def test_final_tickets_refuse_state_changes(as_tech, tech_user):
    final = TicketFactory(tecnico=tech_user, estado=estado("finalized"))

    response = as_tech.put(change_state_url(final.pk), {"to_state": 2}, format="json")

    assert response.status_code == 409
    assert response.json()["detail"] == "El ticket está en un estado final y no admite cambios."
    assert ticket_state(final) == "finalized"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"to_state": 1}, 400),  # already there
        ({"to_state": 99}, 400),
        ({"to_state": "dos"}, 400),
        ({"to_state": None}, 400),
        ({}, 400),
        ({"to_state": 10**30}, 400),
        ({"to_state": 2, "reason": "x" * 2001}, 400),
    ],
)
def test_change_state_bad_bodies_are_400_naming_the_field(as_tech, ticket, body, status):
    response = as_tech.put(change_state_url(ticket.pk), body, format="json")

    assert response.status_code == status
    assert set(response.json()) & {"to_state", "reason"}
    assert ticket_state(ticket) == "open"


def test_inactive_target_state_is_refused(as_tech, ticket, estados):
    paused = estados["open"].__class__.objects.create(codigo="paused", nombre="En pausa", es_activo=False)

    response = as_tech.put(change_state_url(ticket.pk), {"to_state": paused.pk}, format="json")

    assert response.status_code == 400
    assert "to_state" in response.json()


def test_change_state_unknown_ticket_is_404(as_tech):
    assert as_tech.put(change_state_url(999999), {"to_state": 2}, format="json").status_code == 404
    assert as_tech.put(change_state_url(10**25), {"to_state": 2}, format="json").status_code == 404


def test_change_state_user_document_cannot_impersonate(ticket, tech_user, admin_user):
    other_tech = UserFactory(role=Role.TECH)
    # a TECH naming the assigned technician, and an ADMIN naming them (admins only read)
    as_other = client_for(other_tech).put(
        f"{change_state_url(ticket.pk)}?user_document={tech_user.document}", {"to_state": 2}, format="json"
    )
    as_admin = client_for(admin_user).put(
        f"{change_state_url(ticket.pk)}?user_document={tech_user.document}", {"to_state": 2}, format="json"
    )
    own = client_for(tech_user).put(
        f"{change_state_url(ticket.pk)}?user_document={tech_user.document}", {"to_state": 2}, format="json"
    )

    assert as_other.status_code == 403
    assert as_admin.status_code == 403
    assert own.status_code == 200


# --- approve-state -------------------------------------------------------------------------


def test_admin_approves_a_request_and_the_final_state_is_applied(as_admin, admin_user):
    state_request = StateChangeRequestFactory()

    response = as_admin.put(approve_url(state_request.pk), {"action": "approve"}, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "message": "Cambio de estado aprobado y aplicado",
        "ticket_id": state_request.ticket_id,
        "new_state": "Finalizado",
    }
    state_request.refresh_from_db()
    assert (state_request.status, state_request.decided_by) == (RequestStatus.APPROVED, admin_user)
    assert state_request.decided_at is not None
    assert ticket_state(state_request.ticket) == "finalized"
    history = TicketHistory.objects.get(ticket=state_request.ticket)
    assert (history.action, history.from_state.codigo, history.to_state.codigo) == (
        HistoryAction.STATE_CHANGE_APPROVED,
        "in_repair",
        "finalized",
    )


def test_admin_rejects_a_request_with_a_reason(as_admin, admin_user):
    state_request = StateChangeRequestFactory()

    response = as_admin.put(
        approve_url(state_request.pk), {"action": "reject", "rejection_reason": "Falta la prueba"}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {
        "message": "Solicitud de cambio de estado rechazada",
        "ticket_id": state_request.ticket_id,
        "rejection_reason": "Falta la prueba",
    }
    state_request.refresh_from_db()
    assert (state_request.status, state_request.rejection_reason) == (RequestStatus.REJECTED, "Falta la prueba")
    assert ticket_state(state_request.ticket) == "in_repair"
    assert TicketHistory.objects.get(ticket=state_request.ticket).action == HistoryAction.STATE_CHANGE_REJECTED


@pytest.mark.parametrize(
    "body",
    [
        {"action": "reject"},
        {"action": "reject", "rejection_reason": ""},
        {"action": "reject", "rejection_reason": "   "},
        {"action": "reject", "rejection_reason": None},
    ],
)
def test_rejection_requires_a_reason(as_admin, body):
    state_request = StateChangeRequestFactory()

    response = as_admin.put(approve_url(state_request.pk), body, format="json")

    assert response.status_code == 400
    assert "rejection_reason" in response.json()
    state_request.refresh_from_db()
    assert state_request.status == RequestStatus.PENDING


@pytest.mark.parametrize("body", [{}, {"action": "maybe"}, {"action": 1}, {"action": ["approve"]}])
def test_approve_state_rejects_bad_actions(as_admin, body):
    state_request = StateChangeRequestFactory()

    response = as_admin.put(approve_url(state_request.pk), body, format="json")

    assert response.status_code == 400
    assert "action" in response.json()


def test_deciding_an_already_decided_request_is_a_409(as_admin):
    state_request = StateChangeRequestFactory()
    as_admin.put(approve_url(state_request.pk), {"action": "approve"}, format="json")

    again = as_admin.put(approve_url(state_request.pk), {"action": "approve"}, format="json")
    reject = as_admin.put(approve_url(state_request.pk), {"action": "reject", "rejection_reason": "no"}, format="json")

    assert again.status_code == 409
    assert again.json()["detail"] == f"La solicitud #{state_request.pk} ya fue aprobada."
    assert reject.status_code == 409
    assert TicketHistory.objects.filter(ticket=state_request.ticket).count() == 1


def test_approve_unknown_request_is_404(as_admin):
    assert as_admin.put(approve_url(123456), {"action": "approve"}, format="json").status_code == 404


def test_approve_state_user_document_cannot_impersonate(admin_user):
    state_request = StateChangeRequestFactory()
    other_admin = UserFactory(role=Role.ADMIN)

    response = client_for(admin_user).put(
        f"{approve_url(state_request.pk)}?user_document={other_admin.document}", {"action": "approve"}, format="json"
    )

    assert response.status_code == 403
    state_request.refresh_from_db()
    assert state_request.status == RequestStatus.PENDING


# --- pending-approvals ---------------------------------------------------------------------


def test_pending_approvals_lists_only_pending_requests_oldest_first(as_admin, admin_user):
    first = StateChangeRequestFactory()
    second = StateChangeRequestFactory()
    decided = StateChangeRequestFactory()
    as_admin.put(approve_url(decided.pk), {"action": "approve"}, format="json")

    response = as_admin.get(PENDING_URL)

    assert response.status_code == 200
    data = response.json()
    assert data["message"] == "Solicitudes de cambio de estado pendientes"
    assert data["total_pending"] == 2
    assert [row["id"] for row in data["requests"]] == [first.pk, second.pk]
    row = data["requests"][0]
    assert row["ticket_id"] == first.ticket_id
    assert row["ticket"]["code"] == first.ticket.code
    assert row["ticket"]["estado"] == estado("in_repair").pk
    assert row["ticket"]["estado_detalle"]["codigo"] == "in_repair"
    assert row["from_state"]["codigo"] == "in_repair"
    assert row["to_state"]["codigo"] == "finalized"
    assert row["requested_by"]["document"] == first.requested_by.document
    assert (row["status"], row["reason"], row["decided_by"], row["rejection_reason"]) == (
        "pending",
        "Reparación terminada.",
        None,
        "",
    )


def test_pending_approvals_is_paginated(as_admin):
    StateChangeRequestFactory.create_batch(3)

    data = as_admin.get(PENDING_URL, {"limit": 2}).json()

    assert data["total_pending"] == 3
    assert len(data["requests"]) == 2
    assert as_admin.get(PENDING_URL, {"page": "x"}).status_code == 400


# --- cancel --------------------------------------------------------------------------------


@pytest.mark.parametrize("codigo", ["open", "diagnosis"])
def test_owner_client_cancels_an_early_ticket(as_client, client_user, codigo):
    ticket = TicketFactory(cliente=client_user, estado=estado(codigo))

    response = as_client.put(cancel_url(ticket.pk), {"reason": "Ya no lo necesito"}, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "message": "Ticket cancelado correctamente",
        "ticket_id": ticket.pk,
        "new_state": "Cancelado",
    }
    assert ticket_state(ticket) == "canceled"
    history = TicketHistory.objects.get(ticket=ticket)
    assert (history.action, history.actor, history.from_state.codigo) == (HistoryAction.CANCELED, client_user, codigo)


def test_admin_cancels_and_a_pending_request_is_closed(as_admin, admin_user):
    state_request = StateChangeRequestFactory(
        ticket=TicketFactory(estado=estado("diagnosis")), from_state=estado("diagnosis")
    )

    response = as_admin.put(cancel_url(state_request.ticket_id), format="json")

    assert response.status_code == 200
    state_request.refresh_from_db()
    assert (state_request.status, state_request.decided_by) == (RequestStatus.REJECTED, admin_user)
    assert as_admin.put(approve_url(state_request.pk), {"action": "approve"}, format="json").status_code == 409
    assert ticket_state(state_request.ticket) == "canceled"


@pytest.mark.parametrize("codigo", ["in_repair", "finalized", "canceled"])
def test_cancel_outside_early_states_is_a_409(as_admin, codigo):
    ticket = TicketFactory(estado=estado(codigo))

    response = as_admin.put(cancel_url(ticket.pk), format="json")

    assert response.status_code == 409
    assert ticket_state(ticket) == codigo
    assert not TicketHistory.objects.filter(ticket=ticket).exists()


def test_a_client_cannot_cancel_another_clients_ticket(as_client):
    other = TicketFactory()

    response = as_client.put(cancel_url(other.pk), format="json")

    assert response.status_code == 404
    assert ticket_state(other) == "open"


def test_the_assigned_technician_cannot_cancel(as_tech, ticket):
    assert as_tech.put(cancel_url(ticket.pk), format="json").status_code == 403
    assert ticket_state(ticket) == "open"


def test_cancel_unknown_ticket_is_404(as_admin):
    assert as_admin.put(cancel_url(424242), format="json").status_code == 404


def test_approval_into_finalizado_records_the_resolution_date(as_admin, ticket_in_repair, tech_user):
    # given a pending request to finalize
    from tickets import services

    outcome = services.ticket_change_state(
        ticket_id=ticket_in_repair.pk, actor=tech_user, to_state_id=estado("finalized").pk
    )
    assert Ticket.objects.get(pk=ticket_in_repair.pk).fecha_resolucion is None

    # when an admin approves it
    response = as_admin.put(f"/api/tickets/approve-state/{outcome.request.pk}/", {"action": "approve"}, format="json")

    # then the ticket carries the moment of the decision
    assert response.status_code == 200
    ticket = Ticket.objects.get(pk=ticket_in_repair.pk)
    outcome.request.refresh_from_db()
    assert ticket.fecha_resolucion == outcome.request.decided_at
