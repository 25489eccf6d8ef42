"""Security round two (issue 17), findings 5-8: hostile input that was a 500 or was stored as
sent. Each test sends the request a client would send and checks status, body and what was stored."""

import io
import logging
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image
from rest_framework.test import APIClient

from tests.conftest import client_for
from tests.factories import DeviceFactory, TenantFactory, TicketAttachmentFactory, TicketFactory, UserFactory
from tests.media_files import animated_gif, avi, image_bytes, mov, mp4, wmv
from tickets.models import Ticket, TicketAttachment
from users.models import Role

pytestmark = pytest.mark.django_db

# --- Finding 5: deeply nested JSON -------------------------------------------------------------

NESTED_2KB = b"[" * 1000 + b"]" * 1000
STAFF_TOO_DEEP = {"detail": "JSON inválido: el cuerpo está anidado a más de 64 niveles."}
TENANT_TOO_DEEP_MESSAGE = "JSON parse error - the body is nested deeper than 64 levels."


def nested(depth: int) -> bytes:
    """`{"email": [[...]]}`: an object holding arrays, `depth` containers in all."""
    return b'{"email": ' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"


def is_tenant(path: str) -> bool:
    return path.startswith("/api/tenant/") or path == "/api/tenant"


def write_operations(schema_document: dict) -> list[tuple[str, str]]:
    """Every POST/PUT/PATCH of both APIs, path parameters filled with an id."""
    operations = []
    for path, item in schema_document["paths"].items():
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        operations += [(method.upper(), concrete) for method in ("post", "put", "patch") if method in item]
    return operations


@pytest.fixture
def malformed_tenant_keys(db) -> set[str]:
    """The keys of the tenant API's answer to a malformed JSON body (the shape to match)."""
    response = APIClient().post("/api/tenant/login", b'{"email": ', content_type="application/json")
    assert response.status_code == 400
    return set(response.json())


@pytest.mark.parametrize(
    "path",
    ["/api/users/auth/login/", "/api/users/auth/refresh/", "/api/tenant/login", "/api/tenant/reset-password-request"],
)
def test_a_deeply_nested_body_to_a_login_is_a_400_without_an_error_log(path, caplog, malformed_tenant_keys):
    # given 2 KB of nested arrays (RecursionError in the parser or the e-mail throttle before)
    caplog.set_level(logging.WARNING)

    # when
    response = APIClient().post(path, NESTED_2KB, content_type="application/json")

    # then a 400 in the API's own shape for a malformed body, and nothing logged as an error
    assert response.status_code == 400
    if is_tenant(path):
        assert set(response.json()) == malformed_tenant_keys
        assert response.json()["message"] == TENANT_TOO_DEEP_MESSAGE
    else:
        assert response.json() == STAFF_TOO_DEEP
    assert [record for record in caplog.records if record.levelno >= logging.ERROR] == []


def test_every_write_operation_refuses_a_deeply_nested_body(schema_document, malformed_tenant_keys, caplog):
    # given signed-in callers of both APIs (so that the views would parse the body)
    admin = client_for(UserFactory(role=Role.ADMIN))
    resident = client_for(TenantFactory().user)
    operations = write_operations(schema_document)
    assert len(operations) >= 39
    caplog.set_level(logging.WARNING)

    # when each operation gets the nested body
    wrong = {}
    for method, path in operations:
        client = resident if is_tenant(path) else admin
        response = getattr(client, method.lower())(path, NESTED_2KB, content_type="application/json")
        body = response.json()
        if is_tenant(path):
            right = set(body) == malformed_tenant_keys and body["message"] == TENANT_TOO_DEEP_MESSAGE
        else:
            right = body == STAFF_TOO_DEEP
        if response.status_code != 400 or not right:
            wrong[f"{method} {path}"] = (response.status_code, body)

    # then every one is the 400, and nothing was logged as an error
    assert wrong == {}
    assert [record for record in caplog.records if record.levelno >= logging.ERROR] == []


def test_a_body_nested_64_deep_is_still_parsed(db):
    # when a login body nests exactly 64 containers
    response = APIClient().post("/api/users/auth/login/", nested(64), content_type="application/json")

    # then the serializer judged it (the field is not a string), not the depth check
    assert response.status_code == 400
    assert "email" in response.json()
    assert response.json() != STAFF_TOO_DEEP


def test_one_level_more_is_refused(db):
    response = APIClient().post("/api/users/auth/login/", nested(65), content_type="application/json")

    assert (response.status_code, response.json()) == (400, STAFF_TOO_DEEP)


