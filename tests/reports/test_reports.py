"""Reports on hand-built data sets: exact numbers, edge cases, validation, constant queries."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import client_for
from tests.factories import (
    BuildingFactory,
    DeviceFactory,
    StateChangeRequestFactory,
    TenantFactory,
    TicketFactory,
    UserFactory,
    estado,
)
from tickets.models import RequestStatus, Ticket
from users.models import Role

pytestmark = pytest.mark.django_db

BOGOTA = ZoneInfo("America/Bogota")
BASE = "/api/reports/stats/"


def local(*args) -> datetime:
    return datetime(*args, tzinfo=BOGOTA)


@pytest.fixture
def admin(admin_user):
    return client_for(admin_user)


@pytest.fixture
def techs():
    return {
        "ana": UserFactory(role=Role.TECH, first_name="Ana", last_name="Arias"),
        "beto": UserFactory(role=Role.TECH, first_name="Beto", last_name="Bravo"),
        "ciro": UserFactory(role=Role.TECH, first_name="Ciro", last_name="Cruz"),  # no tickets at all
    }


def finalize(ticket, *, at: datetime, admin_user):
    """What the approval service leaves behind when `ticket` is finalized at `at`: the
    approved request and the ticket's resolution date."""
    Ticket.objects.filter(pk=ticket.pk).update(fecha_resolucion=at)
    StateChangeRequestFactory(
        ticket=ticket,
        requested_by=ticket.tecnico,
        from_state=estado("in_repair"),
        status=RequestStatus.APPROVED,
        decided_by=admin_user,
        decided_at=at,
    )


@pytest.fixture
def dataset(admin_user, techs):
    """Ana: 4 tickets (2 finalized, 1 open, 1 cancelled); Beto: 1 finalized + 1 in repair."""
    opened = local(2026, 3, 2, 9)
    a1 = TicketFactory(tecnico=techs["ana"], estado=estado("finalized"), fecha=opened)
    a2 = TicketFactory(tecnico=techs["ana"], estado=estado("finalized"), fecha=opened + timedelta(days=1))
    TicketFactory(tecnico=techs["ana"], estado=estado("open"), fecha=opened + timedelta(days=2))
    TicketFactory(tecnico=techs["ana"], estado=estado("canceled"), fecha=opened + timedelta(days=3))
    b1 = TicketFactory(tecnico=techs["beto"], estado=estado("finalized"), fecha=opened)
    TicketFactory(tecnico=techs["beto"], estado=estado("in_repair"), fecha=local(2026, 4, 10, 12))
    finalize(a1, at=opened + timedelta(hours=10), admin_user=admin_user)
    finalize(a2, at=opened + timedelta(days=1, hours=20), admin_user=admin_user)
    finalize(b1, at=opened + timedelta(hours=4), admin_user=admin_user)
    return {"a1": a1, "a2": a2, "b1": b1}


# --- general-stats ---------------------------------------------------------------------------


def test_general_stats_counts_open_and_finalized_but_not_cancelled(admin, dataset):
    response = admin.get(f"{BASE}general-stats/")
    assert response.status_code == 200
    assert response.json() == {
        "tickets_abiertos": 2,
        "tickets_finalizados": 3,
        "tickets_cancelados": 1,
        "total_tickets": 6,
    }


def test_general_stats_in_a_date_range_uses_local_days(admin, dataset):
    # April only holds Beto's ticket in repair
    response = admin.get(f"{BASE}general-stats/", {"from": "2026-04-01", "to": "2026-04-30"})
    assert response.json() == {
        "tickets_abiertos": 1,
        "tickets_finalizados": 0,
        "tickets_cancelados": 0,
        "total_tickets": 1,
    }


def test_general_stats_with_no_tickets_is_all_zero(admin):
    assert admin.get(f"{BASE}general-stats/").json() == {
        "tickets_abiertos": 0,
        "tickets_finalizados": 0,
        "tickets_cancelados": 0,
        "total_tickets": 0,
    }


# --- performance-ranking ---------------------------------------------------------------------


def test_performance_ranking_best_first_including_technicians_without_tickets(admin, dataset):
    response = admin.get(f"{BASE}performance-ranking/")
    assert response.status_code == 200
    assert [
        (r["nombre_completo"], r["tickets_asignados"], r["tickets_resueltos"], r["porcentaje_exito"])
        for r in response.json()
    ] == [
        ("Ana Arias", 4, 2, 50.0),
        ("Beto Bravo", 2, 1, 50.0),
        ("Ciro Cruz", 0, 0, 0.0),
    ]


def test_performance_ranking_limit(admin, dataset):
    assert len(admin.get(f"{BASE}performance-ranking/", {"limit": 1}).json()) == 1


