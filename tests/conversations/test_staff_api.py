"""Staff API of the conversation: GET/POST /api/tickets/{id}/messages/ and message files."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.fields import DateTimeField

from conversations.models import MessageAttachment, TicketMessage
from notifications.models import Notification, NotificationType
from tests.conftest import client_for
from tests.conversations.conftest import PNG, send
from tests.factories import estado

pytestmark = pytest.mark.django_db

TICKET_NOT_FOUND = {"detail": "Ticket no encontrado.", "code": "ticket_not_found"}


def url(ticket) -> str:
    return f"/api/tickets/{ticket.pk}/messages/"


def notified(ticket) -> list[tuple[int, str]]:
    return sorted(Notification.objects.filter(ticket=ticket).values_list("usuario_id", "tipo__codigo"))


def test_admin_reads_public_messages_and_internal_notes_oldest_first(desk):
    # given a resident's message, then an internal note of the technician
    first = send(desk.ticket, desk.client, "¿Cuándo vienen?")
    note = send(desk.ticket, desk.tech, "Revisar la fuente.", internal=True)

    # when an admin reads the conversation
    response = client_for(desk.admin).get(url(desk.ticket))

    # then both, oldest first, in the documented shape
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Mensajes del ticket"
    assert (body["ticket_id"], body["total_messages"]) == (desk.ticket.pk, 2)
    assert body["messages"][0] == {
        "id": first.pk,
        "ticket_id": desk.ticket.pk,
        "body": "¿Cuándo vienen?",
        "internal": False,
        "author": {
            "document": desk.client.document,
            "email": desk.client.email,
            "first_name": "Ana",
            "last_name": "Residente",
            "full_name": "Ana Residente",
        },
        "author_role": "CLIENT",
        "attachments": [],
        "created_at": DateTimeField().to_representation(first.created_at),
    }
    assert [(m["id"], m["internal"]) for m in body["messages"]] == [(first.pk, False), (note.pk, True)]


@pytest.mark.parametrize(("who", "sees_note"), [("admin", True), ("tech", True), ("client", False)])
def test_internal_notes_are_listed_and_counted_only_for_staff(desk, who, sees_note):
    # given a public message and an internal note
    public = send(desk.ticket, desk.tech, "Paso mañana.")
    note = send(desk.ticket, desk.admin, "Cliente conflictivo.", internal=True)

    # when a participant reads the conversation
    body = client_for(getattr(desk, who)).get(url(desk.ticket)).json()

    # then the note is there (and counted) only for ADMIN and the assigned technician
    expected = [public.pk, note.pk] if sees_note else [public.pk]
    assert [m["id"] for m in body["messages"]] == expected
    assert body["total_messages"] == len(expected)


@pytest.mark.parametrize("who", ["other_tech", "other_client"])
def test_someone_outside_the_ticket_gets_its_404(desk, who):
    send(desk.ticket, desk.client, "Hola")
    client = client_for(getattr(desk, who))

    assert (client.get(url(desk.ticket)).status_code, client.get(url(desk.ticket)).json()) == (404, TICKET_NOT_FOUND)
    response = client.post(url(desk.ticket), {"body": "Intruso"}, format="json")
    assert (response.status_code, response.json()) == (404, TICKET_NOT_FOUND)
    assert TicketMessage.objects.count() == 1


def test_since_returns_only_later_messages_and_pages_keep_the_order(desk):
    # given five messages a minute apart
    start = timezone.now() - timedelta(hours=1)
    messages = [
        TicketMessage.objects.create(
            ticket=desk.ticket, author=desk.client, body=f"m{n}", created_at=start + timedelta(minutes=n)
        )
        for n in range(5)
    ]
    client = client_for(desk.tech)

    # when the technician asks for those after the second one, a page of two at a time
    since = messages[1].created_at.isoformat()
    first_page = client.get(url(desk.ticket), {"since": since, "page_size": 2}).json()
    second_page = client.get(url(desk.ticket), {"since": since, "page_size": 2, "page": 2}).json()

    # then the three later ones, oldest first, over two pages
    assert first_page["total_messages"] == 3
    assert [m["body"] for m in first_page["messages"]] == ["m2", "m3"]
    assert [m["body"] for m in second_page["messages"]] == ["m4"]


@pytest.mark.parametrize("since", ["ayer", "2026-13-01T00:00:00Z", "1700000000"])
def test_an_invalid_since_is_a_400_naming_it(desk, since):
    response = client_for(desk.admin).get(url(desk.ticket), {"since": since})

    assert response.status_code == 400
    assert list(response.json()) == ["since"]


def test_the_client_writes_and_the_technician_and_admins_who_wrote_are_notified_once(desk):
    # given an admin and another admin who wrote before (one of them twice), and an admin who never did
    send(desk.ticket, desk.admin, "Recibido.")
    send(desk.ticket, desk.admin, "Asignado.")
    send(desk.ticket, desk.other_admin, "Nota.", internal=True)
    Notification.objects.all().delete()
    silent_admin = type(desk.admin).objects.create(document="ADM-9", email="a9@example.com", role="ADMIN")

    # when the client writes
    response = client_for(desk.client).post(url(desk.ticket), {"body": "  Sigue sin encender.  "}, format="json")

    # then the message is stored (trimmed) and each other participant is notified exactly once
    assert response.status_code == 201
    message = TicketMessage.objects.get(pk=response.json()["ticket_message"]["id"])
    assert (message.body, message.internal, message.author) == ("Sigue sin encender.", False, desk.client)
    assert response.json()["message"] == "Mensaje enviado correctamente"
    assert notified(desk.ticket) == sorted(
        [(desk.tech.pk, "mensaje_nuevo"), (desk.admin.pk, "mensaje_nuevo"), (desk.other_admin.pk, "mensaje_nuevo")]
    )
    assert not Notification.objects.filter(usuario__in=[desk.client, silent_admin]).exists()
    notification = Notification.objects.get(usuario=desk.tech)
    assert notification.titulo == f"Nuevo mensaje en el ticket {desk.ticket.code}"
    assert "Sigue sin encender." in notification.mensaje
    assert notification.datos_adicionales["message_id"] == message.pk


def test_an_internal_note_notifies_only_staff(desk):
    # given an admin who wrote on the ticket
    send(desk.ticket, desk.admin, "Recibido.")
    Notification.objects.all().delete()

    # when the technician leaves an internal note
    response = client_for(desk.tech).post(url(desk.ticket), {"body": "Fuente dañada.", "internal": True}, format="json")

    # then only the admin hears of it, as a "nota_interna"; the client does not
    assert response.status_code == 201
    assert response.json()["ticket_message"]["internal"] is True
    assert notified(desk.ticket) == [(desk.admin.pk, "nota_interna")]


def test_message_notifications_send_no_email_by_default():
    types = NotificationType.objects.filter(codigo__in=["mensaje_nuevo", "nota_interna"])

    assert sorted(types.values_list("codigo", "envia_email", "es_activo")) == [
        ("mensaje_nuevo", False, True),
        ("nota_interna", False, True),
    ]


def test_a_client_cannot_write_an_internal_note(desk):
    response = client_for(desk.client).post(url(desk.ticket), {"body": "Secreto", "internal": True}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "internal_not_allowed"
    assert not TicketMessage.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize("final", ["finalized", "canceled"])
@pytest.mark.parametrize("who", ["admin", "tech", "client"])
def test_a_ticket_in_a_final_state_takes_no_message(desk, final, who):
    desk.ticket.estado = estado(final)
    desk.ticket.save()

    response = client_for(getattr(desk, who)).post(url(desk.ticket), {"body": "¿Sigue?"}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "El ticket está en un estado final y no admite mensajes.",
        "code": "ticket_final",
    }
    assert not TicketMessage.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"body": "   "}, "body"),
        ({"body": "x" * 5001}, "body"),
        ({"body": "ok", "internal": "tal vez"}, "internal"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(desk, body, field):
    response = client_for(desk.admin).post(url(desk.ticket), body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not TicketMessage.objects.exists()


def test_a_message_of_5000_characters_is_accepted(desk):
    response = client_for(desk.admin).post(url(desk.ticket), {"body": "x" * 5000}, format="json")

    assert response.status_code == 201
    assert len(TicketMessage.objects.get().body) == 5000


def test_files_are_checked_stored_and_served_to_who_may_read_the_message(desk):
    # given a technician's public message and internal note, each with a photo
    client = client_for(desk.tech)
    public = client.post(
        url(desk.ticket),
        {"body": "Foto del daño", "files": [SimpleUploadedFile("a.png", PNG, content_type="image/png")]},
        format="multipart",
    )
    note = client.post(
        url(desk.ticket),
        {"body": "Interna", "internal": "true", "files": [SimpleUploadedFile("b.png", PNG, content_type="image/png")]},
        format="multipart",
    )
    assert (public.status_code, note.status_code) == (201, 201)
    public_file = public.json()["ticket_message"]["attachments"][0]
    note_file = note.json()["ticket_message"]["attachments"][0]
    assert (public_file["filename"], public_file["mime_type"]) == ("a.png", "image/png")
    stored = MessageAttachment.objects.get(pk=public_file["id"])
    assert public_file["size"] == stored.size == stored.file.size

    # when the client downloads both
    owner = client_for(desk.client)
    served = owner.get(public_file["url"])
    hidden = owner.get(note_file["url"])

    # then the public one is served, the internal note's file does not exist for them
    assert served.status_code == 200
    # under the stored name with the sniffed extension, never the client's "a.png"
    disposition = served["Content-Disposition"]
    assert stored.download_name.endswith(".png")
    assert stored.download_name != "a.png"
    assert f'filename="{stored.download_name}"' in disposition
    content = b"".join(served.streaming_content)
    assert content == stored.file.open("rb").read()
    assert content.startswith(b"\x89PNG\r\n\x1a\n")
    assert (hidden.status_code, hidden.json()) == (
        404,
        {"detail": "Adjunto no encontrado.", "code": "attachment_not_found"},
    )
    assert client_for(desk.admin).get(note_file["url"]).status_code == 200


def test_a_file_that_is_not_an_image_or_video_is_refused(desk):
    response = client_for(desk.tech).post(
        url(desk.ticket),
        {"body": "Adjunto", "files": [SimpleUploadedFile("x.png", b"MZ-not-a-png", content_type="image/png")]},
        format="multipart",
    )

    assert response.status_code == 400
    assert list(response.json()["files"]) != []
    assert not TicketMessage.objects.exists()
    assert not MessageAttachment.objects.exists()
