"""Tenant portal tickets: list (status filter, constant queries), create, detail, cancel, and
the one lifecycle shared with the service desk."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from notifications.models import Notification
from tenants.portal import selectors as portal_selectors
from tests.conftest import client_for
from tests.factories import DeviceFactory, TenantFactory, TicketFactory, TicketHistoryFactory, UserFactory, estado
from tests.tenants.conftest import tenant_path
from tests.tickets.conftest import PNG
from tickets.models import HistoryAction, StateChangeRequest, Ticket, TicketHistory
from users.models import Role, User

pytestmark = pytest.mark.django_db

TICKETS = tenant_path("tickets")


def ticket_body(device, **overrides) -> dict:
    body = {
        "device_id": device.pk,
        "category": "Hardware",
        "title": "El televisor no enciende",
        "description": "Desde esta mañana no responde al control.",
        "priority": "high",
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def create(client, device, **overrides):
    return client.post(TICKETS, ticket_body(device, **overrides), format="multipart")


def device_brief(device) -> dict:
    return {
        "id": device.pk,
        "name": device.name,
        "brand": device.brand,
        "model": device.model,
        "system": device.system,
        "device_type": device.device_type,
    }


def technician_body(user) -> dict:
    return {"id": user.pk, "name": user.get_full_name(), "email": user.email, "phone": user.number}


# --- List ------------------------------------------------------------------------------------------


def test_list_returns_only_the_tenants_tickets_in_the_documented_shape(as_tenant, tenant, device, technician):
    # given a ticket of the tenant with two history rows, and a ticket of someone else
    ticket = TicketFactory(
        cliente=tenant.user, tecnico=technician, device=device, category="Hardware", priority="urgent"
    )
    TicketHistoryFactory.create_batch(2, ticket=ticket)
    TicketFactory()

    # when the tenant lists their tickets
    response = as_tenant.get(TICKETS)

    # then only theirs comes back, as documented
    assert response.status_code == 200
    ticket.refresh_from_db()
    row = response.json()["tickets"][0]
    assert response.json()["total_tickets"] == 1
    assert len(response.json()["tickets"]) == 1
    assert row == {
        "id": ticket.pk,
        "code": ticket.code,
        "title": ticket.titulo,
        "description": ticket.descripcion,
        "category": "Hardware",
        "status": "open",
        "priority": "urgent",
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "device": device_brief(device),
        "technical": technician_body(technician),
        "histories_count": 2,
        "attachments": [],
    }


def test_a_ticket_without_device_or_technician_shows_nulls(as_tenant, tenant):
    TicketFactory(cliente=tenant.user, tecnico=None, device=None)

    row = as_tenant.get(TICKETS).json()["tickets"][0]

    assert (row["device"], row["technical"], row["histories_count"]) == (None, None, 0)


@pytest.mark.parametrize(
    ("status", "expected_states"),
    [
        ("all", {"open", "diagnosis", "in_repair", "finalized", "canceled"}),
        ("open", {"open"}),
        ("in_progress", {"diagnosis", "in_repair"}),
        ("resolved", {"finalized"}),
        ("cancelled", {"canceled"}),
        ("closed", set()),
    ],
)
def test_list_filters_by_portal_status(as_tenant, tenant, status, expected_states):
    # given one ticket in every state
    by_state = {
        codigo: TicketFactory(cliente=tenant.user, estado=estado(codigo)).pk
        for codigo in ("open", "diagnosis", "in_repair", "finalized", "canceled")
    }

    # when filtering by a portal status
    response = as_tenant.get(TICKETS, {"status": status})

    # then the states mapped to it come back
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["tickets"]} == {by_state[codigo] for codigo in expected_states}
    assert {row["status"] for row in response.json()["tickets"]} <= {status} | (
        {"open", "in_progress", "resolved", "cancelled"} if status == "all" else set()
    )


@pytest.mark.parametrize("status", ["pending", "OPEN", "\x00", "x" * 10_000])
def test_list_refuses_an_unknown_status(as_tenant, status):
    response = as_tenant.get(TICKETS, {"status": status})

    assert response.status_code == 422
    assert response.json()["message"] == "The given data was invalid."
    assert list(response.json()["errors"]) == ["status"]


def test_list_runs_the_same_queries_for_1_and_50_tickets(
    as_tenant, tenant, django_assert_max_num_queries, django_assert_num_queries
):
    # given tickets with devices, technicians, history and attachments
    from tests.factories import TicketAttachmentFactory

    def add(count):
        for _ in range(count):
            ticket = TicketFactory(cliente=tenant.user, device=DeviceFactory(owners=[tenant]))
            TicketHistoryFactory(ticket=ticket)
            TicketAttachmentFactory(ticket=ticket)

    add(1)
    with django_assert_max_num_queries(6) as captured:
        assert as_tenant.get(TICKETS).status_code == 200

    # when there are 50
    add(49)

    # then the same number of queries runs
    with django_assert_num_queries(len(captured)):
        response = as_tenant.get(TICKETS)
    assert len(response.json()["tickets"]) == 50
    assert all(row["histories_count"] == 1 and len(row["attachments"]) == 1 for row in response.json()["tickets"])


def test_an_empty_status_means_all(as_tenant, tenant):
    TicketFactory(cliente=tenant.user, estado=estado("canceled"))

    response = as_tenant.get(TICKETS + "?status=")

    assert response.status_code == 200
    assert response.json()["total_tickets"] == 1


def test_list_is_paginated_with_the_total(as_tenant, tenant):
    TicketFactory.create_batch(3, cliente=tenant.user)

    response = as_tenant.get(TICKETS, {"limit": 2, "offset": 0})

    assert response.status_code == 200
    assert (len(response.json()["tickets"]), response.json()["total_tickets"]) == (2, 3)
    assert as_tenant.get(TICKETS, {"page": "abc"}).status_code == 422


# --- Create ----------------------------------------------------------------------------------------


def test_create_opens_an_ordinary_ticket_assigned_to_the_least_busy_technician(
    as_tenant, tenant, device, technician, admin_user
):
    # given a busier technician besides the free one
    busy = UserFactory(role=Role.TECH)
    TicketFactory(tecnico=busy)

    # when the tenant opens a ticket about their device (no attachments)
    response = create(as_tenant, device)

    # then 201 with the ticket and the plain message
    assert response.status_code == 201
    body = response.json()
    assert body["message"] == "Ticket created successfully"
    ticket = Ticket.objects.get(pk=body["ticket"]["id"])
    assert body["ticket"] == {
        "id": ticket.pk,
        "code": ticket.code,
        "title": "El televisor no enciende",
        "description": "Desde esta mañana no responde al control.",
        "category": "Hardware",
        "status": "open",
        "priority": "high",
        "created_at": body["ticket"]["created_at"],
        "updated_at": body["ticket"]["updated_at"],
        "device": device_brief(device),
        "technical": technician_body(technician),
        "attachments": [],
    }
    # and it is an ordinary ticket of the desk
    assert (ticket.cliente, ticket.device, ticket.equipo, ticket.tecnico, ticket.administrador) == (
        tenant.user,
        device,
        device.name,
        technician,
        None,
    )
    assert ticket.estado.codigo == "open"
    assert list(ticket.history.values_list("action", "actor")) == [(HistoryAction.CREATED, tenant.user_id)]
    # the resident, the technician and every admin are notified
    recipients = set(Notification.objects.filter(ticket=ticket).values_list("usuario", flat=True))
    admins = set(User.objects.filter(role=Role.ADMIN, is_active=True).values_list("pk", flat=True))
    assert admin_user.pk in admins
    assert recipients == {tenant.user_id, technician.pk} | admins


def test_create_defaults_the_priority_to_medium_and_accepts_a_shared_device(as_tenant, tenant, other_tenant):
    shared = DeviceFactory(owners=[other_tenant], shared_with=[tenant])

    response = create(as_tenant, shared, priority=None)

    assert response.status_code == 201
    assert response.json()["ticket"]["priority"] == "medium"
    assert Ticket.objects.get(pk=response.json()["ticket"]["id"]).device == shared


@pytest.mark.parametrize("link", ["owned", "shared", "owned_and_shared"])
def test_create_with_an_image_finds_the_device_in_one_query_on_every_database(
    as_tenant, tenant, other_tenant, link, django_assert_num_queries
):
    # given a device the resident owns, is lent, or both (the same row twice on the links);
    # this runs on SQLite too (`make run`), where a UNION cut with .first() was a 500
    device = DeviceFactory(
        owners=[tenant] if link != "shared" else [other_tenant],
        shared_with=[tenant] if link != "owned" else [],
    )
    with django_assert_num_queries(1):
        assert portal_selectors.device_for_ticket(tenant=tenant, device_id=device.pk) == device

    # when the resident opens a ticket about it with a photo
    photo = SimpleUploadedFile("foto.png", PNG, content_type="image/png")
    response = as_tenant.post(TICKETS, {**ticket_body(device), "attachments[]": [photo]}, format="multipart")

    # then 201, the ticket is about that device and holds the photo
    assert response.status_code == 201, response.content[:300]
    assert response.json()["message"] == "Ticket created successfully with attachments"
    ticket = Ticket.objects.get(pk=response.json()["ticket"]["id"])
    assert (ticket.device, ticket.attachments.count()) == (device, 1)


def test_another_residents_device_is_not_found_in_one_query(tenant, other_tenant, django_assert_num_queries):
    foreign = DeviceFactory(owners=[other_tenant], shared_with=[TenantFactory()])

    with django_assert_num_queries(1):
        assert portal_selectors.device_for_ticket(tenant=tenant, device_id=foreign.pk) is None


def test_create_answers_with_a_trailing_slash_and_json_too(as_tenant, device):
    response = as_tenant.post(TICKETS + "/", ticket_body(device), format="json")

    assert response.status_code == 201


def test_create_requires_the_documented_fields(as_tenant):
    response = as_tenant.post(TICKETS, {}, format="multipart")

    assert response.status_code == 422
    assert response.json() == {
        "message": "The given data was invalid.",
        "errors": {
            "device_id": ["This field is required."],
            "category": ["This field is required."],
            "title": ["This field is required."],
            "description": ["This field is required."],
        },
    }
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("device_id", "abc"),
        ("device_id", "0"),
        ("device_id", "-4"),
        ("device_id", "99999999999999999999999999"),
        ("title", "x" * 256),
        ("title", "a\x00b"),
        ("title", "   "),
        ("description", "x" * 100_000),
        ("category", "c" * 51),
        ("priority", "critical"),
    ],
)
def test_create_refuses_bad_values_naming_the_field(as_tenant, device, field, value):
    response = create(as_tenant, device, **{field: value})

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    "body", [["a", "list"], {"device_id": {"a": 1}, "title": ["x"], "category": None, "description": 3.5}]
)
def test_create_refuses_wrong_json_types(as_tenant, body):
    response = as_tenant.post(TICKETS, body, format="json")

    assert response.status_code == 422
    assert response.json()["message"] == "The given data was invalid."
    assert not Ticket.objects.exists()


def test_create_refuses_unsupported_content_types(as_tenant):
    response = as_tenant.generic("POST", TICKETS, "device_id=1", content_type="text/plain")

    assert response.status_code == 415
    assert response.json()["error"] == "Unsupported Media Type"
    assert set(response.json()) == {"error", "message"}


def test_create_refuses_a_device_that_is_not_the_tenants(as_tenant, other_tenant):
    foreign = DeviceFactory(owners=[other_tenant])

    response = create(as_tenant, foreign)

    assert response.status_code == 422
    assert response.json() == {
        "message": "The given data was invalid.",
        "errors": {"device_id": ["The selected device id is invalid."]},
    }
    assert not Ticket.objects.exists()


# --- Detail ----------------------------------------------------------------------------------------


def test_detail_shows_device_technician_and_histories(as_tenant, tenant, device, technician, admin_user):
    # given a ticket with a system entry and an admin's entry in its history
    ticket = TicketFactory(cliente=tenant.user, tecnico=technician, device=device, estado=estado("diagnosis"))
    system_row = TicketHistoryFactory(ticket=ticket, actor=None, action="created", description="Creado.")
    admin_row = TicketHistoryFactory(
        ticket=ticket, actor=admin_user, action="technician_changed", description="Técnico cambiado."
    )

    # when the tenant opens it
    response = as_tenant.get(tenant_path(f"tickets/{ticket.pk}"))

    # then the documented detail comes back
    assert response.status_code == 200
    body = response.json()["ticket"]
    assert body["status"] == "in_progress"
    assert body["device"] == {**device_brief(device), "ubicacion": "Sala"}
    assert body["technical"] == technician_body(technician)
    assert body["histories"] == [
        {
            "id": system_row.pk,
            "action": "created",
            "description": "Creado.",
            "user_name": "System",
            "created_at": body["histories"][0]["created_at"],
        },
        {
            "id": admin_row.pk,
            "action": "technician_changed",
            "description": "Técnico cambiado.",
            "user_name": admin_user.get_full_name(),
            "created_at": body["histories"][1]["created_at"],
        },
    ]
    assert set(body) == {
        "id",
        "code",
        "title",
        "description",
        "category",
        "status",
        "priority",
        "created_at",
        "updated_at",
        "device",
        "technical",
        "histories",
        "attachments",
        "expected_resolution_at",
    }
    assert body["expected_resolution_at"] is None  # a ticket without service-level clocks


@pytest.mark.parametrize("ticket_id", ["999999", "99999999999999999999999"])
def test_detail_of_a_missing_ticket_is_404(as_tenant, ticket_id):
    response = as_tenant.get(tenant_path(f"tickets/{ticket_id}"))

    assert response.status_code == 404
    assert response.json() == {"error": "Not Found", "message": "Ticket not found."}


# --- Cancel ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("codigo", ["open", "diagnosis"])
def test_cancel_an_early_ticket(as_tenant, tenant, technician, codigo):
    ticket = TicketFactory(cliente=tenant.user, tecnico=technician, estado=estado(codigo))

    response = as_tenant.post(tenant_path(f"tickets/{ticket.pk}/cancel"), {"reason": "Ya funciona"}, format="json")

    assert response.status_code == 200
    assert response.json()["message"] == "Ticket cancelled successfully"
    assert response.json()["ticket"]["status"] == "cancelled"
    ticket.refresh_from_db()
    assert ticket.estado.codigo == "canceled"
    history = TicketHistory.objects.get(ticket=ticket, action=HistoryAction.CANCELED)
    assert (history.actor, history.description) == (tenant.user, "Ticket cancelado. Motivo: Ya funciona")
    assert response.json()["ticket"]["histories"][-1]["action"] == "canceled"


@pytest.mark.parametrize(
    ("codigo", "message"),
    [
        ("in_repair", "Only open tickets or tickets in diagnosis can be cancelled."),
        ("finalized", "The ticket is already closed and cannot be cancelled."),
        ("canceled", "The ticket is already closed and cannot be cancelled."),
    ],
)
def test_cancel_refuses_later_states(as_tenant, tenant, codigo, message):
    ticket = TicketFactory(cliente=tenant.user, estado=estado(codigo))

    response = as_tenant.post(tenant_path(f"tickets/{ticket.pk}/cancel"))

    assert response.status_code == 409
    assert response.json() == {"error": "Conflict", "message": message}
    ticket.refresh_from_db()
    assert ticket.estado.codigo == codigo
    assert not TicketHistory.objects.filter(ticket=ticket, action=HistoryAction.CANCELED).exists()


def test_cancel_refuses_an_oversized_reason(as_tenant, tenant):
    ticket = TicketFactory(cliente=tenant.user)

    response = as_tenant.post(tenant_path(f"tickets/{ticket.pk}/cancel"), {"reason": "x" * 2001}, format="json")

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["reason"]
    ticket.refresh_from_db()
    assert ticket.estado.codigo == "open"


# --- One lifecycle with the service desk -----------------------------------------------------------


def test_a_portal_ticket_moves_through_the_staff_workflow(as_tenant, tenant, device, technician, as_admin):
    # given a ticket opened from the portal
    ticket_id = create(as_tenant, device).json()["ticket"]["id"]
    as_tech = client_for(technician)

    def portal_view() -> dict:
        return as_tenant.get(tenant_path(f"tickets/{ticket_id}")).json()["ticket"]

    # then it is in the admins' queue, with its client and device name
    staff_list = as_admin.get("/api/tickets/").json()
    row = next(row for row in staff_list["tickets"] if row["id"] == ticket_id)
    assert row["cliente"] == tenant.user.document
    assert row["tecnico"] == technician.document
    assert row["equipo"] == device.name

    # when the assigned technician moves it to diagnosis
    moved = as_tech.put(f"/api/tickets/change-state/{ticket_id}/", {"to_state": 2, "reason": "Revisión"}, format="json")
    assert moved.status_code == 200, moved.json()
    # then the tenant sees it in progress, with the change in its history
    assert portal_view()["status"] == "in_progress"
    assert as_tenant.get(TICKETS, {"status": "in_progress"}).json()["total_tickets"] == 1

    # when the technician asks to finalize it, it stays in progress until an admin approves
    requested = as_tech.put(f"/api/tickets/change-state/{ticket_id}/", {"to_state": 4}, format="json")
    assert requested.json()["status"] == "pending_approval"
    assert portal_view()["status"] == "in_progress"
    approved = as_admin.put(
        f"/api/tickets/approve-state/{requested.json()['request_id']}/", {"action": "approve"}, format="json"
    )
    assert approved.status_code == 200, approved.json()

    # then the tenant sees it resolved, and the whole story in its history
    final = portal_view()
    assert final["status"] == "resolved"
    assert [entry["action"] for entry in final["histories"]] == [
        "created",
        "state_changed",
        "state_change_requested",
        "state_change_approved",
    ]
    assert [entry["user_name"] for entry in final["histories"]] == [
        tenant.name,
        technician.get_full_name(),
        technician.get_full_name(),
        as_admin_user_name(requested),
    ]
    assert StateChangeRequest.objects.get(ticket_id=ticket_id).status == "approved"
    # and the resident was notified of the change of state and of the approval
    kinds = set(
        Notification.objects.filter(ticket_id=ticket_id, usuario=tenant.user).values_list("tipo__codigo", flat=True)
    )
    assert {"ticket_creado", "estado_cambiado", "ticket_finalizado"} <= kinds
    assert as_tenant.get(TICKETS, {"status": "resolved"}).json()["total_tickets"] == 1


def as_admin_user_name(requested) -> str:
    decided_by = StateChangeRequest.objects.select_related("decided_by").get(pk=requested.json()["request_id"])
    return decided_by.decided_by.get_full_name()
