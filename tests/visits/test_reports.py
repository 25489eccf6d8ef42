"""Residents' ratings in the reports: the performance ranking and the satisfaction report."""

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import TenantFactory, TicketFactory, UserFactory
from tests.visits.conftest import appointment_in
from users.models import Role
from visits import services
from visits.models import AppointmentStatus, RatingMonth

pytestmark = pytest.mark.django_db


def rated(technician, rating: int, completed_at: datetime):
    """A visit of `technician` completed at `completed_at` and rated through the service."""
    resident = TenantFactory()
    ticket = TicketFactory(tecnico=technician, cliente=resident.user)
    visit = appointment_in(ticket, AppointmentStatus.AWAITING_FEEDBACK, completed_at=completed_at)
    services.appointment_rate(appointment_id=visit.pk, resident=resident.user, rating=rating)
    return visit


def local(year, month, day, hour=12):
    return datetime(year, month, day, hour, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def two_technicians(db):
    ana = UserFactory(role=Role.TECH, first_name="Ana", last_name="Arias")
    beto = UserFactory(role=Role.TECH, first_name="Beto", last_name="Bello")
    rated(ana, 5, local(2025, 1, 10))
    rated(ana, 4, local(2025, 1, 31, 23))
    rated(beto, 2, local(2025, 2, 1, 1))
    rated(ana, 3, local(2025, 2, 20))
    return ana, beto


def test_the_ranking_carries_each_technicians_average_rating(two_technicians, as_admin):
    ana, beto = two_technicians

    rows = {row["document"]: row for row in as_admin.get("/api/reports/stats/performance-ranking/").json()}

    assert (rows[ana.document]["calificacion_promedio"], rows[ana.document]["calificaciones"]) == (4.0, 3)
    assert (rows[beto.document]["calificacion_promedio"], rows[beto.document]["calificaciones"]) == (2.0, 1)


def test_satisfaction_per_month_and_technician(two_technicians, as_admin):
    ana, beto = two_technicians

    response = as_admin.get("/api/reports/stats/satisfaction/")

    assert response.status_code == 200
    body = response.json()
    ana_jan = {
        "document": ana.document,
        "nombre_completo": "Ana Arias",
        "calificaciones": 2,
        "promedio": 4.5,
        "distribucion": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1},
    }
    assert body["calificaciones"] == 4
    assert body["promedio"] == 3.5
    assert body["distribucion"] == {"1": 0, "2": 1, "3": 1, "4": 1, "5": 1}
    assert [month["mes"] for month in body["por_mes"]] == ["2025-01", "2025-02"]
    assert body["por_mes"][0]["por_tecnico"] == [ana_jan]
    assert [row["document"] for row in body["por_mes"][1]["por_tecnico"]] == [ana.document, beto.document]
    assert [(row["document"], row["promedio"]) for row in body["por_tecnico"]] == [
        (ana.document, 4.0),
        (beto.document, 2.0),
    ]


@pytest.mark.parametrize(
    ("query", "total"),
    [
        ("from=2025-01-01&to=2025-01-31", 2),  # one whole month: the roll-up only
        ("from=2025-01-15&to=2025-02-10", 2),  # two partial months: the visits themselves
        ("from=2025-01-31&to=2025-03-31", 3),  # a partial month, then whole ones
        ("from=2025-02-01", 2),
        ("to=2025-01-30", 1),
    ],
)
def test_satisfaction_in_a_range_counts_the_visits_completed_in_it(two_technicians, as_admin, query, total):
    body = as_admin.get(f"/api/reports/stats/satisfaction/?{query}").json()

    assert body["calificaciones"] == total


def test_satisfaction_reads_the_roll_up_not_the_visits(two_technicians, as_admin):
    # given the roll-up altered behind the visits' back
    RatingMonth.objects.filter(rating=2).update(total=10)

    # then the whole-history report reflects the roll-up (it did not count the visits)
    with CaptureQueriesContext(connection) as captured:
        body = as_admin.get("/api/reports/stats/satisfaction/").json()
    assert body["distribucion"]["2"] == 10
    assert not any("visits_appointment" in query["sql"] for query in captured.captured_queries)
    # and the rebuild puts it back
    services.rating_rollup_rebuild()
    assert as_admin.get("/api/reports/stats/satisfaction/").json()["distribucion"]["2"] == 1


@pytest.mark.parametrize(
    ("query", "field"), [("from=ayer", "from"), ("to=2025-02-30", "to"), ("from=2025-03-01&to=2025-01-01", "from")]
)
def test_bad_ranges_are_a_400_naming_the_field(as_admin, query, field):
    response = as_admin.get(f"/api/reports/stats/satisfaction/?{query}")

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_satisfaction_as_csv(two_technicians, as_admin):
    response = as_admin.get("/api/reports/stats/satisfaction/?format=csv")

    assert response.status_code == 200
    lines = response.content.decode().strip().splitlines()
    assert lines[0].startswith("mes,document,nombre_completo,calificaciones,promedio,calificacion_1")
    assert len(lines) == 1 + 3


def test_only_admins_see_satisfaction(as_tech):
    assert as_tech.get("/api/reports/stats/satisfaction/").status_code == 403


def test_rebuild_matches_the_service_counts(two_technicians):
    before = sorted(RatingMonth.objects.values_list("month", "technician_id", "rating", "total"))

    services.rating_rollup_rebuild()

    assert sorted(RatingMonth.objects.values_list("month", "technician_id", "rating", "total")) == before
    assert before[0][0] == local(2025, 1, 10).date().replace(day=1)
