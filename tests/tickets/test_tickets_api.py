"""GET/POST /api/tickets/ and GET/POST /api/estados/: documented shapes, filters, errors."""

from datetime import UTC, datetime

import pytest
from rest_framework import serializers

from tests.factories import TicketFactory, UserFactory, estado
from tickets.models import HistoryAction, Ticket, TicketHistory
from users.models import Role

pytestmark = pytest.mark.django_db

TICKETS_URL = "/api/tickets/"
ESTADOS_URL = "/api/estados/"


def as_json_datetime(value) -> str:
    return serializers.DateTimeField().to_representation(value)


def user_brief(user) -> dict:
    return {
        "document": user.document,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "full_name": f"{user.first_name} {user.last_name}".strip(),
    }


def estado_brief(state) -> dict:
    return {
        "id": state.pk,
        "codigo": state.codigo,
        "nombre": state.nombre,
        "es_final": state.es_final,
        "portal_status": state.portal_status,
    }


# --- Estados -------------------------------------------------------------------------------


def test_estados_lists_the_seeded_catalog_with_stable_ids(as_admin):
    response = as_admin.get(ESTADOS_URL)

    assert response.status_code == 200
    assert [(row["id"], row["codigo"], row["es_final"], row["portal_status"]) for row in response.json()] == [
        (1, "open", False, "open"),
        (2, "diagnosis", False, "in_progress"),
        (3, "in_repair", False, "in_progress"),
        (4, "finalized", True, "resolved"),
        (5, "canceled", True, "cancelled"),
    ]
    assert response.json()[0] == {
        "id": 1,
        "codigo": "open",
        "nombre": "Abierto",
        "es_activo": True,
        "es_final": False,
        "portal_status": "open",
    }