@pytest.mark.parametrize(
    ("body", "depth"),
    [
        (b'{"a": "[[[[[[[[[["}', 1),  # brackets inside a string do not count
        (b'{"a": "\\"[[[[[[[[[["}', 1),  # nor after an escaped quote
        (b'[[[{"a": "\\\\"}, [[]]]]]', 5),  # an escaped backslash ends the escape
        (b"[[[[[[", 6),  # unclosed brackets count (the parser recurses into them)
    ],
)
def test_the_depth_scan_skips_strings_and_escapes(body, depth):
    from tickethelp.json_depth import json_depth_exceeds

    assert json_depth_exceeds(body, depth - 1)
    assert not json_depth_exceeds(body, depth)


def test_the_depth_limit_is_a_setting(settings):
    # given a stricter limit
    settings.MAX_JSON_DEPTH = 3

    # when
    response = APIClient().post("/api/users/auth/login/", nested(4), content_type="application/json")

    # then
    assert (response.status_code, response.json()) == (
        400,
        {"detail": "JSON inválido: el cuerpo está anidado a más de 3 niveles."},
    )


# --- Finding 6: dates the database cannot hold ---------------------------------------------------

OFFSET_ERROR = "La zona horaria debe estar entre -14:00 y +14:00."
RANGE_ERROR = "La fecha debe estar entre los años 1 y 9999."
USER_LISTS = ["/api/users/", "/api/admins/", "/api/technicians/", "/api/clients/"]
# (path, parameter) for every date filter of the staff API.
DATE_FILTERS = [
    ("/api/tickets/", "fecha_desde"),
    ("/api/tickets/", "fecha_hasta"),
    ("/api/tickets/consulta/", "fecha_desde"),
    ("/api/tickets/consulta/", "fecha_hasta"),
    *[(path, name) for path in USER_LISTS for name in ("joined_from", "joined_to")],
]
BAD_MOMENTS = [
    ("2020-01-01T00:00:00+19:28", OFFSET_ERROR),
    ("2020-01-01T00:00:00-14:01", OFFSET_ERROR),
    ("0001-01-01T00:00:00+05:00", RANGE_ERROR),  # year 0 in UTC
    ("9999-12-31T23:00:00-05:00", RANGE_ERROR),  # year 10000 in UTC
]
REPORTS = [
    "/api/reports/stats/general-stats/",
    "/api/reports/stats/distribucion-estados/",
    "/api/reports/stats/tiempo-resolucion/",
    "/api/reports/stats/flujo-tickets/",
    "/api/reports/stats/tickets-portal/",
]


@pytest.mark.parametrize(("path", "parameter"), DATE_FILTERS)
@pytest.mark.parametrize(("value", "error"), BAD_MOMENTS)
def test_a_date_filter_the_database_cannot_hold_is_a_400_naming_it(as_admin, path, parameter, value, error):
    # when (a DataError 500 before for the offset)
    response = as_admin.get(path, {parameter: value})

    # then
    assert (response.status_code, response.json()) == (400, {parameter: [error]})


@pytest.mark.parametrize("path", ["/api/tickets/", "/api/tickets/consulta/"])
def test_the_last_day_as_an_inclusive_end_is_a_400_not_an_overflow(as_admin, path):
    # when the end date is the last day Python has (its next midnight overflowed before)
    response = as_admin.get(path, {"fecha_hasta": "9999-12-31"})

    # then
    assert (response.status_code, response.json()) == (400, {"fecha_hasta": [RANGE_ERROR]})


@pytest.mark.parametrize(("path", "parameter"), DATE_FILTERS)
def test_extreme_but_real_offsets_still_filter(as_admin, path, parameter):
    for value in ("2020-01-01T00:00:00+14:00", "2020-01-01T00:00:00-12:00", "2020-01-01"):
        response = as_admin.get(path, {parameter: value})

        assert response.status_code == 200, (value, response.json())


def test_a_client_filtering_their_own_tickets_gets_the_400_too(as_client):
    response = as_client.get("/api/tickets/consulta/", {"fecha_hasta": "2020-01-01T00:00:00+19:28"})

    assert (response.status_code, response.json()) == (400, {"fecha_hasta": [OFFSET_ERROR]})


@pytest.mark.parametrize("path", REPORTS)
@pytest.mark.parametrize("parameter", ["from", "to"])
def test_report_ranges_refuse_the_last_day(as_admin, path, parameter):
    # when (the day after `to` overflowed before: a 500)
    query = {"from": "2020-01-01", "to": "9999-12-31"} if parameter == "to" else {"from": "9999-12-31"}
    response = as_admin.get(path, query)

    # then
    assert (response.status_code, response.json()) == (400, {parameter: [RANGE_ERROR]})


