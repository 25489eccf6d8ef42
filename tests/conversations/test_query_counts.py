"""The conversation's lists cost the same number of queries with 1 message as with 50."""

import pytest
from django.core.files.base import ContentFile

from conversations.models import MessageAttachment, TicketMessage
from tests.conftest import client_for
from tests.conversations.conftest import PNG
from tests.factories import TicketHistoryFactory, UserFactory
from tests.query_counts import assert_constant
from tickethelp import rows
from users.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def add_messages(desk):
    """n more messages on the desk's ticket, each by a different author (every role), every
    other one an internal note, each with a stored photo."""
    roles = (Role.CLIENT, Role.TECH, Role.ADMIN)

    def add(n):
        for index in range(n):
            role = roles[index % 3]
            author = desk.client if role == Role.CLIENT else UserFactory(role=role)
            message = TicketMessage.objects.create(
                ticket=desk.ticket,
                author=author,
                body=f"Mensaje {index}",
                internal=role != Role.CLIENT and index % 2 == 0,
            )
            attachment = MessageAttachment(message=message, original_name="f.png", mime_type="image/png", size=len(PNG))
            attachment.file.save("f.png", ContentFile(PNG), save=False)
            attachment.save()

    return add


@pytest.mark.parametrize("reader", ["admin", "tech", "client"])
def test_staff_message_list(desk, add_messages, reader):
    response = assert_constant(
        client_for(getattr(desk, reader)), f"/api/tickets/{desk.ticket.pk}/messages/", add_messages
    )

    visible = TicketMessage.objects.filter(ticket=desk.ticket)
    if reader == "client":
        visible = visible.filter(internal=False)
    assert response.json()["total_messages"] == len(response.json()["messages"]) == visible.count()
    assert all(len(message["attachments"]) == 1 for message in response.json()["messages"])


def test_tenant_message_list(desk, add_messages):
    response = assert_constant(client_for(desk.client), f"/api/tenant/tickets/{desk.ticket.pk}/messages", add_messages)

    assert len(response.json()["messages"]) == TicketMessage.objects.filter(internal=False).count()


def test_tenant_detail_with_messages_in_its_histories(desk, add_messages):
    def add(n):
        add_messages(n)
        for _ in range(n):
            TicketHistoryFactory(ticket=desk.ticket, actor=UserFactory(role=Role.ADMIN))

    response = assert_constant(client_for(desk.client), f"/api/tenant/tickets/{desk.ticket.pk}", add)

    public = TicketMessage.objects.filter(internal=False).count()
    assert len(response.json()["ticket"]["histories"]) == 50 + public


@pytest.mark.parametrize("reader", ["admin", "client"])
def test_the_lists_rows_answer_what_drf_answers(desk, add_messages, monkeypatch, reader):
    # given messages of every kind, with files
    add_messages(6)
    client = client_for(getattr(desk, reader))
    paths = [f"/api/tickets/{desk.ticket.pk}/messages/", f"/api/tenant/tickets/{desk.ticket.pk}/messages"]
    if reader == "admin":
        paths.pop()  # the portal is for the resident

    # when the lists are read from plain rows, and through DRF's own serialization
    fast = [client.get(path).json() for path in paths]
    monkeypatch.setattr(rows, "ROWS_ENABLED", False)
    slow = [client.get(path).json() for path in paths]

    # then both answers are the same
    assert fast == slow
