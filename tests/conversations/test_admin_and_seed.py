"""The conversation in the Django admin, and in the demo data."""

import pytest
from django.core.management import call_command

from conversations.models import TicketMessage
from tests.conversations.conftest import send
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_the_ticket_page_shows_its_messages_with_internal_notes_marked(admin_site, desk):
    # given a public message and an internal note
    send(desk.ticket, desk.client, "Mensaje público del cliente")
    send(desk.ticket, desk.tech, "Nota reservada del técnico", internal=True)

    # when an admin opens the ticket
    html = admin_site.get(f"/admin/tickets/ticket/{desk.ticket.pk}/change/").content.decode()

    # then both are in the messages inline, the note marked as internal
    assert "Mensaje público del cliente" in html
    assert "Nota reservada del técnico" in html
    assert html.count("🔒 Nota interna") == 1


def test_the_message_admin_lists_and_filters_internal_notes(admin_site, desk):
    send(desk.ticket, desk.client, "Público")
    send(desk.ticket, desk.tech, "Reservado", internal=True)

    every = admin_site.get("/admin/conversations/ticketmessage/")
    notes = admin_site.get("/admin/conversations/ticketmessage/?internal__exact=1")

    assert every.status_code == notes.status_code == 200
    assert "Público" in every.content.decode()
    assert "Reservado" in every.content.decode()
    assert "Reservado" in notes.content.decode()
    assert "Público" not in notes.content.decode()


def test_seed_demo_has_conversations_with_internal_notes_once():
    # when the demo data is loaded twice
    call_command("seed_demo", "--force", stdout=None)
    first = TicketMessage.objects.count()
    call_command("seed_demo", "--force", stdout=None)

    # then every assigned ticket has a conversation with internal notes, written once
    assert TicketMessage.objects.count() == first > 0
    for ticket in Ticket.objects.exclude(tecnico=None):
        assert ticket.messages.filter(internal=False).exists()
        assert ticket.messages.filter(internal=True).exists()
