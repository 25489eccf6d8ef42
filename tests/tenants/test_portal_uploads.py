"""Tenant ticket attachments: content-validated, all-or-nothing with the ticket, stored through
Django's storage, and reachable only through the owner's endpoints or an expiring signed URL."""

import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.conftest import client_for
from tests.media_files import mp4_head_of_size
from tests.tenants.conftest import tenant_path
from tests.tickets.conftest import JPEG, MP4, PNG
from tickethelp.uploads import MAX_UPLOAD_SIZE
from tickets.models import HistoryAction, Ticket, TicketAttachment, TicketHistory

pytestmark = pytest.mark.django_db

TICKETS = tenant_path("tickets")
# A Windows executable and an ELF binary, renamed and declared as pictures.
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64


def upload(name: str, content: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def create_with_files(client, device, files, key="attachments[]"):
    body = {
        "device_id": device.pk,
        "category": "Hardware",
        "title": "Pantalla rota",
        "description": "Se ve una franja negra.",
        key: files,
    }
    return client.post(TICKETS, body, format="multipart")


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def download(url: str):
    """Fetch a signed URL as an anonymous client (the signature is the only credential)."""
    parsed = urlparse(url)
    return APIClient().get(parsed.path, {key: values[0] for key, values in parse_qs(parsed.query).items()})


def body_of(response) -> bytes:
    # Not response.close(): it would fire request_finished and close the test's connection.
    return b"".join(response.streaming_content)


def assert_nothing_created(settings):
    assert not Ticket.objects.exists()
    assert not TicketAttachment.objects.exists()
    assert not TicketHistory.objects.exists()
    assert stored_files(settings) == []


# --- Accepted files --------------------------------------------------------------------------------


def test_png_jpeg_and_mp4_are_stored_with_the_ticket(as_tenant, tenant, device, settings):
    # given a picture, a photo and a video whose declared names/types are not trusted
    files = [
        upload("pantalla.png", PNG, "image/png"),
        upload("foto.jpeg", JPEG, "application/octet-stream"),
        upload("video.bin", MP4, "video/mp4"),
    ]

    # when the tenant opens a ticket with them
    response = create_with_files(as_tenant, device, files)

    # then the ticket and its three attachments exist, typed by their bytes
    assert response.status_code == 201
    body = response.json()
    assert body["message"] == "Ticket created successfully with attachments"
    ticket = Ticket.objects.get(pk=body["ticket"]["id"])
    attachments = list(ticket.attachments.order_by("id"))
    assert [(a.original_name, a.mime_type, a.size, a.uploaded_by_id) for a in attachments] == [
        ("pantalla.png", "image/png", len(PNG), tenant.user_id),
        ("foto.jpeg", "image/jpeg", len(JPEG), tenant.user_id),
        ("video.bin", "video/mp4", len(MP4), tenant.user_id),
    ]
    # stored through Django's storage under random names with the sniffed extension
    for attachment, extension in zip(attachments, (".png", ".jpg", ".mp4"), strict=True):
        assert attachment.file.name.startswith(f"tickets/{ticket.pk}/")
        assert attachment.file.name.endswith(extension)
        assert default_storage.exists(attachment.file.name)
    # the response lists them as documented, `path` being the storage name
    assert [
        {key: row[key] for key in ("filename", "path", "mime_type", "size")} for row in body["ticket"]["attachments"]
    ] == [
        {"filename": a.original_name, "path": a.file.name, "mime_type": a.mime_type, "size": a.size}
        for a in attachments
    ]
    # and the history has the creation plus one row per file
    assert list(ticket.history.order_by("id").values_list("action", flat=True)) == [
        HistoryAction.CREATED,
        HistoryAction.ATTACHMENT_ADDED,
        HistoryAction.ATTACHMENT_ADDED,
        HistoryAction.ATTACHMENT_ADDED,
    ]


def test_the_answer_shows_the_stored_attachments_without_reading_them_back(as_tenant, device):
    # given two files
    files = [upload("uno.png", PNG, "image/png"), upload("dos.jpeg", JPEG, "image/jpeg")]

    # when the tenant opens a ticket with them
    with CaptureQueriesContext(connection) as queries:
        response = create_with_files(as_tenant, device, files)

    # then the answer lists both, in upload order, and no attachment was read from the database
    assert response.status_code == 201
    assert [row["filename"] for row in response.json()["ticket"]["attachments"]] == ["uno.png", "dos.jpeg"]
    reads = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT") and "ticketattachment" in q["sql"]
    ]
    assert reads == []


def test_signed_urls_stream_the_files(as_tenant, device):
    # given a ticket with a photo and a video
    response = create_with_files(
        as_tenant, device, [upload("a.png", PNG, "image/png"), upload("v.mp4", MP4, "video/mp4")]
    )
    rows = response.json()["ticket"]["attachments"]

    # when their URLs are fetched
    picture, video = download(rows[0]["url"]), download(rows[1]["url"])

    # then the bytes come back with their type, never cached by shared caches
    assert rows[0]["url"].startswith("http://testserver/api/files/attachments/")
    assert (picture.status_code, picture["Content-Type"], body_of(picture)) == (200, "image/png", PNG)
    assert (video.status_code, video["Content-Type"], body_of(video)) == (200, "video/mp4", MP4)
    assert picture["Cache-Control"] == "private, no-store"


