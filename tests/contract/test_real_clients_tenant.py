"""The tenant API as the residents' mobile app reads it (REAL-CLIENTS.md §2): whole lists,
the document's "Error General" bodies, UTC `...ffffffZ` timestamps, and the keys the app
reads from attachments and notifications, at a constant number of queries."""

import re
from datetime import UTC, datetime

import pytest
from rest_framework.test import APIClient

from tenants.portal import hot_reads
from tests.conftest import client_for
from tests.factories import (
    TEST_PASSWORD,
    DeviceFactory,
    TenantFactory,
    TicketAttachmentFactory,
    TicketFactory,
    TicketHistoryFactory,
    UserFactory,
    estado,
)
from tests.query_counts import assert_constant
from tests.tenants.conftest import make_notification
from tickets.models import Ticket
from users.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def tenant(db):
    return TenantFactory(user__first_name="Ana", user__last_name="Residente")


@pytest.fixture
def as_tenant(tenant):
    return client_for(tenant.user)


# --- Errors: the document's "Error General" -------------------------------------------------------


def test_401_is_error_general():
    # when the app calls without a token, or with a garbage one
    anonymous = APIClient().get("/api/tenant/me")
    garbage = APIClient(HTTP_AUTHORIZATION="Bearer not.a.jwt").get("/api/tenant/tickets")

    # then both are {error, message}, the message Sanctum's
    for response in (anonymous, garbage):
        assert response.status_code == 401
        assert response.json() == {"error": "Unauthorized", "message": "Unauthenticated."}


def test_403_is_error_general():
    response = client_for(UserFactory(role=Role.TECH)).get("/api/tenant/tickets")

    assert response.status_code == 403
    assert response.json() == {"error": "Forbidden", "message": "This action is only available to tenants."}


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/api/tenant/tickets/999999", "Ticket not found."),
        ("/api/tenant/tickets/999999/attachments", "Ticket not found."),
        ("/api/tenant/does-not-exist", "Not found."),
        ("/api/tenant/tickets/abc", "Not found."),
        ("/api/tenant", "Not found."),
    ],
)
def test_404_is_error_general_for_missing_objects_and_unknown_paths(as_tenant, path, message):
    response = as_tenant.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "Not Found", "message": message}


def test_405_is_error_general(as_tenant):
    response = as_tenant.delete("/api/tenant/tickets")

    assert response.status_code == 405
    assert response.json() == {"error": "Method Not Allowed", "message": 'Method "DELETE" not allowed.'}


def test_409_is_error_general(as_tenant, tenant):
    # given a ticket already resolved
    ticket = TicketFactory(cliente=tenant.user, estado=estado("finalized"))

    # when the resident tries to cancel it
    response = as_tenant.post(f"/api/tenant/tickets/{ticket.pk}/cancel")

    # then
    assert response.status_code == 409
    assert response.json() == {
        "error": "Conflict",
        "message": "The ticket is already closed and cannot be cancelled.",
    }


def test_an_unexpected_error_is_a_500_in_error_general(as_tenant, monkeypatch):
    # given a bug below a tenant view
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(hot_reads, "tenant_tickets_page", broken)
    as_tenant.raise_request_exception = False

    # when the app lists its tickets
    response = as_tenant.get("/api/tenant/tickets")

    # then a JSON 500 in the portal's shape, with nothing of the exception in it
    assert response.status_code == 500
    assert response.json() == {"error": "Internal Server Error", "message": "Server Error"}


def test_the_staff_api_keeps_its_own_error_shapes(admin_user):
    client = client_for(admin_user)
    client.raise_request_exception = False

    assert client.get("/api/no-such-path/").json() == {"detail": "No encontrado."}
    assert APIClient().get("/api/tickets/").json().keys() == {"detail"}


# --- The whole ticket list ------------------------------------------------------------------------


def test_the_ticket_list_is_complete_without_paging(as_tenant, tenant):
    # given 60 tickets, more than a page
    TicketFactory.create_batch(60, cliente=tenant.user)

    # when the app asks for its tickets with no paging parameter
    response = as_tenant.get("/api/tenant/tickets")

    # then every one is there
    assert response.status_code == 200
    body = response.json()
    assert (len(body["tickets"]), body["total_tickets"]) == (60, 60)
    assert {ticket["id"] for ticket in body["tickets"]} == set(tenant.user.tickets_cliente.values_list("id", flat=True))


def test_the_complete_list_keeps_the_status_filter(as_tenant, tenant):
    TicketFactory.create_batch(55, cliente=tenant.user, estado=estado("open"))
    TicketFactory.create_batch(3, cliente=tenant.user, estado=estado("finalized"))

    response = as_tenant.get("/api/tenant/tickets?status=open")

    assert (len(response.json()["tickets"]), response.json()["total_tickets"]) == (55, 55)


