"""Isolation in the tenant portal: another resident's tickets, devices, notifications and
attachments are the same 404 (or 422 as a ticket's device) as missing ones; another
apartment's data never shows. Bad input is a 4xx, never a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import client_for
from tests.factories import DeviceFactory, DoormanFactory, TenantFactory, TicketFactory, estado
from tests.tenants.conftest import make_notification, tenant_path
from tests.tickets.conftest import PNG
from tickets.models import HistoryAction, Ticket, TicketHistory

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign_ticket(other_tenant):
    """A ticket of another resident, with an attachment, opened through the portal."""
    device = DeviceFactory(owners=[other_tenant])
    response = client_for(other_tenant.user).post(
        tenant_path("tickets"),
        {
            "device_id": device.pk,
            "category": "Plomería",
            "title": "Fuga",
            "description": "Gotea el lavamanos.",
            "attachments[]": [SimpleUploadedFile("fuga.png", PNG, content_type="image/png")],
        },
        format="multipart",
    )
    assert response.status_code == 201
    return Ticket.objects.get(pk=response.json()["ticket"]["id"])


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("get", ""), ("get", "/attachments"), ("post", "/cancel"), ("get", "/"), ("post", "/cancel/")],
)
def test_another_tenants_ticket_is_404(as_tenant, foreign_ticket, method, suffix):
    # when a tenant reaches for another resident's ticket
    response = getattr(as_tenant, method)(tenant_path(f"tickets/{foreign_ticket.pk}{suffix}"))

    # then it does not exist for them, and nothing changed
    assert response.status_code == 404
    assert response.json() == {"error": "Not Found", "message": "Ticket not found."}
    foreign_ticket.refresh_from_db()
    assert foreign_ticket.estado.codigo == "open"
    assert not TicketHistory.objects.filter(ticket=foreign_ticket, action=HistoryAction.CANCELED).exists()


def test_a_flatmates_tickets_are_not_listed(as_tenant, tenant, apartment):
    # given a ticket of a flatmate (same apartment, other user) and one of the tenant
    flatmate = TenantFactory(apartment=apartment)
    TicketFactory(cliente=flatmate.user)
    own = TicketFactory(cliente=tenant.user)

    response = as_tenant.get(tenant_path("tickets"))

    assert [row["id"] for row in response.json()["tickets"]] == [own.pk]


@pytest.mark.parametrize("relation", ["owned_by_other", "shared_by_other_with_third", "unrelated"])
def test_another_tenants_device_cannot_be_used_for_a_ticket(as_tenant, tenant, other_tenant, relation):
    # given a device the tenant neither owns nor shares
    if relation == "owned_by_other":
        device = DeviceFactory(owners=[other_tenant])
    elif relation == "shared_by_other_with_third":
        device = DeviceFactory(owners=[other_tenant], shared_with=[TenantFactory()])
    else:
        device = DeviceFactory()

    # when it is used as the ticket's device
    response = as_tenant.post(
        tenant_path("tickets"),
        {"device_id": device.pk, "category": "x", "title": "x", "description": "x"},
        format="multipart",
    )

    # then the device id is invalid (as if it did not exist) and no ticket is opened
    assert response.status_code == 422
    assert response.json()["errors"] == {"device_id": ["The selected device id is invalid."]}
    assert not Ticket.objects.filter(cliente=tenant.user).exists()


def test_another_tenants_devices_are_not_listed(as_tenant, tenant, other_tenant):
    mine = DeviceFactory(owners=[tenant])
    DeviceFactory(owners=[other_tenant])
    DeviceFactory(owners=[other_tenant], shared_with=[TenantFactory()])

    body = as_tenant.get(tenant_path("devices")).json()

    assert [device["id"] for device in body["own_devices"]] == [mine.pk]
    assert body["shared_devices"] == []


def test_another_tenants_notification_is_404(as_tenant, tenant, other_tenant):
    # given a notification of another resident
    foreign = make_notification(other_tenant.user)
    mine = make_notification(tenant.user)

    # when the tenant lists and tries to read it
    listed = as_tenant.get(tenant_path("notifications")).json()["notifications"]
    response = as_tenant.post(tenant_path(f"notifications/{foreign.pk}/read"))

    # then it is not theirs to see or touch
    assert [row["id"] for row in listed] == [mine.pk]
    assert response.status_code == 404
    assert response.json() == {"error": "Not Found", "message": "Notification not found."}
    foreign.refresh_from_db()
    assert foreign.fecha_lectura is None


def test_mark_all_read_touches_only_the_tenants_notifications(as_tenant, tenant, other_tenant):
    foreign = make_notification(other_tenant.user)
    make_notification(tenant.user)

    response = as_tenant.post(tenant_path("notifications/mark-all-read"))

    assert response.json()["updated"] == 1
    foreign.refresh_from_db()
    assert foreign.fecha_lectura is None


def test_another_tenants_attachment_is_reachable_only_with_its_signature(as_tenant, foreign_ticket, other_tenant):
    # given another resident's attachment
    attachment = foreign_ticket.attachments.get()

    # then the tenant cannot get its URL from the portal...
    assert as_tenant.get(tenant_path(f"tickets/{foreign_ticket.pk}")).status_code == 404
    assert as_tenant.get(tenant_path(f"tickets/{foreign_ticket.pk}/attachments")).status_code == 404
    # ...nor download it through the staff endpoint, nor guess a signature
    assert as_tenant.get(f"/api/tickets/{foreign_ticket.pk}/attachments/{attachment.pk}/download/").status_code == 404
    owner_url = (
        client_for(other_tenant.user)
        .get(tenant_path(f"tickets/{foreign_ticket.pk}/attachments"))
        .json()["attachments"][0]["url"]
    )
    signature = owner_url.split("sig=")[1]
    forged = signature[:-2] + ("AA" if not signature.endswith("AA") else "BB")
    assert as_tenant.get(f"/api/files/attachments/{attachment.pk}", {"sig": forged}).status_code == 404
    # while the owner's link (and only a correctly signed one) serves it
    assert as_tenant.get(f"/api/files/attachments/{attachment.pk}", {"sig": signature}).status_code == 200


def test_another_apartments_data_never_shows(as_tenant, tenant, building, other_tenant):
    # given another building with its own doormen, owner and residents
    other_building = other_tenant.apartment.building
    DoormanFactory(building=other_building)
    TenantFactory(apartment=other_tenant.apartment)
    DoormanFactory(building=building)

    # when the tenant reads their property
    apartment = as_tenant.get(tenant_path("apartment")).json()["apartment"]
    building_body = as_tenant.get(tenant_path("building")).json()["building"]
    doormen = as_tenant.get(tenant_path("doormen")).json()["doormen"]
    owner = as_tenant.get(tenant_path("owner")).json()["owner"]
    me = as_tenant.get(tenant_path("me")).json()["tenant"]

    # then only their own apartment and building appear
    assert apartment["id"] == tenant.apartment_id
    assert apartment["other_tenants"] == []
    assert building_body["id"] == me["apartment"]["building"]["id"] == building.pk != other_building.pk
    assert owner["id"] == building.owner_id != other_building.owner_id
    assert {row["id"] for row in doormen} == set(building.doormen.values_list("pk", flat=True))


# --- Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "tickets/99999999999999999999999"),
        ("get", "tickets/9223372036854775808/attachments"),
        ("post", "tickets/99999999999999999999999/cancel"),
        ("post", "notifications/99999999999999999999999/read"),
        ("post", "notifications/0/read"),
        ("get", "tickets/-1"),
        ("get", "tickets/abc"),
        ("get", "tickets/1%00"),
    ],
)
def test_bad_ids_are_404(as_tenant, method, path):
    response = getattr(as_tenant, method)(tenant_path(path))

    assert response.status_code == 404
    assert set(response.json()) == {"error", "message"}


@pytest.mark.parametrize(
    "params",
    [{"status": "\x00"}, {"limit": "-1"}, {"offset": "1e99"}, {"page": "0"}, {"page_size": "x" * 5000}],
)
def test_bad_query_parameters_are_422(as_tenant, params):
    for path in ("tickets", "notifications"):
        response = as_tenant.get(tenant_path(path), params)
        if path == "notifications" and "status" in params:
            assert response.status_code == 200  # no such filter there: ignored
            continue
        assert response.status_code == 422, (path, params)
        assert response.json()["message"] == "The given data was invalid."


@pytest.mark.parametrize(
    ("path", "body", "content_type"),
    [
        ("change-password", "{broken", "application/json"),
        ("change-password", "\x00\x01", "application/octet-stream"),
        ("tickets", "--boundary\r\nbroken", "multipart/form-data; boundary=boundary"),
        ("tickets", "--x", "multipart/form-data"),
        ("tickets/1/cancel", "[1, 2]", "application/json"),
        ("change-password", '["a"]', "application/json"),
    ],
)
def test_malformed_bodies_are_4xx_with_a_message(as_tenant, tenant, path, body, content_type):
    TicketFactory(cliente=tenant.user, estado=estado("open"))

    response = as_tenant.generic("POST", tenant_path(path), body, content_type=content_type)

    assert 400 <= response.status_code < 500
    assert "message" in response.json()


@pytest.mark.parametrize("excess", ["files", "fields", "bytes"])
def test_bodies_over_the_request_limits_are_400_with_a_message(as_tenant, device, excess):
    # given a body beyond Django's limits (100 files, 1000 fields, 2.5 MB of non-file data)
    if excess == "files":
        body = {"device_id": device.pk, "attachments[]": [SimpleUploadedFile(f"{i}.png", PNG) for i in range(101)]}
    elif excess == "fields":
        body = {f"field{i}": "x" for i in range(1001)}
    else:
        body = {"description": "x" * 3_000_000}

    # when it is posted
    response = as_tenant.post(tenant_path("tickets"), body, format="multipart")

    # then it is refused in the portal's shape and nothing is created
    assert response.status_code == 400
    assert response.json() == {
        "error": "Bad Request",
        "message": "The request is too large or malformed (too many fields or files, or too much data).",
    }
    assert not Ticket.objects.exists()
