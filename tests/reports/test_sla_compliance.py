"""The sla-compliance report: met / breached clocks and median business minutes per month,
technician and priority, and the approval waits per admin; from the roll-ups (PostgreSQL
triggers) or the tickets themselves, with the same answer."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports import selectors
from reports.models import ApprovalMonth, RollupZone, SLAMonth, SLAPriorityMonth
from tests.factories import StateChangeRequestFactory, TicketFactory, UserFactory, estado
from tickets import services
from tickets.models import Priority, RequestStatus, StateChangeRequest, Ticket
from users.models import Role

pytestmark = pytest.mark.django_db

BOGOTA = ZoneInfo("America/Bogota")
URL = "/api/reports/stats/sla-compliance/"
SINCE_2026 = f"{URL}?from=2026-01-01"
POSTGRESQL_ONLY = pytest.mark.postgresql(reason="the roll-ups are kept by PostgreSQL triggers")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=BOGOTA)


def clocked(tech, priority, *, responded=None, response_due=None, response_minutes=None, **resolution):
    """A ticket whose clocks stopped as sla.clocks leaves them (written by an UPDATE, as the
    services do): first response given at `responded`; `finalized` with the resolution clock's
    due, the instant it paused for the final request and the business minutes it ran."""
    ticket = TicketFactory(tecnico=tech, priority=priority, fecha=local(2026, 3, 1, 8))
    columns = {
        "first_responded_at": responded,
        "first_response_due": response_due,
        "first_response_minutes": response_minutes,
    }
    if "finalized" in resolution:
        columns.update(
            estado=estado("finalized"),
            fecha_resolucion=resolution["finalized"],
            sla_stopped_at=resolution["finalized"],
            resolution_due=resolution["due"],
            resolution_paused_at=resolution.get("paused"),
            resolution_minutes=resolution["minutes"],
        )
    Ticket.objects.filter(pk=ticket.pk).update(**columns)
    return ticket


def decided(admin, status, *, created, at, due, waited):
    """A final-state request `admin` decided at `at`, after waiting `waited` business minutes."""
    request = StateChangeRequestFactory(created_at=created)
    StateChangeRequest.objects.filter(pk=request.pk).update(
        status=status,
        decided_by=admin,
        decided_at=at,
        rejection_reason="No." if status == RequestStatus.REJECTED else "",
        approval_due=due,
        waited_minutes=waited,
    )
    return request


@pytest.fixture
def people():
    return {
        "ana": UserFactory(role=Role.TECH, first_name="Ana", last_name="Arias"),
        "beto": UserFactory(role=Role.TECH, first_name="Beto", last_name="Bravo"),
        "ada": UserFactory(role=Role.ADMIN, first_name="Ada", last_name="Admin"),
        "bea": UserFactory(role=Role.ADMIN, first_name="Bea", last_name="Boss"),
    }


@pytest.fixture
def dataset(people):
    ana, beto = people["ana"], people["beto"]
    tickets = {
        # March: Ana's urgent tickets, one on time all along, one late twice
        "a1": clocked(
            ana,
            Priority.URGENT,
            responded=local(2026, 3, 2, 9, 30),
            response_due=local(2026, 3, 2, 10),
            response_minutes=30,
            finalized=local(2026, 3, 3, 10),
            paused=local(2026, 3, 2, 16),  # the request: in time, however long the approval took
            due=local(2026, 3, 2, 17),
            minutes=420,
        ),
        "a2": clocked(
            ana,
            Priority.URGENT,
            responded=local(2026, 3, 5, 11),
            response_due=local(2026, 3, 5, 10),
            response_minutes=120,
            finalized=local(2026, 3, 20, 12),
            due=local(2026, 3, 10, 12),
            minutes=4321,  # counted as 4300
        ),
        # the last minutes of March (local time; already April in UTC)
        "b1": clocked(
            beto,
            Priority.URGENT,
            responded=local(2026, 3, 31, 23, 30),
            response_due=local(2026, 4, 1, 8),
            response_minutes=45,
        ),
        # April
        "a3": clocked(
            ana,
            Priority.HIGH,
            responded=local(2026, 4, 1, 8, 10),
            response_due=local(2026, 4, 1, 9),
            response_minutes=10,
        ),
        "c": clocked(
            None, Priority.LOW, responded=local(2026, 4, 2, 9), response_due=local(2026, 4, 2, 18), response_minutes=99
        ),
        # not counted: answered before service levels (no target), never answered
        "legacy": clocked(ana, Priority.URGENT, responded=local(2026, 3, 2, 9)),
        "silent": clocked(beto, Priority.LOW),
    }
    requests = {
        "r1": decided(
            people["ada"],
            RequestStatus.APPROVED,
            created=local(2026, 3, 2, 16),
            at=local(2026, 3, 3, 10),
            due=local(2026, 3, 3, 11),
            waited=180,
        ),
        "r2": decided(
            people["ada"],
            RequestStatus.REJECTED,
            created=local(2026, 3, 5, 12),
            at=local(2026, 3, 10, 9),
            due=local(2026, 3, 9, 12),
            waited=1234,  # counted as 1200
        ),
        "r3": decided(
            people["bea"],
            RequestStatus.APPROVED,
            created=local(2026, 4, 1, 14, 45),
            at=local(2026, 4, 1, 15),
            due=local(2026, 4, 1, 18),
            waited=15,
        ),
        # not counted: still pending; decided before service levels (no wait measured)
        "pending": StateChangeRequestFactory(),
        "legacy": decided(
            people["ada"],
            RequestStatus.APPROVED,
            created=local(2026, 3, 1),
            at=local(2026, 3, 2),
            due=None,
            waited=None,
        ),
    }
    return tickets, requests


def clock(met, breached, median):
    return {
        "cumplidos": met,
        "incumplidos": breached,
        "porcentaje_cumplimiento": round(100 * met / (met + breached), 2) if met + breached else None,
        "mediana_minutos": median,
    }


NONE = clock(0, 0, None)


def approvals(approved, rejected, on_time, late, median):
    return {
        "aprobadas": approved,
        "rechazadas": rejected,
        "a_tiempo": on_time,
        "fuera_de_plazo": late,
        "porcentaje_a_tiempo": round(100 * on_time / (on_time + late), 2) if on_time + late else None,
        "mediana_espera_minutos": median,
    }


def test_compliance_overall_per_priority_technician_and_month(as_admin, people, dataset):
    response = as_admin.get(SINCE_2026)

    assert response.status_code == 200
    body = response.json()
    ana = {"document": people["ana"].document, "nombre_completo": "Ana Arias"}
    beto = {"document": people["beto"].document, "nombre_completo": "Beto Bravo"}
    nobody = {"document": None, "nombre_completo": "Sin técnico"}
    ada = {"document": people["ada"].document, "nombre_completo": "Ada Admin"}
    bea = {"document": people["bea"].document, "nombre_completo": "Bea Boss"}
    assert body["desde"] == "2026-01-01"
    # first responses of 10, 30, 45, 99 and 120 (late) minutes: the median is the third, 45,
    # in the bucket [40, 50) alone (its middle); the resolutions' lower median is 420 minutes,
    # alone in [400, 500)
    assert body["primera_respuesta"] == clock(4, 1, 45)
    assert body["resolucion"] == clock(1, 1, 450)
    # waits of 15, 180 and 1234 minutes: 180 lies in [150, 200)
    assert body["aprobaciones"] == {
        **approvals(2, 1, 2, 1, 175),
        "por_administrador": [{**ada, **approvals(1, 1, 1, 1, 175)}, {**bea, **approvals(1, 0, 1, 0, 17)}],
    }
    assert body["por_prioridad"] == [
        {"prioridad": "urgent", "primera_respuesta": clock(2, 1, 45), "resolucion": clock(1, 1, 450)},
        {"prioridad": "high", "primera_respuesta": clock(1, 0, 11), "resolucion": NONE},
        {"prioridad": "low", "primera_respuesta": clock(1, 0, 90), "resolucion": NONE},
    ]
    assert body["por_tecnico"] == [
        {**ana, "primera_respuesta": clock(2, 1, 35), "resolucion": clock(1, 1, 450)},
        {**beto, "primera_respuesta": clock(1, 0, 45), "resolucion": NONE},
        {**nobody, "primera_respuesta": clock(1, 0, 90), "resolucion": NONE},
    ]
    march, april = body["por_mes"]
    assert march == {
        "mes": "2026-03",
        "primera_respuesta": clock(2, 1, 45),
        "resolucion": clock(1, 1, 450),
        "aprobaciones": {**approvals(1, 1, 1, 1, 175), "por_administrador": [{**ada, **approvals(1, 1, 1, 1, 175)}]},
        "por_prioridad": [
            {"prioridad": "urgent", "primera_respuesta": clock(2, 1, 45), "resolucion": clock(1, 1, 450)}
        ],
        "por_tecnico": [
            {**ana, "primera_respuesta": clock(1, 1, 35), "resolucion": clock(1, 1, 450)},
            {**beto, "primera_respuesta": clock(1, 0, 45), "resolucion": NONE},
        ],
    }
    assert april["mes"] == "2026-04"
    assert april["primera_respuesta"] == clock(2, 0, 11)
    assert april["aprobaciones"]["por_administrador"] == [{**bea, **approvals(1, 0, 1, 0, 17)}]
    assert [row["prioridad"] for row in april["por_prioridad"]] == ["high", "low"]


@pytest.mark.parametrize(
    ("query", "responses", "resolutions", "decisions"),
    [
        # whole months: the roll-ups only
        ("from=2026-03-01&to=2026-03-31", clock(2, 1, 45), clock(1, 1, 450), (1, 1)),
        ("from=2026-04-01", clock(2, 0, 11), NONE, (1, 0)),
        # partial months: the tickets and requests themselves at the edges
        ("from=2026-03-15&to=2026-04-01", clock(2, 0, 11), clock(0, 1, 4500), (1, 0)),
        ("from=2026-03-03&to=2026-03-05", clock(0, 1, 135), clock(1, 0, 450), (1, 0)),
        # without `from`: the month of `to` and the two before
        ("to=2026-03-02", clock(1, 0, 35), NONE, (0, 0)),
        ("to=2026-05-31", clock(4, 1, 45), clock(1, 1, 450), (2, 1)),
        ("to=2026-06-01", clock(2, 0, 11), NONE, (1, 0)),
    ],
)
def test_a_range_counts_the_clocks_that_stopped_in_it(as_admin, dataset, query, responses, resolutions, decisions):
    body = as_admin.get(f"{URL}?{query}").json()

    assert (body["primera_respuesta"], body["resolucion"]) == (responses, resolutions)
    assert (body["aprobaciones"]["aprobadas"], body["aprobaciones"]["rechazadas"]) == decisions


@pytest.mark.parametrize(
    ("query", "field"), [("from=ayer", "from"), ("to=2026-02-30", "to"), ("from=2026-03-01&to=2026-01-01", "from")]
)
def test_bad_ranges_are_a_400_naming_the_field(as_admin, query, field):
    response = as_admin.get(f"{URL}?{query}")

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_only_admins_see_the_report(as_tech):
    assert as_tech.get(URL).status_code == 403


def test_the_csv_has_a_row_per_month_and_technician_or_priority(as_admin, people, dataset):
    response = as_admin.get(f"{SINCE_2026}&format=csv")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="sla_compliance.csv"'
    lines = response.content.decode().strip().splitlines()
    assert lines[0] == (
        "mes,dimension,valor,document,primera_respuesta_cumplidos,primera_respuesta_incumplidos,"
        "primera_respuesta_mediana_minutos,resolucion_cumplidos,resolucion_incumplidos,resolucion_mediana_minutos"
    )
    assert lines[1:] == [
        f"2026-03,tecnico,Ana Arias,{people['ana'].document},1,1,35,1,1,450",
        f"2026-03,tecnico,Beto Bravo,{people['beto'].document},1,0,45,0,0,",
        "2026-03,prioridad,urgent,,2,1,45,1,1,450",
        f"2026-04,tecnico,Ana Arias,{people['ana'].document},1,0,11,0,0,",
        "2026-04,tecnico,Sin técnico,,1,0,90,0,0,",
        "2026-04,prioridad,high,,1,0,11,0,0,",
        "2026-04,prioridad,low,,1,0,90,0,0,",
    ]


@pytest.mark.parametrize(
    ("minutes", "bucket"),
    [(0, 0), (9, 9), (10, 10), (11, 10), (12, 12), (99, 80), (100, 100), (4321, 4000), (10**7, 800000)],
)
def test_minutes_fall_in_buckets_exact_below_ten_then_ten_per_decade(minutes, bucket):
    assert selectors.sla_minutes_bucket(minutes) == bucket


@pytest.mark.parametrize(
    ("minutes", "median"),
    [
        ([3, 5, 7], 5),  # exact below 10
        ([30, 45, 120], 45),  # alone in [40, 50): its middle
        ([40, 41, 42, 43], 43),  # second of four in [40, 50): 40 + 10 * 1.5 / 4, rounded down
        ([500, 600, 700], 650),  # [600, 800) alone
    ],
)
def test_the_median_is_interpolated_inside_its_bucket(minutes, median):
    tally = selectors._Tally()
    for value in minutes:
        tally.add(met=True, minutes=selectors.sla_minutes_bucket(value), total=1)

    assert tally.median() == median


# --- The roll-ups (PostgreSQL) ---------------------------------------------------------------


def both_ways():
    """(from the roll-ups, from the tickets): the whole report computed each way."""
    assert selectors._rollups_ready()
    rolled = selectors.sla_compliance(lower=local(2026, 1, 1), upper=None)
    zone = RollupZone.objects.get()
    RollupZone.objects.all().delete()
    try:
        counted = selectors.sla_compliance(lower=local(2026, 1, 1), upper=None)
    finally:
        RollupZone.objects.create(zone=zone.zone)
    return rolled, counted


def rollup_rows():
    return (
        sorted(
            SLAMonth.objects.filter(tickets__gt=0).values_list(
                "month", "clock", "technician_id", "met", "minutes", "tickets"
            )
        ),
        sorted(
            SLAPriorityMonth.objects.filter(tickets__gt=0).values_list(
                "month", "clock", "priority", "met", "minutes", "tickets"
            )
        ),
        sorted(
            ApprovalMonth.objects.filter(requests__gt=0).values_list(
                "month", "admin_id", "approved", "met", "minutes", "requests"
            )
        ),
    )


@POSTGRESQL_ONLY
def test_the_rollups_answer_as_counting_the_tickets_does(as_admin, people, dataset):
    tickets, requests = dataset
    # given changes after the clocks stopped: reassigned, re-prioritized, deleted, re-decided
    Ticket.objects.filter(pk=tickets["a2"].pk).update(tecnico=people["beto"])
    Ticket.objects.filter(pk=tickets["b1"].pk).update(priority=Priority.LOW)
    Ticket.objects.filter(pk=tickets["c"].pk).delete()
    StateChangeRequest.objects.filter(pk=requests["r2"].pk).update(decided_by=people["bea"])

    # when the report reads the roll-ups, then the tickets
    rolled, counted = both_ways()

    # then both say the same, and the roll-ups followed every change
    assert rolled == counted
    assert rolled["primera_respuesta"] == clock(3, 1, 35)
    beto = next(row for row in rolled["por_tecnico"] if row["nombre_completo"] == "Beto Bravo")
    assert beto["resolucion"] == clock(0, 1, 4500)
    assert [row["prioridad"] for row in rolled["por_prioridad"]] == ["urgent", "high", "low"]
    assert [row["nombre_completo"] for row in rolled["aprobaciones"]["por_administrador"]] == ["Ada Admin", "Bea Boss"]


@POSTGRESQL_ONLY
def test_the_whole_history_reads_only_the_rollups(as_admin, dataset):
    with CaptureQueriesContext(connection) as captured:
        response = as_admin.get(URL)

    assert response.status_code == 200
    sql = " ".join(query["sql"] for query in captured.captured_queries)
    assert "reports_slamonth" in sql
    assert "reports_slaprioritymonth" in sql
    assert "reports_approvalmonth" in sql
    assert '"tickets_ticket"' not in sql
    assert '"tickets_statechangerequest"' not in sql


@POSTGRESQL_ONLY
def test_the_rebuild_recounts_what_the_triggers_keep(dataset):
    # given the roll-ups as the triggers left them, then spoiled
    kept = rollup_rows()
    SLAMonth.objects.update(tickets=7)
    SLAPriorityMonth.objects.all().delete()
    ApprovalMonth.objects.all().delete()

    # when they are rebuilt
    call_command("rebuild_report_rollups", stdout=io.StringIO())

    # then they are what the triggers had kept
    assert rollup_rows() == kept
    assert [len(rows) for rows in kept] == [7, 7, 3]


@POSTGRESQL_ONLY
def test_the_sql_rounding_is_the_python_one():
    values = [*range(0, 250), 999, 1000, 1009, 1010, 4321, 9999, 10000, 123456, 2**31 - 1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT v, reports_sla_bucket(v) FROM unnest(%s::integer[]) AS v", [values])
        rounded = dict(cursor.fetchall())

    assert rounded == {value: selectors.sla_minutes_bucket(value) for value in values}


@POSTGRESQL_ONLY
def test_a_truncate_empties_the_rollups(dataset):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's deferred checks, first
        cursor.execute("TRUNCATE tickets_ticket CASCADE")

    assert not SLAMonth.objects.exists()
    assert not SLAPriorityMonth.objects.exists()
    assert not ApprovalMonth.objects.exists()


def test_tickets_finalized_without_clocks_are_left_out(as_admin, people):
    # given a ticket finalized before service levels and one cancelled with stopped clocks
    ticket = TicketFactory(tecnico=people["ana"], estado=estado("finalized"))
    Ticket.objects.filter(pk=ticket.pk).update(fecha_resolucion=local(2026, 3, 3))
    cancelled = TicketFactory(tecnico=people["ana"], estado=estado("canceled"))
    Ticket.objects.filter(pk=cancelled.pk).update(
        sla_stopped_at=local(2026, 3, 3), resolution_due=local(2026, 3, 4), resolution_minutes=10
    )

    body = as_admin.get(URL).json()

    assert (body["primera_respuesta"], body["resolucion"], body["por_mes"]) == (NONE, NONE, [])
    assert body["aprobaciones"] == {**approvals(0, 0, 0, 0, None), "por_administrador": []}


def test_the_edges_of_a_local_month(as_admin, people):
    # given first responses in the last minute of March and the first of April (local time),
    # each at its due instant (met)
    for moment in (local(2026, 3, 31, 23, 59), local(2026, 4, 1, 0, 0)):
        clocked(people["ana"], Priority.MEDIUM, responded=moment, response_due=moment, response_minutes=5)

    months = as_admin.get(SINCE_2026).json()["por_mes"]

    assert [(month["mes"], month["primera_respuesta"]) for month in months] == [
        ("2026-03", clock(1, 0, 5)),
        ("2026-04", clock(1, 0, 5)),
    ]


# --- Through the services that run the clocks --------------------------------------------------


def test_the_report_counts_what_the_ticket_services_measured(as_admin, people, settings, monkeypatch):
    """Calendar: Bogotá, Monday-Friday 08:00-18:00; Monday 2 March 2026 is a working day.
    Default policy: urgent 60 / 480 min, high 240 / 1440 min, approval 240 min."""
    settings.SLA_COUNTRY, settings.SLA_TIME_ZONE = "CO", "America/Bogota"
    settings.SLA_WORKING_HOURS = "mon-fri 08:00-18:00"
    now = {"at": local(2026, 3, 2, 9)}
    monkeypatch.setattr(timezone, "now", lambda: now["at"])
    client = UserFactory(role=Role.CLIENT)

    def at(*moment):
        now["at"] = local(*moment)

    def request_final(ticket):
        outcome = services.ticket_change_state(
            ticket_id=ticket.pk, actor=people["ana"], to_state_id=estado("finalized").pk
        )
        # the request is made at the services' clock (its column default reads the real one)
        StateChangeRequest.objects.filter(pk=outcome.request.pk).update(created_at=now["at"])
        return outcome.request

    # an urgent ticket answered in 30 min, work done at 11:00 (120 min), approved at 16:00: the
    # request waited 300 business minutes for a 240-minute target
    urgent = services.ticket_create(
        actor=people["ada"], cliente=client, tecnico=people["ana"], titulo="A", descripcion="-", priority="urgent"
    )
    at(2026, 3, 2, 9, 30)
    services.ticket_change_state(ticket_id=urgent.pk, actor=people["ana"], to_state_id=estado("in_repair").pk)
    at(2026, 3, 2, 11)
    approved = request_final(urgent)
    at(2026, 3, 2, 16)
    services.state_request_decide(request_id=approved.pk, actor=people["ada"], approve=True)
    # a high ticket opened at 09:00, answered at 14:00 (300 min, late); its request rejected
    # by another admin after 30 min
    at(2026, 3, 2, 9)
    high = services.ticket_create(
        actor=people["ada"], cliente=client, tecnico=people["ana"], titulo="B", descripcion="-", priority="high"
    )
    at(2026, 3, 2, 14)
    services.ticket_change_state(ticket_id=high.pk, actor=people["ana"], to_state_id=estado("in_repair").pk)
    at(2026, 3, 2, 15)
    rejected = request_final(high)
    at(2026, 3, 2, 15, 30)
    services.state_request_decide(request_id=rejected.pk, actor=people["bea"], approve=False, rejection_reason="No")

    body = as_admin.get(URL).json()

    assert body["primera_respuesta"] == clock(1, 1, 35)  # 30 minutes, in [30, 40)
    assert body["resolucion"] == clock(1, 0, 135)  # 120 minutes, in [120, 150)
    assert body["aprobaciones"]["por_administrador"] == [
        {"document": people["ada"].document, "nombre_completo": "Ada Admin", **approvals(1, 0, 0, 1, 350)},
        {"document": people["bea"].document, "nombre_completo": "Bea Boss", **approvals(0, 1, 1, 0, 35)},
    ]
    assert list(StateChangeRequest.objects.order_by("pk").values_list("approval_due", "waited_minutes")) == [
        (local(2026, 3, 2, 15), 300),
        (local(2026, 3, 3, 9), 30),  # 180 minutes on Monday, 60 on Tuesday
    ]
    assert [month["mes"] for month in body["por_mes"]] == ["2026-03"]


def test_without_from_the_report_covers_this_month_and_the_two_before(as_admin, people):
    # given first responses 100 days ago and 20 days ago
    now = timezone.localtime()
    for days_ago in (100, 20):
        moment = now - timedelta(days=days_ago)
        clocked(people["ana"], Priority.HIGH, responded=moment, response_due=moment, response_minutes=7)

    body = as_admin.get(URL).json()

    # then only the recent one counts: the range starts on the first day of two months back
    year, month = (now.year, now.month - 2) if now.month > 2 else (now.year - 1, now.month + 10)
    assert body["desde"] == f"{year}-{month:02d}-01"
    assert body["primera_respuesta"] == clock(1, 0, 7)
