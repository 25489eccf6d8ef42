"""History, attachments (content-validated uploads) and the authorised download."""

import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import client_for
from tests.factories import TicketFactory, UserFactory, estado
from tests.media_files import mp4_head_of_size
from tests.tickets.conftest import AVI, GIF, JPEG, MOV, MP4, PNG, WEBP, WMV
from tickethelp.uploads import MAX_UPLOAD_SIZE
from tickets.models import HistoryAction, TicketAttachment, TicketHistory
from users.models import Role

pytestmark = pytest.mark.django_db


def history_url(ticket_id) -> str:
    return f"/api/tickets/{ticket_id}/history/"


def attachments_url(ticket_id) -> str:
    return f"/api/tickets/{ticket_id}/attachments/"


def download_url(ticket_id, attachment_id) -> str:
    return f"/api/tickets/{ticket_id}/attachments/{attachment_id}/download/"


def upload(client, ticket_id, content: bytes, name="foto.jpg", content_type="image/jpeg"):
    return client.post(
        attachments_url(ticket_id),
        {"file": SimpleUploadedFile(name, content, content_type=content_type)},
        format="multipart",
    )


# --- History -------------------------------------------------------------------------------


def test_history_lists_every_change_in_order(as_admin, as_tech, ticket, admin_user, tech_user):
    as_tech.put(f"/api/tickets/change-state/{ticket.pk}/", {"to_state": 2}, format="json")
    as_tech.put(f"/api/tickets/change-state/{ticket.pk}/", {"to_state": 4}, format="json")

    response = as_admin.get(history_url(ticket.pk))

    assert response.status_code == 200
    data = response.json()
    assert (data["message"], data["ticket_id"], data["total_history"]) == ("Historial del ticket", ticket.pk, 2)
    first, second = data["history"]
    assert first["action"] == "state_changed"
    assert first["action_display"] == "Estado cambiado"
    assert first["actor"]["document"] == tech_user.document
    assert (first["from_state"]["codigo"], first["to_state"]["codigo"]) == ("open", "diagnosis")
    assert second["action"] == "state_change_requested"
    assert set(first) == {
        "id",
        "action",
        "action_display",
        "description",
        "actor",
        "from_state",
        "to_state",
        "created_at",
    }


@pytest.mark.parametrize("caller", ["as_admin", "as_tech", "as_client"])
def test_history_is_readable_by_participants(request, ticket, caller):
    assert request.getfixturevalue(caller).get(history_url(ticket.pk)).status_code == 200


def test_history_is_404_for_non_participants(ticket):
    for role in (Role.CLIENT, Role.TECH):
        outsider = client_for(UserFactory(role=role))
        response = outsider.get(history_url(ticket.pk))
        assert response.status_code == 404
        assert response.json()["detail"] == "Ticket no encontrado."


def test_history_unknown_ticket_is_404(as_admin):
    assert as_admin.get(history_url(987654)).status_code == 404


# --- Attachments: upload -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "mime_type"),
    [
        (JPEG, "image/jpeg"),
        (PNG, "image/png"),
        (GIF, "image/gif"),
        (WEBP, "image/webp"),
        (MP4, "video/mp4"),
        (MOV, "video/quicktime"),
        (AVI, "video/x-msvideo"),
        (WMV, "video/x-ms-wmv"),
    ],
)
def test_assigned_technician_uploads_every_allowed_type(as_tech, ticket, tech_user, content, mime_type):
    # the name and declared type are deliberately wrong: only the bytes count
    response = upload(as_tech, ticket.pk, content, name="archivo.txt", content_type="text/plain")

    assert response.status_code == 201, response.json()
    attachment = TicketAttachment.objects.get(ticket=ticket)
    data = response.json()
    assert data["message"] == "Archivo adjuntado correctamente"
    assert data["attachment"] == {
        "id": attachment.pk,
        "filename": "archivo.txt",
        "mime_type": mime_type,
        "size": len(content),
        "url": f"http://testserver{download_url(ticket.pk, attachment.pk)}",
        "uploaded_by": data["attachment"]["uploaded_by"],
        "created_at": data["attachment"]["created_at"],
    }
    assert data["attachment"]["uploaded_by"]["document"] == tech_user.document
    assert attachment.file.name.startswith(f"tickets/{ticket.pk}/")
    assert not attachment.file.name.endswith(".txt")
    assert default_storage.exists(attachment.file.name)
    history = TicketHistory.objects.get(ticket=ticket)
    assert history.action == HistoryAction.ATTACHMENT_ADDED


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (b"%PDF-1.7\n" + b"0" * 100, "foto.jpg", "image/jpeg"),
        (b"MZ\x90\x00" + b"\x00" * 100, "video.mp4", "video/mp4"),
        (b"<?php echo 1; ?>" * 5, "imagen.png", "image/png"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "a.gif", "image/gif"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 40, "a.avi", "video/x-msvideo"),
        (b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00" + b"\x00" * 40, "a.mp4", "video/mp4"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00" + b"\x00" * 40, "a.mov", "video/quicktime"),
        (b"\xff\xd8", "tiny.jpg", "image/jpeg"),
    ],
)
def test_bytes_that_are_not_an_allowed_type_are_refused_whatever_the_name(
    as_admin, ticket, content, name, content_type
):
    response = upload(as_admin, ticket.pk, content, name=name, content_type=content_type)

    assert response.status_code == 400
    assert response.json()["file"] == [
        "Tipo de archivo no permitido: solo imágenes (JPEG, PNG, GIF, WebP) o videos (MP4, MOV, AVI, WMV)."
    ]
    assert not TicketAttachment.objects.exists()
    assert not TicketHistory.objects.exists()