def test_estados_post_creates_a_state_after_the_seeded_ids(as_admin):
    body = {"codigo": "closed", "nombre": "Cerrado", "es_final": True, "portal_status": "closed"}

    response = as_admin.post(ESTADOS_URL, body, format="json")

    assert response.status_code == 201
    data = response.json()
    assert data["id"] > 5
    assert data == {"id": data["id"], "es_activo": True, **body}
    assert estado("closed").es_final is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"codigo": "open", "nombre": "Otro", "portal_status": "open"}, "codigo"),
        ({"codigo": "otro", "nombre": "Abierto", "portal_status": "open"}, "nombre"),
        ({"codigo": "no valido!", "nombre": "X", "portal_status": "open"}, "codigo"),
        ({"codigo": "x", "nombre": "X", "portal_status": "archived"}, "portal_status"),
        ({"codigo": "x", "nombre": "X", "portal_status": "open", "es_final": "tal vez"}, "es_final"),
        ({"nombre": "X", "portal_status": "open"}, "codigo"),
    ],
)
def test_estados_post_rejects_bad_bodies_naming_the_field(as_admin, body, field):
    before = list(estado("open").__class__.objects.values_list("pk", flat=True))

    response = as_admin.post(ESTADOS_URL, body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert list(estado("open").__class__.objects.values_list("pk", flat=True)) == before


# --- List ------------------------------------------------------------------------------------


def test_list_returns_the_documented_envelope_with_users_by_document_and_details(as_admin, ticket):
    response = as_admin.get(TICKETS_URL)

    assert response.status_code == 200
    ticket.refresh_from_db()
    assert response.json() == {
        "message": "Lista de tickets",
        "total_tickets": 1,
        "tickets": [
            {
                "id": ticket.pk,
                "code": f"TK-{ticket.pk:06d}",
                "titulo": ticket.titulo,
                "descripcion": ticket.descripcion,
                "equipo": ticket.equipo,
                "fecha": as_json_datetime(ticket.fecha),
                "category": "hardware",
                "priority": "medium",
                "estado": estado("open").pk,
                "administrador": ticket.administrador.document,
                "tecnico": ticket.tecnico.document,
                "cliente": ticket.cliente.document,
                "creado_en": as_json_datetime(ticket.created_at),
                "actualizado_en": as_json_datetime(ticket.updated_at),
                "created_at": as_json_datetime(ticket.created_at),
                "updated_at": as_json_datetime(ticket.updated_at),
                "estado_detalle": estado_brief(estado("open")),
                "administrador_detalle": user_brief(ticket.administrador),
                "tecnico_detalle": user_brief(ticket.tecnico),
                "cliente_detalle": user_brief(ticket.cliente),
                # a ticket made without the services has no service-level clocks
                "sla": {
                    "first_response_due": None,
                    "resolution_due": None,
                    "approval_due": None,
                    "breached": [],
                    "paused": False,
                },
            }
        ],
    }


def test_list_is_paginated_and_total_counts_every_match(as_admin):
    TicketFactory.create_batch(5)

    page = as_admin.get(TICKETS_URL, {"page": 2, "page_size": 2}).json()
    window = as_admin.get(TICKETS_URL, {"limit": 3, "offset": 4}).json()

    assert page["total_tickets"] == 5
    assert len(page["tickets"]) == 2
    assert window["total_tickets"] == 5
    assert len(window["tickets"]) == 1


def test_list_is_newest_first(as_admin):
    old = TicketFactory(fecha=datetime(2025, 1, 1, tzinfo=UTC))
    new = TicketFactory(fecha=datetime(2025, 6, 1, tzinfo=UTC))

    ids = [row["id"] for row in as_admin.get(TICKETS_URL).json()["tickets"]]

    assert ids == [new.pk, old.pk]


def test_list_filters_by_state_technician_client_dates_and_text(as_admin):
    tech = UserFactory(role=Role.TECH)
    client = UserFactory(role=Role.CLIENT)
    mine = TicketFactory(
        tecnico=tech,
        cliente=client,
        estado=estado("diagnosis"),
        titulo="Impresora atascada",
        fecha=datetime(2025, 3, 10, 15, tzinfo=UTC),
        priority="high",
    )
    TicketFactory(titulo="Pantalla rota", fecha=datetime(2025, 5, 1, tzinfo=UTC))

    def ids(**params):
        response = as_admin.get(TICKETS_URL, params)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["tickets"]]

    assert ids(estado=2) == [mine.pk]
    assert ids(estado_codigo="diagnosis") == [mine.pk]
    assert ids(es_final="false") == ids()
    assert ids(tecnico=tech.document) == [mine.pk]
    assert ids(cliente=client.document) == [mine.pk]
    assert ids(priority="high") == [mine.pk]
    assert ids(fecha_desde="2025-03-01", fecha_hasta="2025-03-10") == [mine.pk]
    assert ids(fecha_desde="2025-03-10T16:00:00Z") == [ids()[0]]
    assert ids(search="impresora") == [mine.pk]
    assert ids(search=mine.code) == [mine.pk]
    assert ids(estado=4) == []


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("estado", "abc"),
        ("estado", "0"),
        ("estado", "99999999999999999999999"),
        ("tecnico", "x" * 30),
        ("tecnico", "a\x00b"),
        ("cliente", "!!"),
        ("fecha_desde", "ayer"),
        ("fecha_hasta", "2025-13-45"),
        ("priority", "critical"),
        ("es_final", "quizas"),
        ("search", "a\x00"),
        ("page", "0"),
        ("page_size", "x"),
        ("limit", "-1"),
    ],
)
def test_list_rejects_bad_query_parameters_naming_them(as_admin, param, value):
    response = as_admin.get(TICKETS_URL, {param: value})

    assert response.status_code == 400
    assert param in response.json()


# --- Create ----------------------------------------------------------------------------------


def create_body(*, tecnico=None, cliente, administrador=None, **extra) -> dict:
    body = {
        "cliente": cliente.document,
        "titulo": "El portátil no enciende",
        "descripcion": "Tras una caída ya no arranca.",
        "equipo": "Lenovo T14",
        "fecha": "2025-11-03T12:00:00Z",
        **extra,
    }
    if tecnico is not None:
        body["tecnico"] = tecnico.document
    if administrador is not None:
        body["administrador"] = administrador.document
    return body