# --- clients-evolution -----------------------------------------------------------------------


def test_clients_evolution_counts_distinct_clients_per_local_month(admin):
    # given a client with two tickets in January, another in January and December, and
    # tickets just outside the year in local time (UTC would put them inside)
    carla, camilo = UserFactory(role=Role.CLIENT), UserFactory(role=Role.CLIENT)
    TicketFactory(cliente=carla, fecha=local(2025, 1, 1, 0, 30))
    TicketFactory(cliente=carla, fecha=local(2025, 1, 20))
    TicketFactory(cliente=camilo, fecha=local(2025, 1, 5))
    TicketFactory(cliente=camilo, fecha=local(2025, 12, 31, 23, 30))
    TicketFactory(fecha=local(2024, 12, 31, 22))  # 2025-01-01 03:00 UTC
    TicketFactory(fecha=local(2026, 1, 1, 0, 10))

    response = admin.get(f"{BASE}clients-evolution/", {"year": 2025})

    assert response.status_code == 200
    body = response.json()
    assert body["year"] == 2025
    assert body["total_clientes"] == 2
    assert list(body["mensual"]) == [f"{m:02d}" for m in range(1, 13)]
    assert body["mensual"]["01"] == 2
    assert body["mensual"]["12"] == 1
    assert sum(body["mensual"].values()) == 3


@pytest.mark.parametrize("query", [{}, {"year": "abc"}, {"year": "1999"}, {"year": "3000"}, {"year": "2025.5"}])
def test_clients_evolution_validates_the_year(admin, query):
    response = admin.get(f"{BASE}clients-evolution/", query)
    assert response.status_code == 400
    assert "year" in response.json()


# --- analytics -----------------------------------------------------------------------------


def test_status_distribution_lists_every_state(admin, dataset):
    body = admin.get(f"{BASE}distribucion-estados/").json()
    assert [(row["codigo"], row["total"]) for row in body] == [
        ("open", 1),
        ("diagnosis", 0),
        ("in_repair", 1),
        ("finalized", 3),
        ("canceled", 1),
    ]
    assert body[3]["porcentaje"] == 50.0


def test_resolution_time_overall_and_per_technician(admin, dataset):
    body = admin.get(f"{BASE}tiempo-resolucion/").json()
    # Ana: 10 h and 20 h -> 15 h; Beto: 4 h; overall (10 + 20 + 4) / 3
    assert body["tickets_resueltos"] == 3
    assert body["promedio_horas"] == round(34 / 3, 2)
    assert [(r["nombre_completo"], r["tickets_resueltos"], r["promedio_horas"]) for r in body["por_tecnico"]] == [
        ("Beto Bravo", 1, 4.0),
        ("Ana Arias", 2, 15.0),
    ]


def test_resolution_time_with_nothing_resolved(admin):
    assert admin.get(f"{BASE}tiempo-resolucion/").json() == {
        "tickets_resueltos": 0,
        "promedio_horas": None,
        "por_tecnico": [],
    }


def test_ticket_aging_lists_the_oldest_open_tickets_first(admin, dataset, techs):
    body = admin.get(f"{BASE}antiguedad-tickets/").json()
    assert [row["estado"] for row in body] == ["Abierto", "En reparación"]
    assert body[0]["tecnico"] == "Ana Arias"
    assert body[0]["dias_abierto"] >= body[1]["dias_abierto"]


def test_throughput_per_month(admin, dataset):
    body = admin.get(f"{BASE}flujo-tickets/", {"period": "month"}).json()
    assert body == [
        {"periodo": "2026-03-01", "abiertos": 5, "finalizados": 3},
        {"periodo": "2026-04-01", "abiertos": 1, "finalizados": 0},
    ]


def test_throughput_per_week_starts_on_monday(admin, dataset):
    body = admin.get(f"{BASE}flujo-tickets/", {"period": "week", "from": "2026-03-01", "to": "2026-03-31"}).json()
    assert body == [{"periodo": "2026-03-02", "abiertos": 5, "finalizados": 3}]


def test_pending_approvals_age(admin, admin_user):
    # given two pending requests, 10 h and 2 h old, and one decided
    from django.utils import timezone

    now = timezone.now()
    old = StateChangeRequestFactory(created_at=now - timedelta(hours=10))
    StateChangeRequestFactory(created_at=now - timedelta(hours=2))
    StateChangeRequestFactory(
        status=RequestStatus.REJECTED,
        decided_by=admin_user,
        decided_at=now,
        rejection_reason="No",
        created_at=now - timedelta(hours=50),
    )

    body = admin.get(f"{BASE}aprobaciones-pendientes/").json()

    assert body["total_pendientes"] == 2
    assert body["antiguedad_promedio_horas"] == pytest.approx(6.0, abs=0.05)
    assert body["antiguedad_maxima_horas"] == pytest.approx(10.0, abs=0.05)
    assert [row["request_id"] for row in body["solicitudes"]][:1] == [old.pk]


