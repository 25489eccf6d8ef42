"""Every tenant portal read runs the same number of SQL queries for 1 and for 50 rows."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from notifications.models import Notification
from tests.factories import (
    DeviceFactory,
    DoormanFactory,
    TenantFactory,
    TicketAttachmentFactory,
    TicketFactory,
    TicketHistoryFactory,
    UserFactory,
    estado,
)
from tests.query_counts import assert_constant, assert_within_budget, assert_write_constant, count_write
from tests.tenants.conftest import make_notification, tenant_path
from tests.tickets.conftest import PNG
from users.models import Role

pytestmark = pytest.mark.django_db

# Portal status -> the first state of the cycle (one it covers, so that the single ticket of
# the first measurement is listed too) and how many of 50 tickets match. The five seeded
# states (tickets/migrations/0002_seed_estados.py) cycle, ten tickets each.
STATES = ["open", "diagnosis", "in_repair", "finalized", "canceled"]
STATUS_FILTERS = [
    ("all", "open", 50),
    ("open", "open", 10),
    ("in_progress", "diagnosis", 20),
    ("resolved", "finalized", 10),
    ("cancelled", "canceled", 10),
    ("closed", "open", 0),  # no seeded state is "closed": an empty list both times
]


def tickets_adder(tenant, first_state: str):
    """n tickets of the tenant, cycling through the states from `first_state`, each with a
    device, a technician, a history row by another user and an attachment."""
    made = []
    start = STATES.index(first_state)

    def add(n):
        for _ in range(n):
            ticket = TicketFactory(
                cliente=tenant.user,
                estado=estado(STATES[(start + len(made)) % len(STATES)]),
                device=DeviceFactory(owners=[tenant]),
            )
            TicketHistoryFactory(ticket=ticket, actor=UserFactory(role=Role.TECH))
            TicketAttachmentFactory(ticket=ticket, uploaded_by=UserFactory(role=Role.TECH))
            made.append(ticket)

    return add


@pytest.mark.parametrize(("status", "first_state", "matching"), STATUS_FILTERS)
def test_tickets_list_with_each_status(as_tenant, tenant, status, first_state, matching):
    add = tickets_adder(tenant, first_state)

    response = assert_constant(as_tenant, tenant_path(f"tickets?status={status}"), add)

    assert response.json()["total_tickets"] == matching
    assert len(response.json()["tickets"]) == matching


@pytest.fixture
def busy_ticket(tenant):
    """One ticket of the tenant, and a function giving it n more history rows (each by a
    different user) and n more attachments."""
    ticket = TicketFactory(cliente=tenant.user, device=DeviceFactory(owners=[tenant]))

    def add(n):
        for _ in range(n):
            TicketHistoryFactory(ticket=ticket, actor=UserFactory(role=Role.ADMIN))
            TicketAttachmentFactory(ticket=ticket, uploaded_by=UserFactory(role=Role.TECH))

    return ticket, add


def test_ticket_detail_with_histories(as_tenant, busy_ticket):
    ticket, add = busy_ticket

    response = assert_constant(as_tenant, tenant_path(f"tickets/{ticket.pk}"), add)

    body = response.json()
    ticket_body = body.get("ticket", body)
    assert (len(ticket_body["histories"]), len(ticket_body["attachments"])) == (50, 50)


def test_ticket_attachments(as_tenant, busy_ticket):
    ticket, add = busy_ticket

    response = assert_constant(as_tenant, tenant_path(f"tickets/{ticket.pk}/attachments"), add)

    assert len(response.json()["attachments"]) == 50


def test_devices(as_tenant, tenant):
    def add(n):
        for _ in range(n):
            DeviceFactory(owners=[tenant], shared_with=[TenantFactory()])
            DeviceFactory(owners=[TenantFactory(), TenantFactory()], shared_with=[tenant, TenantFactory()])

    response = assert_constant(as_tenant, tenant_path("devices"), add)

    assert (len(response.json()["own_devices"]), len(response.json()["shared_devices"])) == (50, 50)


def test_apartment_with_other_tenants(as_tenant, apartment):
    response = assert_constant(
        as_tenant, tenant_path("apartment"), lambda n: TenantFactory.create_batch(n, apartment=apartment)
    )

    assert len(response.json()["apartment"]["other_tenants"]) == 50


def test_doormen(as_tenant, building):
    response = assert_constant(
        as_tenant, tenant_path("doormen"), lambda n: DoormanFactory.create_batch(n, building=building)
    )

    assert len(response.json()["doormen"]) == 50


@pytest.mark.parametrize("path", ["me", "building", "owner"])
def test_profile_with_a_crowded_building(as_tenant, tenant, apartment, building, path):
    # neighbours, doormen, devices and tickets around the tenant do not change what these cost
    def add(n):
        for _ in range(n):
            TenantFactory(apartment=apartment)
            DoormanFactory(building=building)
            TicketFactory(cliente=tenant.user, device=DeviceFactory(owners=[tenant]))

    response = assert_constant(as_tenant, tenant_path(path), add)

    assert response.status_code == 200


def test_notifications(as_tenant, tenant):
    def add(n):
        for _ in range(n):
            make_notification(tenant.user, ticket=TicketFactory(cliente=tenant.user))

    response = assert_constant(as_tenant, tenant_path("notifications?page_size=50"), add)

    assert len(response.json()["notifications"]) == 50


# --- Write: a resident opens a ticket ---------------------------------------------------------


def ticket_body(device, files: int) -> dict:
    body = {
        "device_id": device.pk,
        "category": "Hardware",
        "title": "El televisor no enciende",
        "description": "Desde esta mañana no responde al control.",
        "priority": "high",
    }
    if files:
        body["attachments[]"] = [
            SimpleUploadedFile(f"foto-{n}.png", PNG, content_type="image/png") for n in range(files)
        ]
    return body


@pytest.fixture
def add_activity(tenant, device, technician, admin_user):
    """n more tickets of the resident and of the technician, with history and notifications."""

    def add(n):
        for _ in range(n):
            ticket = TicketFactory(administrador=admin_user, cliente=tenant.user, tecnico=technician, device=device)
            TicketHistoryFactory(ticket=ticket)
            make_notification(tenant.user, ticket=ticket)
            make_notification(technician, ticket=ticket)
            make_notification(admin_user, ticket=ticket)

    return add


@pytest.mark.parametrize("files", [0, 1], ids=["no-attachment", "one-attachment"])
def test_ticket_create_runs_the_same_queries_however_many_tickets_exist(
    as_tenant, tenant, device, technician, admin_user, add_activity, files
):
    def write():
        return count_write(lambda: as_tenant.post(tenant_path("tickets"), ticket_body(device, files), "multipart"), 201)

    measured = assert_write_constant(add_activity, write, "POST /api/tenant/tickets", budget=None)

    # the resident, the assigned technician and the admin were notified
    ticket_id = measured.response.json()["ticket"]["id"]
    notified = set(Notification.objects.filter(ticket_id=ticket_id).values_list("usuario_id", flat=True))
    assert notified == {tenant.user_id, technician.pk, admin_user.pk}
    assert len(measured.response.json()["ticket"]["attachments"]) == files


# The "< 10 queries" budget of issue 8 is for the staff writes (create, change state,
# approve). The portal's create does more on purpose: it loads the resident and checks the
# device is theirs, locks the technicians and picks the least busy one, fans out to every
# admin, and answers with the stored attachments: 12 statements, plus 2 per attached file
# (the file's row and its history entry). Kept exact so that any new query shows up here.
PORTAL_CREATE_QUERIES = 12
PORTAL_QUERIES_PER_FILE = 2


@pytest.mark.parametrize("files", [0, 1, 2], ids=["no-attachment", "one-attachment", "two-attachments"])
def test_ticket_create_stays_within_its_query_budget(as_tenant, device, add_activity, files):
    # given some history
    add_activity(5)

    # when the resident opens a ticket
    measured = count_write(lambda: as_tenant.post(tenant_path("tickets"), ticket_body(device, files), "multipart"), 201)

    # then the portal's budget holds, notification inserts aside
    assert_within_budget(
        measured,
        f"POST /api/tenant/tickets ({files} attachment(s))",
        budget=PORTAL_CREATE_QUERIES + PORTAL_QUERIES_PER_FILE * files + 1,
    )