def test_a_ticket_dated_with_an_impossible_offset_is_a_400(as_admin, client_user):
    # given
    body = {"cliente": client_user.document, "titulo": "Pantalla", "descripcion": "Rota"}

    # when
    response = as_admin.post("/api/tickets/", {**body, "fecha": "2020-01-01T00:00:00+19:28"}, format="json")

    # then
    assert (response.status_code, response.json()) == (400, {"fecha": [OFFSET_ERROR]})


# --- Finding 7: signed attachment links die with the access they were issued under ------------

NOT_FOUND = {"detail": "No encontrado."}


@pytest.fixture
def resident_attachment(db, settings, tmp_path):
    """A resident's ticket with a stored attachment, and the resident's portal client."""
    settings.MEDIA_ROOT = tmp_path / "media"
    tenant = TenantFactory()
    ticket = TicketFactory(cliente=tenant.user, device=DeviceFactory(owners=[tenant]))
    stored = default_storage.save(f"tickets/{ticket.pk}/evidencia.png", ContentFile(b"stored bytes"))
    attachment = TicketAttachmentFactory(ticket=ticket, file=stored, size=12)
    return tenant, ticket, attachment


def portal_link(tenant, ticket) -> str:
    """The attachment link the portal hands the resident (path and query)."""
    response = client_for(tenant.user).get(f"/api/tenant/tickets/{ticket.pk}/attachments")
    assert response.status_code == 200
    url = urlparse(response.json()["attachments"][0]["url"])
    return f"{url.path}?{url.query}"


def fetch(link: str):
    return APIClient().get(link)


def test_a_fresh_link_still_streams_the_file(resident_attachment):
    # given
    tenant, ticket, _ = resident_attachment

    # when
    response = fetch(portal_link(tenant, ticket))

    # then
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"stored bytes"


def test_a_link_dies_when_its_resident_is_deactivated(resident_attachment, as_admin):
    # given a link issued while the resident was active
    tenant, ticket, _ = resident_attachment
    link = portal_link(tenant, ticket)

    # when an admin deactivates the resident
    deactivated = as_admin.post(f"/api/users/deactivate/{tenant.user.document}")
    response = fetch(link)

    # then the link is the documented 404
    assert deactivated.status_code == 200
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_a_link_dies_when_the_ticket_moves_to_another_client(resident_attachment):
    # given
    tenant, ticket, _ = resident_attachment
    link = portal_link(tenant, ticket)

    # when the ticket now belongs to someone else
    Ticket.objects.filter(pk=ticket.pk).update(cliente=UserFactory(role=Role.CLIENT))
    response = fetch(link)

    # then
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_a_link_issued_to_one_user_does_not_work_as_anothers(resident_attachment):
    # given the resident's link and another user (an admin, who could read the ticket)
    tenant, ticket, _ = resident_attachment
    link = portal_link(tenant, ticket)
    other = UserFactory(role=Role.ADMIN)
    signature = parse_qs(urlparse(link).query)["sig"][0]
    holder, rest = signature.split(":", 1)
    assert holder == str(tenant.user.pk)

    # when the signature is presented as the other user's
    response = fetch(link.replace(f"sig={signature}", f"sig={other.pk}:{rest}"))

    # then
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


# --- Finding 8: uploads are checked whole and stored clean ---------------------------------------

CORRUPT_IMAGE = "La imagen está dañada o incompleta: no se pudo leer entera."
CORRUPT_VIDEO = "El video está dañado, incompleto o lleva datos ajenos al video: su estructura no es válida."
TENANT_CORRUPT = "is damaged or incomplete, or carries data that is not part of the image or video."
PAYLOAD = b"<?php system($_GET['c']); ?><html><script>alert(document.domain)</script></html>"
STORED_NAME = re.compile(r"tickets/\d+/[0-9a-f]{32}\.(jpg|png|gif|webp|mp4|mov|avi|wmv)")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture
def open_ticket(db, media):
    return TicketFactory(tecnico=UserFactory(role=Role.TECH))


def staff_upload(ticket, content: bytes, name: str = "foto.jpg"):
    client = client_for(ticket.tecnico)
    file = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(f"/api/tickets/{ticket.pk}/attachments/", {"file": file}, format="multipart")


