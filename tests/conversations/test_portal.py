"""The conversation in the tenant portal, in the residents' app's shapes (REAL-CLIENTS.md §2):
send-message-to-technical, GET .../messages and the detail's merged `histories`."""

import re
from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from conversations.models import TicketMessage
from notifications.models import Notification
from tests.conftest import client_for
from tests.conversations.conftest import send
from tests.factories import TenantFactory, TicketHistoryFactory, estado
from tickets.models import TicketHistory

pytestmark = pytest.mark.django_db

UTC_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def send_path(ticket) -> str:
    return f"/api/tenant/tickets/{ticket.pk}/send-message-to-technical"


def test_send_message_answers_the_apps_shape_and_notifies_the_technician(desk):
    # when the resident writes to the technician
    response = client_for(desk.client).post(send_path(desk.ticket), {"message": "¿A qué hora vienen?"}, format="json")

    # then the app's answer, the message stored as the resident's, the technician notified once
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Message sent successfully", "ticket_id": desk.ticket.pk}
    message = TicketMessage.objects.get()
    assert (message.ticket, message.author, message.body, message.internal) == (
        desk.ticket,
        desk.client,
        "¿A qué hora vienen?",
        False,
    )
    assert list(Notification.objects.values_list("usuario_id", "tipo__codigo")) == [(desk.tech.pk, "mensaje_nuevo")]


@pytest.mark.parametrize(
    ("body", "field"), [({}, "message"), ({"message": "  "}, "message"), ({"message": "x" * 5001}, "message")]
)
def test_send_message_with_bad_input_is_a_422_naming_the_field(desk, body, field):
    response = client_for(desk.client).post(send_path(desk.ticket), body, format="json")

    assert response.status_code == 422
    assert set(response.json()) == {"message", "errors"}
    assert list(response.json()["errors"]) == [field]
    assert not TicketMessage.objects.exists()


def test_send_message_to_a_closed_ticket_is_a_409(desk):
    desk.ticket.estado = estado("finalized")
    desk.ticket.save()

    response = client_for(desk.client).post(send_path(desk.ticket), {"message": "¿Sigue?"}, format="json")

    assert response.status_code == 409
    assert response.json()["message"] == "The ticket is closed and no longer accepts messages."
    assert not TicketMessage.objects.exists()


def test_send_message_to_someone_elses_ticket_is_the_portals_404(desk):
    # given another resident, and a plain client (no resident profile: the portal refuses it)
    intruder = TenantFactory()
    foreign = client_for(intruder.user).post(send_path(desk.ticket), {"message": "Hola"}, format="json")
    missing = client_for(intruder.user).post(
        "/api/tenant/tickets/2000000000/send-message-to-technical", {"message": "Hola"}, format="json"
    )

    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    assert foreign.json()["message"] == "Ticket not found."
    assert (
        client_for(desk.other_client).post(send_path(desk.ticket), {"message": "Hola"}, format="json").status_code
        == 403
    )
    assert not TicketMessage.objects.exists()


def test_messages_lists_public_messages_oldest_first_in_utc(desk):
    # given the resident's message, the technician's internal note and public reply, an admin's reply
    mine = send(desk.ticket, desk.client, "¿A qué hora vienen?")
    send(desk.ticket, desk.tech, "Cliente insiste.", internal=True)
    reply = send(desk.ticket, desk.tech, "Mañana a las 9.")
    admin_reply = send(desk.ticket, desk.admin, "Confirmado.")

    # when the resident reads the conversation
    response = client_for(desk.client).get(f"/api/tenant/tickets/{desk.ticket.pk}/messages")

    # then the public ones, each as the app names it; timestamps UTC with microseconds
    assert response.status_code == 200
    body = response.json()
    assert (body["success"], body["ticket_id"], body["total_messages"]) == (True, desk.ticket.pk, 3)
    assert body["messages"][0] == {
        "id": mine.pk,
        "message": "¿A qué hora vienen?",
        "action": "member_message",
        "user_name": "Ana Residente",
        "attachments": [],
        "created_at": mine.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }
    assert [(m["id"], m["action"]) for m in body["messages"]] == [
        (mine.pk, "member_message"),
        (reply.pk, "technician_message"),
        (admin_reply.pk, "admin_message"),
    ]
    assert all(UTC_TIMESTAMP.match(m["created_at"]) for m in body["messages"])


def test_messages_of_someone_elses_ticket_is_the_portals_404(desk):
    send(desk.ticket, desk.client, "Hola")
    response = client_for(TenantFactory().user).get(f"/api/tenant/tickets/{desk.ticket.pk}/messages")

    assert response.status_code == 404
    assert response.json()["message"] == "Ticket not found."


def test_detail_histories_merge_history_rows_and_public_messages_oldest_first(desk):
    # given history rows and messages interleaved in time, and an internal note
    start = timezone.now() - timedelta(hours=2)
    created = TicketHistoryFactory(ticket=desk.ticket, created_at=start, description="Ticket creado.")
    asked = TicketMessage.objects.create(
        ticket=desk.ticket, author=desk.client, body="¿Vienen hoy?", created_at=start + timedelta(minutes=1)
    )
    TicketMessage.objects.create(
        ticket=desk.ticket, author=desk.tech, body="Nota.", internal=True, created_at=start + timedelta(minutes=2)
    )
    moved = TicketHistoryFactory(
        ticket=desk.ticket, actor=desk.tech, action="state_changed", created_at=start + timedelta(minutes=3)
    )
    answered = TicketMessage.objects.create(
        ticket=desk.ticket, author=desk.tech, body="Mañana.", created_at=start + timedelta(minutes=4)
    )

    # when the resident opens the ticket
    ticket = client_for(desk.client).get(f"/api/tenant/tickets/{desk.ticket.pk}").json()["ticket"]

    # then one timeline, oldest first, the messages as the app expects them, no internal note
    assert [(h["action"], h["description"]) for h in ticket["histories"]] == [
        ("created", "Ticket creado."),
        ("member_message", "¿Vienen hoy?"),
        ("state_changed", moved.description),
        ("technician_message", "Mañana."),
    ]
    assert [h["id"] for h in ticket["histories"]] == [created.pk, asked.pk, moved.pk, answered.pk]
    assert ticket["histories"][1]["user_name"] == "Ana Residente"
    assert ticket["histories"][3]["user_name"] == "Tomás Técnico"
    # and the list's count is the same timeline's length
    listed = client_for(desk.client).get("/api/tenant/tickets").json()["tickets"][0]
    assert listed["histories_count"] == 4 == TicketHistory.objects.filter(ticket=desk.ticket).count() + 2
