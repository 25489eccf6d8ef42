"""An internal note leaves no trace for the ticket's client / resident: every path they can
read answers exactly as before the note (lists, detail, histories, counts, notifications)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conversations import services
from tests.conftest import client_for
from tests.conversations.conftest import PNG, send

pytestmark = pytest.mark.django_db


def client_view(desk) -> dict:
    """Everything the resident reads about the ticket, through both APIs."""
    client, ticket = client_for(desk.client), desk.ticket.pk
    paths = [
        f"/api/tickets/{ticket}/messages/",
        f"/api/tickets/{ticket}/history/",
        "/api/tickets/consulta/",
        "/api/notifications/",
        "/api/notifications/stats/",
        f"/api/tenant/tickets/{ticket}",
        f"/api/tenant/tickets/{ticket}/messages",
        "/api/tenant/tickets",
        "/api/tenant/notifications",
    ]
    view = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.content)
        view[path] = response.json()
    return view


@pytest.mark.parametrize("author", ["tech", "admin"])
def test_an_internal_note_changes_nothing_the_client_reads(desk, author):
    # given a conversation with public messages, as the client sees it
    send(desk.ticket, desk.client, "¿Cuándo vienen?")
    send(desk.ticket, desk.tech, "Mañana.")
    before = client_view(desk)

    # when staff leave an internal note with a photo
    note = services.message_send(
        ticket_id=desk.ticket.pk,
        actor=getattr(desk, author),
        body="Nota confidencial",
        internal=True,
        files=[SimpleUploadedFile("nota.png", PNG, content_type="image/png")],
    )

    # then the client reads exactly what they read before
    assert client_view(desk) == before
    # while staff do see it
    staff = client_for(desk.admin).get(f"/api/tickets/{desk.ticket.pk}/messages/").json()
    assert note.pk in [message["id"] for message in staff["messages"]]