def test_plain_attachments_key_works_too(as_tenant, device):
    response = create_with_files(as_tenant, device, [upload("a.png", PNG, "image/png")], key="attachments")

    assert response.status_code == 201
    assert len(response.json()["ticket"]["attachments"]) == 1


def test_a_file_of_exactly_20_mb_is_accepted(as_tenant, device):
    # a video (stored as sent) whose media data runs to the last of its 20 MB
    head = mp4_head_of_size(MAX_UPLOAD_SIZE)
    content = head + b"\x00" * (MAX_UPLOAD_SIZE - len(head))

    response = create_with_files(as_tenant, device, [upload("grande.mp4", content, "video/mp4")])

    assert response.status_code == 201
    assert response.json()["ticket"]["attachments"][0]["size"] == MAX_UPLOAD_SIZE


# --- Refused files: nothing at all is created -----------------------------------------------------


@pytest.mark.parametrize("content", [EXECUTABLE, ELF, b"<?php system($_GET['c']); ?>", b"%PDF-1.7\n"])
def test_a_renamed_executable_is_refused(as_tenant, device, settings, content):
    # given a non-media file named and declared as a JPEG, next to a valid picture
    files = [upload("ok.png", PNG, "image/png"), upload("foto.jpg", content, "image/jpeg")]

    # when it is attached
    response = create_with_files(as_tenant, device, files)

    # then the request is refused on `attachments`, naming the file, and nothing is created
    assert response.status_code == 422
    assert response.json() == {
        "message": "The given data was invalid.",
        "errors": {
            "attachments": [
                "The attachment #2 (foto.jpg) must be an image (jpeg, png, gif, webp) or a video (mp4, mov, avi, wmv)."
            ]
        },
    }
    assert_nothing_created(settings)


def test_a_sixth_file_is_refused(as_tenant, device, settings):
    files = [upload(f"f{i}.png", PNG, "image/png") for i in range(6)]

    response = create_with_files(as_tenant, device, files)

    assert response.status_code == 422
    assert response.json()["errors"] == {"attachments": ["The attachments may not have more than 5 files."]}
    assert_nothing_created(settings)


def test_five_files_are_accepted(as_tenant, device):
    files = [upload(f"f{i}.png", PNG, "image/png") for i in range(5)]

    response = create_with_files(as_tenant, device, files)

    assert response.status_code == 201
    assert len(response.json()["ticket"]["attachments"]) == 5


def test_a_file_over_20_mb_is_refused(as_tenant, device, settings):
    # given a valid JPEG of 20 MB + 1 byte (the parser spools it to a temporary file)
    content = JPEG + b"\x00" * (MAX_UPLOAD_SIZE + 1 - len(JPEG))

    # when it is attached
    response = create_with_files(as_tenant, device, [upload("enorme.jpg", content, "image/jpeg")])

    # then it is refused and nothing is created
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "attachments": ["The attachment #1 (enorme.jpg) must not be greater than 20 MB."]
    }
    assert_nothing_created(settings)


def test_an_empty_file_is_refused(as_tenant, device, settings):
    response = create_with_files(as_tenant, device, [upload("vacio.png", b"", "image/png")])

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["attachments"]
    assert_nothing_created(settings)


def test_text_instead_of_a_file_is_refused(as_tenant, device, settings):
    response = create_with_files(as_tenant, device, ["not a file"])

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["attachments"]
    assert_nothing_created(settings)


def test_a_storage_failure_rolls_everything_back(as_tenant, device, settings, monkeypatch):
    # given a storage that fails on the second file
    calls = {"count": 0}
    original_save = TicketAttachment.save

    def failing_save(self, *args, **kwargs):
        calls["count"] += 1
        if calls["count"] == 2:
            raise OSError("disk full")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(TicketAttachment, "save", failing_save)
    files = [upload("a.png", PNG, "image/png"), upload("b.png", PNG, "image/png")]

    # when the ticket is created, the error propagates (a real 500)...
    with pytest.raises(OSError, match="disk full"):
        create_with_files(as_tenant, device, files)

    # ...and neither rows nor the already written file survive
    assert_nothing_created(settings)


# --- Access: owner endpoints and signed URLs -------------------------------------------------------


@pytest.fixture
def attachment_row(as_tenant, device):
    response = create_with_files(as_tenant, device, [upload("evidencia.png", PNG, "image/png")])
    return response.json()["ticket"]["id"], response.json()["ticket"]["attachments"][0]