def stored_bytes(attachment: TicketAttachment) -> bytes:
    with attachment.file.open("rb") as handle:
        return handle.read()


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def gps_exif(orientation: int = 1) -> Image.Exif:
    """EXIF as a phone writes it: an orientation and the GPS position where the photo was taken."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (4.0, 36.0, 35.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (74.0, 4.0, 12.0)
    return exif


def test_a_jpeg_followed_by_html_and_php_is_stored_without_them(open_ticket):
    # given a real JPEG with a script appended after its end marker
    content = image_bytes("JPEG") + PAYLOAD

    # when
    response = staff_upload(open_ticket, content)

    # then the stored file is the picture alone: it decodes and ends at its end marker
    assert response.status_code == 201
    attachment = TicketAttachment.objects.get()
    data = stored_bytes(attachment)
    assert decoded(data).format == "JPEG"
    assert data.endswith(b"\xff\xd9")
    assert b"<?php" not in data
    assert b"<script>" not in data
    assert (attachment.mime_type, attachment.size) == ("image/jpeg", len(data))
    assert response.json()["attachment"]["size"] == len(data)


def test_a_gif_js_polyglot_loses_its_script(open_ticket):
    # given a GIF whose width bytes open a JS comment ("/*" = 10799 px) and whose tail closes
    # it and runs a script: valid JavaScript and a valid GIF at once
    gif = image_bytes("GIF", size=(0x2A2F, 1), mode="L")
    assert gif[6:8] == b"/*"
    content = gif + b"*/=alert(document.domain);//"

    # when
    response = staff_upload(open_ticket, content, name="avatar.gif")

    # then what is stored ends with the GIF trailer: no script after it
    assert response.status_code == 201
    data = stored_bytes(TicketAttachment.objects.get())
    assert decoded(data).size == (0x2A2F, 1)
    assert data.endswith(b";")
    assert b"alert" not in data


def test_a_script_in_a_gif_comment_is_dropped(open_ticket):
    content = image_bytes("GIF", comment=b"<script>alert(1)</script>")

    response = staff_upload(open_ticket, content, name="a.gif")

    assert response.status_code == 201
    data = stored_bytes(TicketAttachment.objects.get())
    assert b"<script>" not in data
    assert "comment" not in decoded(data).info


@pytest.mark.parametrize(
    "content",
    [
        image_bytes("JPEG")[:10],  # the header alone
        image_bytes("JPEG", size=(64, 64))[:-200],  # cut in the middle of the picture data
        image_bytes("PNG", size=(64, 64))[:-30],  # a PNG without its last chunks
    ],
    ids=["jpeg-10-bytes", "jpeg-cut", "png-cut"],
)
def test_a_truncated_image_is_refused_naming_the_field(open_ticket, media, content):
    # when
    response = staff_upload(open_ticket, content)

    # then
    assert response.status_code == 400
    assert response.json()["file"] == [CORRUPT_IMAGE]
    assert not TicketAttachment.objects.exists()
    assert not [path for path in media.rglob("*") if path.is_file()]


def test_a_truncated_jpeg_in_the_portal_is_a_422_naming_the_attachment(media):
    # given a resident, their device, and a JPEG of 10 bytes next to a good picture
    tenant = TenantFactory()
    device = DeviceFactory(owners=[tenant])
    files = [
        SimpleUploadedFile("bien.png", image_bytes("PNG"), content_type="image/png"),
        SimpleUploadedFile("foto.jpg", image_bytes("JPEG")[:10], content_type="image/jpeg"),
    ]
    body = {"device_id": device.pk, "category": "Hardware", "title": "Pantalla", "description": "Rota"}

    # when
    response = client_for(tenant.user).post("/api/tenant/tickets", {**body, "attachments[]": files}, format="multipart")

    # then
    assert response.status_code == 422
    assert response.json()["errors"] == {"attachments": [f"The attachment #2 (foto.jpg) {TENANT_CORRUPT}"]}
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("pillow_format", "mime_type"), [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")]
)
def test_exif_gps_is_removed_and_the_orientation_applied(open_ticket, pillow_format, mime_type):
    # given a 4x2 photo with the GPS position of the resident's home, to be shown turned 90°
    content = image_bytes(pillow_format, size=(4, 2), exif=gps_exif(orientation=6))
    assert decoded(content).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    # when
    response = staff_upload(open_ticket, content, name="casa.jpg")

    # then the stored picture has no EXIF at all, and is upright (2x4)
    assert response.status_code == 201
    attachment = TicketAttachment.objects.get()
    stored = decoded(stored_bytes(attachment))
    assert attachment.mime_type == mime_type
    assert stored.format == pillow_format
    assert dict(stored.getexif()) == {}
    assert "exif" not in stored.info
    assert stored.size == (2, 4)


def test_an_animated_gif_keeps_its_frames(open_ticket):
    response = staff_upload(open_ticket, animated_gif(frames=3), name="a.gif")

    assert response.status_code == 201
    stored = Image.open(io.BytesIO(stored_bytes(TicketAttachment.objects.get())))
    assert (stored.format, stored.n_frames) == ("GIF", 3)


@pytest.mark.parametrize(
    ("content", "limit"),
    [(image_bytes("PNG", size=(20, 20)), 399), (animated_gif(frames=3, size=(4, 3)), 35)],
    ids=["still", "animation"],
)
def test_an_image_over_the_pixel_limit_is_refused(open_ticket, settings, content, limit):
    # given a limit just under the picture's pixels (all frames together)
    settings.MAX_IMAGE_PIXELS = limit

    # when
    response = staff_upload(open_ticket, content, name="bomba.png")

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "image_too_large"
    assert not TicketAttachment.objects.exists()


def test_the_stored_name_has_the_sniffed_extension_never_the_clients(open_ticket):
    # given a PNG named and declared as an HTML page
    file = SimpleUploadedFile("evil.html", image_bytes("PNG"), content_type="text/html")

    # when it is uploaded and downloaded
    client = client_for(open_ticket.tecnico)
    created = client.post(f"/api/tickets/{open_ticket.pk}/attachments/", {"file": file}, format="multipart")
    attachment = TicketAttachment.objects.get()
    download = client.get(f"/api/tickets/{open_ticket.pk}/attachments/{attachment.pk}/download/")

    # then it is stored and served as what its bytes are; the client's name is only displayed
    assert created.status_code == 201
    assert STORED_NAME.fullmatch(attachment.file.name)
    assert attachment.file.name.endswith(".png")
    assert created.json()["attachment"]["filename"] == "evil.html"
    assert download["Content-Type"] == "image/png"
    stored_name = Path(attachment.file.name).name
    assert download["Content-Disposition"] == f'attachment; filename="{stored_name}"'


def test_the_signed_portal_link_serves_the_stored_name_too(resident_attachment):
    tenant, ticket, attachment = resident_attachment
    TicketAttachment.objects.filter(pk=attachment.pk).update(original_name="evil.html")

    response = fetch(portal_link(tenant, ticket))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'inline; filename="evidencia.png"'


VIDEOS = {
    "mp4": (mp4, "video/mp4"),
    "mov": (mov, "video/quicktime"),
    "avi": (avi, "video/x-msvideo"),
    "wmv": (wmv, "video/x-ms-wmv"),
}


@pytest.mark.parametrize("kind", sorted(VIDEOS))
def test_a_small_valid_video_is_accepted_as_sent(open_ticket, kind):
    # given a container whose boxes/chunks/objects tile the file exactly
    build, mime_type = VIDEOS[kind]
    content = build()

    # when
    response = staff_upload(open_ticket, content, name=f"clip.{kind}")

    # then it is stored byte for byte, under the sniffed extension
    assert response.status_code == 201
    attachment = TicketAttachment.objects.get()
    assert (attachment.mime_type, stored_bytes(attachment)) == (mime_type, content)
    assert attachment.file.name.endswith(f".{kind}")


@pytest.mark.parametrize("kind", sorted(VIDEOS))
def test_a_video_with_a_garbage_tail_is_refused(open_ticket, media, kind):
    # given a valid container with a page appended after it
    content = VIDEOS[kind][0]() + PAYLOAD

    # when
    response = staff_upload(open_ticket, content, name=f"clip.{kind}")

    # then
    assert response.status_code == 400
    assert response.json()["file"] == [CORRUPT_VIDEO]
    assert not TicketAttachment.objects.exists()


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00" + b"\x00" * 64,  # a header and zeros
        mp4()[:-10],  # the media data cut short
        mp4().replace(b"moov", b"free"),  # no movie box
        avi()[:-20],  # the index cut short
        wmv()[:100],  # the data object missing
    ],
    ids=["mp4-header-only", "mp4-cut", "mp4-no-moov", "avi-cut", "wmv-cut"],
)
def test_a_video_that_does_not_parse_is_refused(open_ticket, content):
    response = staff_upload(open_ticket, content, name="clip.mp4")

    assert response.status_code == 400
    assert response.json()["file"] == [CORRUPT_VIDEO]
