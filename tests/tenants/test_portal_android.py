"""POST /api/tenant/tickets/android: the Android app's create, JSON with base64 attachments
(REAL-CLIENTS.md §2). The same checks, limits and answers as the multipart create; malformed
base64 is a 422 naming the item; the 20 MB limit is on the decoded bytes."""

import json
from base64 import b64encode
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image

from tenants.portal import views as portal_views
from tests.tenants.conftest import tenant_path
from tests.tickets.conftest import JPEG, MP4, PNG
from tickethelp import base64_uploads
from tickethelp.base64_uploads import MalformedBase64, decoded_size
from tickethelp.uploads import MAX_UPLOAD_SIZE
from tickets.models import HistoryAction, Ticket, TicketAttachment, TicketHistory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

ANDROID = tenant_path("tickets/android")
INVALID = "The given data was invalid."


def encoded(content: bytes) -> str:
    return b64encode(content).decode()


def data_url(content: bytes, mime: str) -> str:
    return f"data:{mime};base64,{encoded(content)}"


def item(data, name="foto.jpg", mime="image/jpeg", size=None) -> dict:
    return {"name": name, "type": mime, "data": data, "size": size or 1}


def android_body(device, attachments=(), **overrides) -> dict:
    return {
        "device_id": device.pk,
        "category": "Hardware",
        "title": "Pantalla rota",
        "description": "Se ve una franja negra.",
        "priority": "high",
        "attachments_base64": list(attachments),
        **overrides,
    }


def post(client, body):
    return client.post(ANDROID, body, format="json")


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def assert_nothing_created(settings):
    assert not Ticket.objects.exists()
    assert not TicketAttachment.objects.exists()
    assert not TicketHistory.objects.exists()
    assert stored_files(settings) == []


# --- Accepted --------------------------------------------------------------------------------------


def test_data_urls_and_plain_base64_create_the_ticket_like_the_multipart_route(as_tenant, tenant, device):
    # given a JPEG as a data URL, a PNG as plain base64 and an MP4 as a bare string
    attachments = [
        item(data_url(JPEG, "image/jpeg"), name="foto.jpg"),
        item(encoded(PNG), name="pantalla.png", mime="application/octet-stream"),
        data_url(MP4, "video/mp4"),
    ]

    # when the app opens a ticket with them
    response = post(as_tenant, android_body(device, attachments))

    # then 201 in the multipart create's shape, the files typed by their bytes
    assert response.status_code == 201
    body = response.json()
    assert body["message"] == "Ticket created successfully with attachments"
    ticket = Ticket.objects.get(pk=body["ticket"]["id"])
    assert (ticket.cliente, ticket.device, ticket.titulo, ticket.priority) == (
        tenant.user,
        device,
        "Pantalla rota",
        "high",
    )
    rows = list(ticket.attachments.order_by("pk").values_list("original_name", "mime_type"))
    assert rows == [("foto.jpg", "image/jpeg"), ("pantalla.png", "image/png"), ("attachment-3", "video/mp4")]
    assert [a["mime_type"] for a in body["ticket"]["attachments"]] == ["image/jpeg", "image/png", "video/mp4"]
    assert set(ticket.history.values_list("action", flat=True)) == {
        HistoryAction.CREATED,
        HistoryAction.ATTACHMENT_ADDED,
    }


def test_images_are_reencoded_like_multipart_uploads(as_tenant, device):
    # given a JPEG carrying a trailing payload after its image data
    content = JPEG + b"<?php system($_GET['c']); ?>"

    response = post(as_tenant, android_body(device, [item(data_url(content, "image/jpeg"))]))

    # then what is stored is the clean re-encoding, not the bytes sent
    assert response.status_code == 201
    attachment = TicketAttachment.objects.get()
    with attachment.file.open("rb") as handle:
        stored = handle.read()
    assert b"<?php" not in stored
    with Image.open(attachment.file.path) as image:
        assert image.format == "JPEG"