def test_the_owner_lists_a_tickets_attachments(as_tenant, attachment_row):
    ticket_id, row = attachment_row

    response = as_tenant.get(tenant_path(f"tickets/{ticket_id}/attachments"))

    # then the ticket's keys of the attachment, and the app's names for them (REAL-CLIENTS.md §2)
    assert response.status_code == 200
    body = response.json()
    assert (body["success"], body["ticket_id"], body["count"]) == (True, ticket_id, 1)
    [listed] = body["attachments"]
    assert set(row) == {"id", "filename", "path", "url", "mime_type", "size", "created_at"}
    links = ("url", "full_url")  # signed with the second they were issued in: compared by opening them
    assert {key: value for key, value in listed.items() if key not in links} == {
        **{key: value for key, value in row.items() if key not in links},
        "original_name": "evidencia.png",
        "file_name": Path(row["path"]).name,
        "file_path": row["path"],
        "file_size": row["size"],
        "uploaded_at": row["created_at"],
        "is_image": True,
        "is_video": False,
    }
    for key in links:
        assert listed[key].startswith(f"http://testserver/api/files/attachments/{row['id']}?sig=")
        assert body_of(APIClient().get(listed[key])) == PNG


def test_another_tenant_cannot_reach_the_attachments(as_other_tenant, other_tenant, attachment_row):
    ticket_id, row = attachment_row

    listed = as_other_tenant.get(tenant_path(f"tickets/{ticket_id}/attachments"))
    staff_download = client_for(other_tenant.user).get(f"/api/tickets/{ticket_id}/attachments/{row['id']}/download/")

    assert (listed.status_code, listed.json()) == (404, {"error": "Not Found", "message": "Ticket not found."})
    assert staff_download.status_code == 404


def test_the_owner_downloads_through_the_authorised_staff_endpoint_too(as_tenant, attachment_row):
    ticket_id, row = attachment_row

    response = as_tenant.get(f"/api/tickets/{ticket_id}/attachments/{row['id']}/download/")

    assert response.status_code == 200
    assert body_of(response) == PNG


def signed_query(url: str) -> tuple[str, str]:
    parsed = urlparse(url)
    return parsed.path, parse_qs(parsed.query)["sig"][0]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda sig: sig[:-1] + ("A" if sig[-1] != "A" else "B"),
        lambda sig: "0" + sig,
        lambda sig: "",
        lambda sig: sig + "\x00",
        lambda sig: "x" * 5000,
        lambda sig: sig.split(":")[1],
    ],
)
def test_a_tampered_signature_is_404(attachment_row, tamper):
    _, row = attachment_row
    path, sig = signed_query(row["url"])

    response = APIClient().get(path, {"sig": tamper(sig)})

    assert response.status_code == 404
    assert response.json() == {"detail": "No encontrado."}


def test_a_missing_signature_is_404(attachment_row):
    path, _ = signed_query(attachment_row[1]["url"])

    assert APIClient().get(path).status_code == 404
    assert APIClient().get(path + "/").status_code == 404


def test_a_signature_is_valid_for_its_attachment_only(as_tenant, device, attachment_row):
    # given the signature of one attachment and a second attachment
    _, first = attachment_row
    second = create_with_files(as_tenant, device, [upload("b.png", PNG, "image/png")]).json()["ticket"]
    _, sig = signed_query(first["url"])
    second_id = second["attachments"][0]["id"]

    # when that signature is presented for the other attachment
    response = APIClient().get(f"/api/files/attachments/{second_id}", {"sig": sig})

    # then it is refused
    assert response.status_code == 404


def test_an_expired_signature_is_404(as_tenant, attachment_row, monkeypatch, settings):
    # given a link issued longer ago than ATTACHMENT_URL_MAX_AGE_SECONDS
    settings.ATTACHMENT_URL_MAX_AGE_SECONDS = 60
    ticket_id, _ = attachment_row
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 61)
    old_url = as_tenant.get(tenant_path(f"tickets/{ticket_id}/attachments")).json()["attachments"][0]["url"]
    monkeypatch.setattr(time, "time", real_time)

    # when it is used now, it is refused; a freshly issued link works
    assert download(old_url).status_code == 404
    fresh_url = as_tenant.get(tenant_path(f"tickets/{ticket_id}/attachments")).json()["attachments"][0]["url"]
    fresh = download(fresh_url)
    assert fresh.status_code == 200
    assert body_of(fresh) == PNG


def test_a_signed_url_for_a_deleted_file_is_404(attachment_row):
    _, row = attachment_row
    default_storage.delete(row["path"])

    assert download(row["url"]).status_code == 404


class PresigningStorage(FileSystemStorage):
    """Stands in for django-storages' S3 storage with query-string auth (presigned URLs)."""

    querystring_auth = True

    def url(self, name, parameters=None, expire=None, http_method=None):
        return f"https://bucket.example.com/{name}?X-Amz-Expires={expire}&X-Amz-Signature=abc"


def test_object_storage_hands_out_its_own_presigned_urls(as_tenant, device, settings):
    # given a default storage that presigns its URLs
    settings.ATTACHMENT_URL_MAX_AGE_SECONDS = 900
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.PresigningStorage"},
    }

    # when a ticket with a file is created
    response = create_with_files(as_tenant, device, [upload("a.png", PNG, "image/png")])

    # then the attachment URL is the storage's presigned one, with the configured lifetime
    row = response.json()["ticket"]["attachments"][0]
    assert row["url"] == f"https://bucket.example.com/{row['path']}?X-Amz-Expires=900&X-Amz-Signature=abc"