def test_past_the_unpaged_limit_the_list_is_the_first_page(as_tenant, tenant, settings):
    # given a server that answers at most 55 rows unpaged, and 60 tickets
    settings.MAX_UNPAGED_RESULTS = 55
    TicketFactory.create_batch(60, cliente=tenant.user)

    # when the app asks without paging, and then with paging
    unpaged = as_tenant.get("/api/tenant/tickets").json()
    second = as_tenant.get("/api/tenant/tickets?page=2").json()

    # then the first page of 50 and the full count; the rest on the next page
    assert (len(unpaged["tickets"]), unpaged["total_tickets"]) == (50, 60)
    assert (len(second["tickets"]), second["total_tickets"]) == (10, 60)


# --- Timestamps: UTC, microseconds, "Z" -----------------------------------------------------------

UTC_Z = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")
# A whole second in UTC, written by the server in TIME_ZONE America/Bogota (-05:00) before.
MOMENT = datetime(2024, 1, 15, 10, 30, tzinfo=UTC)
DOCUMENTED = "2024-01-15T10:30:00.000000Z"


def _timestamps(value, path="") -> list[tuple[str, str]]:
    """(where, value) of every date-time key (`*_at`) in a JSON body that holds one."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("_at") and item is not None:
                found.append((f"{path}.{key}", item))
            else:
                found += _timestamps(item, f"{path}.{key}")
    elif isinstance(value, list):
        for position, item in enumerate(value):
            found += _timestamps(item, f"{path}[{position}]")
    return found


@pytest.fixture
def dated_ticket(tenant, settings):
    """A ticket of the resident whose every date is MOMENT: history, attachment, notification (read)."""
    settings.TIME_ZONE = "America/Bogota"
    technician = UserFactory(role=Role.TECH)
    ticket = TicketFactory(cliente=tenant.user, tecnico=technician, device=DeviceFactory(owners=[tenant]))
    Ticket.objects.filter(pk=ticket.pk).update(created_at=MOMENT, updated_at=MOMENT)
    TicketHistoryFactory(ticket=ticket, actor=technician, created_at=MOMENT)
    TicketAttachmentFactory(ticket=ticket, uploaded_by=technician, created_at=MOMENT)
    make_notification(tenant.user, ticket=ticket, fecha_creacion=MOMENT, fecha_lectura=MOMENT, estado="LEIDA")
    return ticket


def test_every_tenant_timestamp_is_utc_with_microseconds_and_z(api_client, as_tenant, tenant, dated_ticket):
    # given a resident whose ticket, history, attachment and notification all date from MOMENT
    notification = tenant.user.notifications.get()
    login = api_client.post("/api/tenant/login", {"email": tenant.user.email, "password": TEST_PASSWORD}, format="json")
    assert login.status_code == 200

    # when the app reads every endpoint (the lists through the row plans, the details through DRF)
    bodies = {
        "login": login.json(),
        "me": as_tenant.get("/api/tenant/me").json(),
        "devices": as_tenant.get("/api/tenant/devices").json(),
        "tickets": as_tenant.get("/api/tenant/tickets").json(),
        "detail": as_tenant.get(f"/api/tenant/tickets/{dated_ticket.pk}").json(),
        "attachments": as_tenant.get(f"/api/tenant/tickets/{dated_ticket.pk}/attachments").json(),
        "notifications": as_tenant.get("/api/tenant/notifications").json(),
        "read": as_tenant.post(f"/api/tenant/notifications/{notification.pk}/read").json(),
    }

    # then every date-time has the document's form, MOMENT as "2024-01-15T10:30:00.000000Z"
    found = {name: _timestamps(body) for name, body in bodies.items()}
    assert [
        (name, where, value) for name, pairs in found.items() for where, value in pairs if value != DOCUMENTED
    ] == []
    assert {name: len(pairs) for name, pairs in found.items()} == {
        "login": 0,
        "me": 0,
        "devices": 0,
        "tickets": 3,  # created_at, updated_at, the attachment's created_at
        "detail": 4,  # the same and the history row's
        "attachments": 2,  # created_at, uploaded_at
        "notifications": 2,  # read_at, created_at
        "read": 2,
    }


def test_a_new_ticket_and_a_cancelled_one_answer_z_timestamps(as_tenant, tenant):
    device = DeviceFactory(owners=[tenant])
    body = {"device_id": device.pk, "category": "Hardware", "title": "No enciende", "description": "Nada."}

    created = as_tenant.post("/api/tenant/tickets", body, format="multipart").json()["ticket"]
    cancelled = as_tenant.post(f"/api/tenant/tickets/{created['id']}/cancel").json()["ticket"]

    stamps = _timestamps(created) + _timestamps(cancelled)
    assert len(stamps) == 6  # created: created_at, updated_at; cancelled: the same, history "created" and "cancelled"
    assert [value for _, value in stamps if not UTC_Z.fullmatch(value)] == []


# --- Attachments and notifications as the app reads them ------------------------------------------


def test_attachments_answer_the_apps_keys(as_tenant, tenant):
    # given a ticket with a photo and a video
    ticket = TicketFactory(cliente=tenant.user)
    photo = TicketAttachmentFactory(
        ticket=ticket, uploaded_by=tenant.user, original_name="foto.jpg", mime_type="image/jpeg", size=1234
    )
    video = TicketAttachmentFactory(
        ticket=ticket, uploaded_by=tenant.user, original_name="video.mp4", mime_type="video/mp4", size=99
    )

    # when the app opens the attachments screen
    response = as_tenant.get(f"/api/tenant/tickets/{ticket.pk}/attachments")

    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["success"], body["ticket_id"], body["count"]) == (True, ticket.pk, 2)
    by_name = {row["original_name"]: row for row in body["attachments"]}
    for attachment, is_image in ((photo, True), (video, False)):
        row = by_name[attachment.original_name]
        assert row["file_name"] == attachment.file.name.rsplit("/", 1)[-1]
        assert row["file_path"] == attachment.file.name
        assert row["full_url"].startswith(f"http://testserver/api/files/attachments/{attachment.pk}?sig=")
        assert (row["mime_type"], row["file_size"]) == (attachment.mime_type, attachment.size)
        assert UTC_Z.fullmatch(row["uploaded_at"])
        assert (row["is_image"], row["is_video"]) == (is_image, not is_image)
        # today's keys stay
        assert (row["id"], row["filename"], row["path"], row["size"]) == (
            attachment.pk,
            attachment.original_name,
            attachment.file.name,
            attachment.size,
        )


def test_notifications_answer_the_apps_keys_and_counters(as_tenant, tenant):
    # given three notifications, one read, one about a ticket in diagnosis
    ticket = TicketFactory(cliente=tenant.user, estado=estado("diagnosis"), titulo="Sin imagen")
    make_notification(tenant.user)
    make_notification(tenant.user, fecha_lectura=datetime.now(UTC), estado="LEIDA")
    about_ticket = make_notification(tenant.user, ticket=ticket)

    # when the app reads a window of them
    response = as_tenant.get("/api/tenant/notifications", {"limit": 2, "offset": 0})

    # then the counters cover all of them, the window is what was asked
    assert response.status_code == 200
    body = response.json()
    assert (body["success"], body["unread_count"], body["total_count"]) == (True, 2, 3)
    assert (body["limit"], body["offset"], len(body["notifications"])) == (2, 0, 2)
    item = body["notifications"][0]
    assert item["id"] == about_ticket.pk
    assert {key: item[key] for key in ("notification_type", "is_read", "read_at", "ticket_id")} == {
        "notification_type": "estado_cambiado",
        "is_read": False,
        "read_at": None,
        "ticket_id": ticket.pk,
    }
    assert (item["ticket_code"], item["ticket_title"], item["ticket_status"]) == (
        ticket.code,
        "Sin imagen",
        "in_progress",
    )


def test_reading_notifications_answers_success(as_tenant, tenant):
    notification = make_notification(tenant.user)

    one = as_tenant.post(f"/api/tenant/notifications/{notification.pk}/read")
    every = as_tenant.post("/api/tenant/notifications/mark-all-read")

    assert (one.status_code, one.json()["success"], one.json()["notification"]["is_read"]) == (200, True, True)
    assert every.json() == {"success": True, "message": "All notifications marked as read", "updated": 0}


# --- Query counts: 1 row and 50 rows cost the same ------------------------------------------------


def test_the_complete_ticket_list_runs_constant_queries(as_tenant, tenant):
    def add(n):
        for _ in range(n):
            ticket = TicketFactory(cliente=tenant.user, tecnico=UserFactory(role=Role.TECH), device=DeviceFactory())
            TicketAttachmentFactory(ticket=ticket, uploaded_by=tenant.user)
            TicketHistoryFactory(ticket=ticket)

    response = assert_constant(as_tenant, "/api/tenant/tickets", add)

    assert len(response.json()["tickets"]) == 50


def test_the_attachments_run_constant_queries(as_tenant, tenant):
    ticket = TicketFactory(cliente=tenant.user)

    def add(n):
        TicketAttachmentFactory.create_batch(n, ticket=ticket, uploaded_by=tenant.user)

    response = assert_constant(as_tenant, f"/api/tenant/tickets/{ticket.pk}/attachments", add)

    assert response.json()["count"] == 50


def test_the_notifications_run_constant_queries(as_tenant, tenant):
    def add(n):
        for _ in range(n):
            ticket = TicketFactory(cliente=tenant.user, tecnico=UserFactory(role=Role.TECH), device=DeviceFactory())
            make_notification(tenant.user, ticket=ticket)

    response = assert_constant(as_tenant, "/api/tenant/notifications", add)

    assert (len(response.json()["notifications"]), response.json()["unread_count"]) == (50, 50)