def test_files_over_20_mb_are_refused(as_admin, ticket, settings):
    content = JPEG + b"\x00" * (MAX_UPLOAD_SIZE + 1 - len(JPEG))

    response = upload(as_admin, ticket.pk, content)

    assert response.status_code == 400
    assert response.json()["file"] == ["El archivo supera el tamaño máximo de 20 MB."]
    assert not TicketAttachment.objects.exists()


def test_a_file_of_exactly_20_mb_is_accepted(as_admin, ticket):
    # a video (stored as sent) whose media data runs to the last of its 20 MB
    head = mp4_head_of_size(MAX_UPLOAD_SIZE)
    content = head + b"\x00" * (MAX_UPLOAD_SIZE - len(head))

    response = upload(as_admin, ticket.pk, content, name="grande.mp4")

    assert response.status_code == 201
    assert response.json()["attachment"]["size"] == MAX_UPLOAD_SIZE


def test_missing_or_empty_file_is_400(as_admin, ticket):
    missing = as_admin.post(attachments_url(ticket.pk), {}, format="multipart")
    empty = upload(as_admin, ticket.pk, b"")

    assert missing.status_code == 400
    assert "file" in missing.json()
    assert empty.status_code == 400
    assert "file" in empty.json()


def test_client_cannot_upload_and_outsiders_get_404(as_client, ticket):
    outsider_tech = client_for(UserFactory(role=Role.TECH))

    assert upload(as_client, ticket.pk, JPEG).status_code == 403
    assert upload(outsider_tech, ticket.pk, JPEG).status_code == 404
    assert not TicketAttachment.objects.exists()


def test_final_tickets_take_no_attachments(as_admin):
    final = TicketFactory(estado=estado("canceled"))

    response = upload(as_admin, final.pk, JPEG)

    assert response.status_code == 409
    assert not TicketAttachment.objects.exists()
    assert not default_storage.exists(f"tickets/{final.pk}")


# --- Attachments: list and download --------------------------------------------------------


def test_participants_list_attachments(as_admin, as_client, ticket):
    upload(as_admin, ticket.pk, PNG, name="a.png")
    upload(as_admin, ticket.pk, GIF, name="b.gif")

    response = as_client.get(attachments_url(ticket.pk))

    assert response.status_code == 200
    data = response.json()
    assert (data["message"], data["ticket_id"], data["total_attachments"]) == ("Adjuntos del ticket", ticket.pk, 2)
    assert [row["filename"] for row in data["attachments"]] == ["a.png", "b.gif"]


def test_participants_download_the_stored_bytes(as_admin, as_client, as_tech, ticket):
    attachment_id = upload(as_admin, ticket.pk, PNG, name="evidencia.png").json()["attachment"]["id"]

    for caller in (as_admin, as_client, as_tech):
        response = caller.get(download_url(ticket.pk, attachment_id))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PNG
        assert response["Content-Type"] == "image/png"
        # served under the stored random name with the sniffed extension, never the client's
        assert re.fullmatch(r'attachment; filename="[0-9a-f]{32}\.png"', response["Content-Disposition"])


def test_another_clients_attachment_is_not_downloadable(as_admin, ticket):
    attachment_id = upload(as_admin, ticket.pk, JPEG).json()["attachment"]["id"]
    other_client_user = UserFactory(role=Role.CLIENT)
    other_client = client_for(other_client_user)
    other_tech = client_for(UserFactory(role=Role.TECH))
    other_ticket = TicketFactory(cliente=other_client_user)

    assert other_client.get(download_url(ticket.pk, attachment_id)).status_code == 404
    assert other_tech.get(download_url(ticket.pk, attachment_id)).status_code == 404
    assert other_client.get(attachments_url(ticket.pk)).status_code == 404
    # an attachment id reached through a ticket it does not belong to
    assert as_admin.get(download_url(other_ticket.pk, attachment_id)).status_code == 404


def test_download_of_a_vanished_file_is_404(as_admin, ticket):
    attachment_id = upload(as_admin, ticket.pk, JPEG).json()["attachment"]["id"]
    default_storage.delete(TicketAttachment.objects.get(pk=attachment_id).file.name)

    assert as_admin.get(download_url(ticket.pk, attachment_id)).status_code == 404