def test_create_with_the_documented_body_returns_201_and_records_history(as_admin, admin_user, tech_user, client_user):
    body = create_body(tecnico=tech_user, cliente=client_user, administrador=admin_user, estado=1)

    response = as_admin.post(TICKETS_URL, body, format="json")

    assert response.status_code == 201
    data = response.json()
    assert data["message"] == "Ticket creado correctamente"
    ticket = Ticket.objects.get(pk=data["ticket"]["id"])
    assert data["ticket"]["code"] == ticket.code == f"TK-{ticket.pk:06d}"
    assert data["ticket"]["tecnico"] == tech_user.document
    assert data["ticket"]["cliente"] == client_user.document
    assert data["ticket"]["administrador"] == admin_user.document
    assert data["ticket"]["estado"] == estado("open").pk
    assert data["ticket"]["tecnico_detalle"] == user_brief(tech_user)
    assert data["ticket"]["cliente_detalle"] == user_brief(client_user)
    assert data["ticket"]["administrador_detalle"] == user_brief(admin_user)
    assert data["ticket"]["estado_detalle"] == estado_brief(estado("open"))
    assert data["ticket"]["priority"] == "medium"
    assert data["ticket"]["fecha"] == "2025-11-03T07:00:00-05:00"
    history = TicketHistory.objects.get(ticket=ticket)
    assert history.action == HistoryAction.CREATED
    assert history.actor == admin_user
    assert history.to_state == estado("open")


def test_create_without_technician_assigns_the_least_busy_one(as_admin, client_user):
    busy = UserFactory(role=Role.TECH, last_name="Aaa")
    idle = UserFactory(role=Role.TECH, last_name="Zzz")
    TicketFactory(tecnico=busy)

    response = as_admin.post(TICKETS_URL, create_body(cliente=client_user), format="json")

    assert response.status_code == 201
    assert response.json()["ticket"]["tecnico"] == idle.document
    assert response.json()["ticket"]["administrador"] == response.wsgi_request.user.document


def test_create_defaults_administrador_to_the_caller_and_accepts_category_priority(as_admin, admin_user, client_user):
    body = create_body(cliente=client_user, category="redes", priority="urgent")

    data = as_admin.post(TICKETS_URL, body, format="json").json()["ticket"]

    assert data["administrador"] == admin_user.document
    assert (data["category"], data["priority"]) == ("redes", "urgent")


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"cliente": "99999999"}, "cliente"),
        ({"tecnico": "99999999"}, "tecnico"),
        ({"administrador": "99999999"}, "administrador"),
        ({"estado": 99}, "estado"),
        ({"estado": 4}, "estado"),
        ({"estado": "uno"}, "estado"),
        ({"titulo": ""}, "titulo"),
        ({"titulo": "x" * 256}, "titulo"),
        ({"descripcion": None}, "descripcion"),
        ({"fecha": "mañana"}, "fecha"),
        ({"priority": "critical"}, "priority"),
        ({"cliente": ["a"]}, "cliente"),
        ({"cliente": "a\x00b"}, "cliente"),
    ],
)
def test_create_rejects_bad_input_naming_the_field(as_admin, client_user, override, field):
    body = {**create_body(cliente=client_user), **override}

    response = as_admin.post(TICKETS_URL, body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Ticket.objects.count() == 0


def test_create_refuses_users_with_the_wrong_role_or_inactive(as_admin, tech_user, client_user):
    inactive_client = UserFactory(role=Role.CLIENT, is_active=False)

    as_client_role = as_admin.post(TICKETS_URL, create_body(cliente=tech_user), format="json")
    as_tech_role = as_admin.post(TICKETS_URL, create_body(cliente=client_user, tecnico=client_user), format="json")
    inactive = as_admin.post(TICKETS_URL, create_body(cliente=inactive_client), format="json")

    assert as_client_role.status_code == 400
    assert as_client_role.json()["cliente"] == ["El usuario indicado no es cliente."]
    assert as_tech_role.status_code == 400
    assert "tecnico" in as_tech_role.json()
    assert inactive.status_code == 400
    assert inactive.json()["cliente"] == ["El cliente indicado está inactivo."]
    assert Ticket.objects.count() == 0


def test_malformed_json_is_a_400(as_admin):
    response = as_admin.generic("POST", TICKETS_URL, "{not json", content_type="application/json")

    assert response.status_code == 400