def test_without_attachments_the_plain_message_is_answered(as_tenant, device):
    body = android_body(device)
    del body["attachments_base64"]

    response = post(as_tenant, body)

    assert response.status_code == 201
    assert response.json()["message"] == "Ticket created successfully"
    assert response.json()["ticket"]["attachments"] == []


def test_the_route_answers_with_a_trailing_slash(as_tenant, device):
    response = as_tenant.post(ANDROID + "/", android_body(device), format="json")

    assert response.status_code == 201


# --- Refused: nothing at all is created ------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("no-es-base64!!!!", "it holds characters that are not base64"),
        ("QU DRA==", "it holds characters that are not base64"),
        ("QUJDRA=", "its length is not a multiple of 4"),
        ("QQ==QUJD", "padding may only end the data"),
        ("QUJDñA==", "it holds characters that are not base64"),
        ("data:image/png,QUJD", "a data URL must be of the form data:<type>;base64,<data>"),
    ],
)
def test_malformed_base64_is_a_422_naming_the_attachment(as_tenant, device, settings, data, reason):
    # given a valid first attachment and a malformed second one
    attachments = [item(data_url(PNG, "image/png"), name="ok.png"), item(data, name="mala.jpg")]

    response = post(as_tenant, android_body(device, attachments))

    assert response.status_code == 422
    assert response.json() == {
        "message": INVALID,
        "errors": {"attachments_base64.1": [f"The attachment #2 (mala.jpg) is not valid base64: {reason}."]},
    }
    assert_nothing_created(settings)


@pytest.mark.parametrize("data", [None, 12, ["QUJD"], {"data": "QUJD"}])
def test_data_that_is_not_a_string_is_refused(as_tenant, device, settings, data):
    response = post(as_tenant, android_body(device, [item(data, name="x.png")]))

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "attachments_base64.0": ["The attachment #1 (x.png) must carry its base64 data as a string."]
    }
    assert_nothing_created(settings)


@pytest.mark.parametrize("value", ["QUJD", {"data": "QUJD"}, 3])
def test_attachments_base64_must_be_a_list(as_tenant, device, settings, value):
    response = post(as_tenant, android_body(device, attachments_base64=value))

    assert response.status_code == 422
    assert response.json()["errors"] == {"attachments_base64": ["Expected a list of attachments."]}
    assert_nothing_created(settings)


def test_a_sixth_attachment_is_refused_before_decoding(as_tenant, device, settings, monkeypatch):
    monkeypatch.setattr(portal_views, "decode_base64_upload", lambda *a, **k: pytest.fail("decoded"))

    response = post(as_tenant, android_body(device, [item(encoded(PNG))] * 6))

    assert response.status_code == 422
    assert response.json()["errors"] == {"attachments_base64": ["The attachments may not have more than 5 files."]}
    assert_nothing_created(settings)