def test_portal_tickets_by_category_priority_and_building(admin):
    # given residents of two buildings opening device tickets, and one staff ticket
    torre, parque = BuildingFactory(name="Torre"), BuildingFactory(name="Parque")
    ana = TenantFactory(apartment__building=torre)
    beto = TenantFactory(apartment__building=parque)
    for tenant, category, priority in [(ana, "TV", "high"), (ana, "TV", "low"), (beto, "Aire", "high")]:
        TicketFactory(cliente=tenant.user, device=DeviceFactory(owners=[tenant]), category=category, priority=priority)
    TicketFactory(category="staff")

    body = admin.get(f"{BASE}tickets-portal/").json()

    assert body["total_tickets"] == 3
    assert body["por_categoria"] == [{"categoria": "TV", "total": 2}, {"categoria": "Aire", "total": 1}]
    assert body["por_prioridad"] == [{"prioridad": "high", "total": 2}, {"prioridad": "low", "total": 1}]
    assert [(r["edificio"], r["total"]) for r in body["por_edificio"]] == [("Torre", 2), ("Parque", 1)]


# --- validation, permissions, CSV, query counts ------------------------------------------------

ALL_REPORTS = [
    "general-stats/",
    "performance-ranking/",
    "clients-evolution/?year=2026",
    "distribucion-estados/",
    "tiempo-resolucion/",
    "antiguedad-tickets/",
    "flujo-tickets/",
    "aprobaciones-pendientes/",
    "tickets-portal/",
    "satisfaction/",
]


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("general-stats/", {"from": "2026-13-01"}, "from"),
        ("general-stats/", {"from": "2026-05-02", "to": "2026-05-01"}, "from"),
        ("general-stats/", {"to": "ayer"}, "to"),
        ("performance-ranking/", {"limit": "0"}, "limit"),
        ("performance-ranking/", {"limit": "mil"}, "limit"),
        ("flujo-tickets/", {"period": "day"}, "period"),
        ("general-stats/", {"format": "xml"}, "format"),
    ],
)
def test_bad_parameters_are_400_naming_the_field(admin, path, query, field):
    response = admin.get(BASE + path, query)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("path", ALL_REPORTS)
def test_reports_are_for_admins_only(role_clients, path):
    assert role_clients["anonymous"].get(BASE + path).status_code == 401
    assert role_clients["CLIENT"].get(BASE + path).status_code == 403
    assert role_clients["TECH"].get(BASE + path).status_code == 403
    assert role_clients["ADMIN"].get(BASE + path).status_code == 200
    assert role_clients["ADMIN"].get(BASE + path.replace("/?", "?").rstrip("/")).status_code == 200


def test_tabular_reports_as_csv(admin, dataset):
    response = admin.get(f"{BASE}performance-ranking/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == (
        "document,nombre_completo,tickets_asignados,tickets_resueltos,porcentaje_exito,calificacion_promedio,calificaciones"
    )
    assert len(lines) == 4
    evolution = admin.get(f"{BASE}clients-evolution/", {"year": 2026, "format": "csv"}).content.decode()
    assert evolution.splitlines()[0] == "mes,clientes"
    assert len(evolution.splitlines()) == 13


@pytest.mark.parametrize("path", ALL_REPORTS)
def test_each_report_runs_the_same_queries_for_few_and_many_tickets(admin, admin_user, techs, path):
    # given one finalized and one open ticket
    def add_tickets(count):
        for _ in range(count):
            ticket = TicketFactory(tecnico=techs["ana"], estado=estado("finalized"))
            finalize(ticket, at=ticket.fecha + timedelta(hours=1), admin_user=admin_user)
            TicketFactory(tecnico=techs["beto"], estado=estado("open"))
            StateChangeRequestFactory()

    add_tickets(1)
    with CaptureQueriesContext(connection) as few:
        assert admin.get(BASE + path).status_code == 200
    add_tickets(25)
    with CaptureQueriesContext(connection) as many:
        assert admin.get(BASE + path).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_throughput_without_from_covers_the_last_twelve_months(admin):
    # given a ticket opened now and one opened 13 months ago
    from django.utils import timezone

    TicketFactory(fecha=timezone.now())
    TicketFactory(fecha=timezone.now() - timedelta(days=400))

    # when the flow report is asked for with no range
    body = admin.get(f"{BASE}flujo-tickets/").json()

    # then only the recent one is in it, in the current month
    assert sum(row["abiertos"] for row in body) == 1
    assert body[-1]["periodo"] == timezone.localdate().replace(day=1).isoformat()