def test_a_file_over_20_mb_decoded_is_refused_without_decoding_it(as_tenant, device, settings, monkeypatch):
    # given base64 text that decodes to 20 MB + 1 byte (known from its length alone)
    data = "A" * ((MAX_UPLOAD_SIZE // 3 + 1) * 4)
    assert decoded_size(data) == MAX_UPLOAD_SIZE + 1
    monkeypatch.setattr(base64_uploads, "base64", SimpleNamespace(b64decode=lambda *a, **k: pytest.fail("decoded")))

    response = post(as_tenant, android_body(device, [item(data, name="enorme.jpg")]))

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "attachments_base64.0": ["The attachment #1 (enorme.jpg) must not be greater than 20 MB."]
    }
    assert_nothing_created(settings)


def test_an_empty_attachment_is_refused(as_tenant, device, settings):
    response = post(as_tenant, android_body(device, [item("data:image/png;base64,", name="vacio.png")]))

    assert response.status_code == 422
    assert response.json()["errors"] == {"attachments_base64.0": ["The attachment #1 (vacio.png) is empty."]}
    assert_nothing_created(settings)


def test_a_renamed_executable_is_refused_by_the_content_checks(as_tenant, device, settings):
    executable = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
    attachments = [item(encoded(PNG), name="ok.png"), item(data_url(executable, "image/jpeg"), name="foto.jpg")]

    response = post(as_tenant, android_body(device, attachments))

    assert response.status_code == 422
    assert response.json() == {
        "message": INVALID,
        "errors": {
            "attachments_base64": [
                "The attachment #2 (foto.jpg) must be an image (jpeg, png, gif, webp) or a video (mp4, mov, avi, wmv)."
            ]
        },
    }
    assert_nothing_created(settings)


def test_the_fields_are_validated_like_the_multipart_create(as_tenant, settings):
    response = post(as_tenant, {"attachments_base64": []})

    assert response.status_code == 422
    assert response.json() == {
        "message": INVALID,
        "errors": {
            "device_id": ["This field is required."],
            "category": ["This field is required."],
            "title": ["This field is required."],
            "description": ["This field is required."],
        },
    }
    assert_nothing_created(settings)


def test_another_residents_device_is_refused(as_tenant, other_tenant, settings):
    from tests.factories import DeviceFactory

    foreign = DeviceFactory(owners=[other_tenant])

    response = post(as_tenant, android_body(foreign, [item(encoded(PNG))]))

    assert response.status_code == 422
    assert response.json()["errors"] == {"device_id": ["The selected device id is invalid."]}
    assert_nothing_created(settings)


@pytest.mark.parametrize("body", [b"[1, 2]", b'"text"'])
def test_a_body_that_is_not_an_object_is_refused(as_tenant, settings, body):
    response = as_tenant.post(ANDROID, body, content_type="application/json")

    assert response.status_code == 422
    assert response.json()["errors"] == {"non_field_errors": ["The body must be a JSON object."]}


def test_multipart_is_not_accepted_here(as_tenant, device):
    response = as_tenant.post(ANDROID, {"title": "x"}, format="multipart")

    assert response.status_code == 415
    assert set(response.json()) == {"error", "message"}


# --- The body cap: 4/3 of the multipart one ------------------------------------------------------


def test_the_body_cap_is_four_thirds_of_the_multipart_one(as_tenant, device, settings):
    # given a body cap of 3000 bytes and a JSON body of about 3500
    settings.MAX_REQUEST_BODY_SIZE = 3000
    body = android_body(device, description="x" * 3200)
    raw = json.dumps(body).encode()
    assert 3000 < len(raw) <= 4000

    # then the multipart route refuses that size, the base64 route takes it
    refused = as_tenant.post(tenant_path("tickets"), raw, content_type="application/json")
    accepted = as_tenant.post(ANDROID, raw, content_type="application/json")
    assert refused.status_code == 413
    assert accepted.status_code == 201

    # and past 4/3 of the cap the base64 route refuses it too, body unread
    too_big = json.dumps(android_body(device, description="x" * 4000)).encode()
    response = as_tenant.post(ANDROID, too_big, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {"error": "Payload Too Large", "message": response.json()["message"]}
    assert Ticket.objects.count() == 1


# --- The decoder -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "size"), [("", 0), ("QQ==", 1), ("QUI=", 2), ("QUJD", 3), ("QUJDRA==", 4), ("A" * 400, 300)]
)
def test_decoded_size_comes_from_the_length_and_padding(payload, size):
    assert decoded_size(payload) == size


@pytest.mark.parametrize("payload", ["Q", "QQ=", "QQ===", "Q===", "QQ==QQ=="])
def test_decoded_size_refuses_impossible_lengths_and_padding(payload):
    with pytest.raises(MalformedBase64):
        decoded_size(payload)


def test_a_large_file_is_decoded_in_chunks_to_a_temporary_file(settings):
    # given a payload larger than the in-memory threshold and several decode steps
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000
    content = bytes(range(256)) * 8192  # 2 MB
    upload = base64_uploads.decode_base64_upload("data:video/mp4;base64," + encoded(content), name="v.mp4")

    try:
        assert upload.size == len(content)
        assert hasattr(upload, "temporary_file_path")
        assert upload.read() == content
    finally:
        upload.close()
