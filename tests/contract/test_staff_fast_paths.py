"""The staff reads' fast paths answer what the slower ones answered.

* Lists read whole (no paging parameter) run no COUNT: one row more than
  MAX_UNPAGED_RESULTS is read in the page's own statement (tickethelp/pagination.py), and
  past the limit the answer is still the first page with the total and a `Link`.
* A paged list counts its rows in the page's own statement (tickethelp/rows.py).
* Filters (tickethelp/filtering.py) build no FilterSet when no filter parameter is present,
  and answer a bad value exactly as django-filter's own backend did.
* A ticket's `sla` dates are written as DRF's DateTimeField writes them.
* general-stats, clients-evolution and least-busy-technician run one statement of SQL
  written once, and answer what counting the tickets with the ORM answers.
"""

from datetime import UTC, datetime
from functools import partial
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_filters import FilterSet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers
from rest_framework.generics import GenericAPIView

from notifications.models import Notification, NotificationType
from reports import selectors as report_selectors
from reports.models import RollupZone
from tests.factories import TicketFactory, UserFactory, estado
from tickethelp.filtering import RequestedFilterBackend
from tickets import selectors as tickets_selectors
from tickets.models import EstadoCodigo, Ticket
from tickets.serializers import SLAField
from users.filters import UserFilter
from users.models import Role, User

pytestmark = pytest.mark.django_db


def documents() -> list[str]:
    return list(User.objects.order_by("last_name", "first_name", "id").values_list("document", flat=True))


def separate_counts(statements: list[str]) -> list[str]:
    """Statements that only count rows (a list's own page may carry a bounded count)."""
    return [sql for sql in statements if sql.upper().lstrip().startswith("SELECT COUNT(")]


def statements_of(client, path: str):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return response, [query["sql"] for query in captured.captured_queries]


# --- unpaged lists: no COUNT --------------------------------------------------------------------


@pytest.mark.parametrize("extra", [0, 9])
def test_an_unpaged_list_up_to_the_limit_is_every_row_without_a_count(as_admin, settings, extra):
    # given a limit of 10 and 1 or exactly 10 users (the admin included)
    settings.MAX_UNPAGED_RESULTS = 10
    UserFactory.create_batch(extra, role=Role.TECH)

    # when the list is read without paging parameters
    response, statements = statements_of(as_admin, "/api/users/")

    # then every user, their number as the total, no link, from one statement besides
    # authentication (no COUNT of its own)
    assert [user["document"] for user in response.json()] == documents()
    assert response["X-Total-Count"] == str(extra + 1)
    assert "Link" not in response
    assert len(statements) == 2, statements
    assert not separate_counts(statements)


def test_an_unpaged_list_one_past_the_limit_is_the_first_page_with_the_counted_total(as_admin, settings):
    # given a limit of 55 and 56 users: more than the limit, more than a page of 50
    settings.MAX_UNPAGED_RESULTS = 55
    UserFactory.create_batch(55, role=Role.TECH)

    # when the list is read without paging parameters
    response, statements = statements_of(as_admin, "/api/users/")

    # then the first page of 50, the total (counted: not every row was read) and the next link
    assert [user["document"] for user in response.json()] == documents()[:50]
    assert response["X-Total-Count"] == "56"
    assert response["Link"] == '<http://testserver/api/users/?limit=50&offset=50>; rel="next"'
    assert len(separate_counts(statements)) == 1


def test_past_a_limit_below_a_page_the_first_page_needs_no_count(as_admin, settings):
    # given a limit of 10 and 30 users: past the limit, within the first page of 50
    settings.MAX_UNPAGED_RESULTS = 10
    UserFactory.create_batch(29, role=Role.TECH)

    # when the list is read without paging parameters
    response, statements = statements_of(as_admin, "/api/users/")

    # then the first page is every user, the total is their number, without a COUNT of its own
    assert [user["document"] for user in response.json()] == documents()
    assert response["X-Total-Count"] == "30"
    assert "Link" not in response
    assert not separate_counts(statements)


def test_an_empty_paging_parameter_reads_the_whole_list_too(as_admin):
    # given a few users
    UserFactory.create_batch(3, role=Role.CLIENT)

    # when the paging parameters are sent empty
    response, statements = statements_of(as_admin, "/api/users/?page=&page_size=")

    # then the whole list, without a COUNT of its own
    assert [user["document"] for user in response.json()] == documents()
    assert response["X-Total-Count"] == "4"
    assert not separate_counts(statements)


def test_a_paged_list_counts_in_the_pages_statement(as_admin):
    # given 5 users
    UserFactory.create_batch(4, role=Role.CLIENT)

    # when a page is asked for
    response, statements = statements_of(as_admin, "/api/users/?limit=2&offset=1")

    # then that page and the counted total, from one statement besides authentication
    assert [user["document"] for user in response.json()] == documents()[1:3]
    assert response["X-Total-Count"] == "5"
    assert len(statements) == 2, statements
    assert "COUNT(*)" in statements[1]


def test_a_page_past_the_end_still_answers_the_total(as_admin):
    # given 5 users
    UserFactory.create_batch(4, role=Role.CLIENT)

    # when a page past the last row is asked for
    response, statements = statements_of(as_admin, "/api/users/?limit=2&offset=10")

    # then no rows, the total (counted apart: no row carried it) and the link back
    assert response.json() == []
    assert response["X-Total-Count"] == "5"
    assert 'rel="prev"' in response["Link"]
    assert len(statements) == 3, statements


def test_an_empty_first_page_is_a_total_of_zero(as_tech):
    # when a technician without notifications reads the first page of them
    response, statements = statements_of(as_tech, "/api/notifications/?page=1")

    # then nothing, a total of 0, with no COUNT of its own
    assert response.json() == []
    assert response["X-Total-Count"] == "0"
    assert len(statements) == 2, statements


@pytest.mark.parametrize(("query", "expected"), [("", 7), ("?leidas=false", 4), ("?leidas=true&page_size=2", 3)])
def test_the_notifications_list_counts_in_the_pages_statement(tech_user, as_tech, query, expected):
    # given 7 notifications of the technician (3 read) and one of someone else
    tipo = NotificationType.objects.get(codigo="estado_cambiado")
    for n in range(7):
        Notification.objects.create(
            usuario=tech_user,
            tipo=tipo,
            titulo=f"Aviso {n}",
            mensaje="Texto",
            fecha_lectura=timezone.now() if n < 3 else None,
        )
    Notification.objects.create(usuario=UserFactory(role=Role.TECH), tipo=tipo, titulo="Otro", mensaje="Texto")

    # when the technician reads the list
    response, statements = statements_of(as_tech, f"/api/notifications/{query}")

    # then the page, the total of the (filtered) list, in one statement besides authentication
    assert response["X-Total-Count"] == str(expected)
    assert len(response.json()) == min(expected, 2 if "page_size" in query else 50)
    assert len(statements) == 2, statements


# --- filters: built only when a filter parameter is present ------------------------------------


@pytest.fixture
def filtersets_built(monkeypatch):
    """The FilterSet classes instantiated during the test, in order."""
    built = []
    original = FilterSet.__init__

    def watched(self, *args, **kwargs):
        built.append(type(self))
        original(self, *args, **kwargs)

    monkeypatch.setattr(FilterSet, "__init__", watched)
    return built


@pytest.mark.parametrize("path", ["/api/users/", "/api/users/?page_size=20", "/api/notifications/?page=1"])
def test_a_list_without_filter_parameters_builds_no_filterset(as_admin, filtersets_built, path):
    # given each list read once (the backend learns its FilterSet's parameters)
    assert as_admin.get(path).status_code == 200
    filtersets_built.clear()

    # when it is read again without a filter parameter
    response = as_admin.get(path)

    # then no FilterSet was built
    assert response.status_code == 200
    assert filtersets_built == []


def test_a_filter_parameter_filters(as_admin, filtersets_built):
    # given users of every role
    UserFactory.create_batch(2, role=Role.TECH)
    UserFactory(role=Role.CLIENT)

    # when the list is asked for technicians, and then with an empty role
    technicians = as_admin.get("/api/users/?role=TECH")
    empty = as_admin.get("/api/users/?role=")

    # then only technicians first, everyone then, each time through the FilterSet
    assert {user["role"] for user in technicians.json()} == {Role.TECH}
    assert len(technicians.json()) == 2
    assert len(empty.json()) == 4
    assert filtersets_built.count(UserFilter) >= 2


BAD_FILTERS = [
    "/api/users/?role=KING",
    "/api/users/?is_active=maybe",
    "/api/users/?joined_from=yesterday&search=" + "x" * 101,
    "/api/notifications/?leidas=2&tipo=Bad-Type",
    "/api/notifications/?estado=nope&page_size=5",
]


@pytest.mark.parametrize("path", BAD_FILTERS)
def test_bad_filter_values_answer_what_django_filter_answered(as_admin, path):
    # given the answer of django-filter's own backend
    with patch.object(GenericAPIView, "filter_backends", [DjangoFilterBackend]):
        expected = as_admin.get(path)

    # when the request reaches the application's backend
    response = as_admin.get(path)

    # then the same 400, byte for byte
    assert GenericAPIView.filter_backends == [RequestedFilterBackend]
    assert (response.status_code, response.content) == (400, expected.content)


# --- the ticket's `sla` key: DRF's date-times, written directly ---------------------------------


@pytest.mark.parametrize("zone", ["UTC", "America/Bogota"])
@pytest.mark.parametrize(
    "moment",
    [
        datetime(2024, 1, 15, 10, 30, tzinfo=UTC),
        datetime(2025, 6, 30, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2025, 3, 1, 8, 0, tzinfo=ZoneInfo("Europe/Madrid")),
        datetime(2025, 3, 1, 8, 0, 0, 5),  # noqa: DTZ001 - naive on purpose: DRF's own path
    ],
)
def test_the_sla_key_writes_dates_as_drf_does(moment, zone):
    # given an SLA state with the date in every clock
    value = {"first_response_due": moment, "resolution_due": moment, "approval_due": None}
    value |= {"breached": ("resolution",), "paused": False}

    # when the SLA field writes it, in the current time zone
    with timezone.override(zone):
        written = SLAField().to_representation(value)
        expected = serializers.DateTimeField().to_representation(moment)

    # then each date is what DRF's DateTimeField writes
    assert written == {
        "first_response_due": expected,
        "resolution_due": expected,
        "approval_due": None,
        "breached": ["resolution"],
        "paused": False,
    }


# --- reports and least-busy: one statement of hand-written SQL, the ORM's answers ---------------


def stated_counts(tickets) -> dict:
    """general-stats counted from the tickets with the ORM, state by state."""
    return {
        "tickets_abiertos": tickets.filter(estado__es_final=False).count(),
        "tickets_finalizados": tickets.filter(estado__codigo=EstadoCodigo.FINALIZED).count(),
        "tickets_cancelados": tickets.filter(estado__codigo=EstadoCodigo.CANCELED).count(),
        "total_tickets": tickets.count(),
    }


@pytest.fixture
def spread_tickets(db):
    """Tickets in every state, one a month of 2025 (UTC noon), some re-stated after creation."""
    codes = ("open", "diagnosis", "in_repair", "finalized", "canceled")
    for month in range(1, 13):
        TicketFactory(estado=estado(codes[month % 5]), fecha=datetime(2025, month, 15, 12, tzinfo=UTC))
    moved = Ticket.objects.filter(fecha__month__in=(2, 3))
    moved.update(estado=estado("canceled"))  # the counters follow (triggers)


@pytest.mark.parametrize(
    ("lower", "upper"),
    [
        (None, None),
        (datetime(2025, 3, 1, tzinfo=UTC), None),
        (None, datetime(2025, 9, 15, 12, tzinfo=UTC)),  # the upper bound is excluded
        (datetime(2025, 2, 15, 12, tzinfo=UTC), datetime(2025, 7, 1, tzinfo=UTC)),
        (datetime(2026, 1, 1, tzinfo=UTC), None),  # nothing in range
    ],
)
@pytest.mark.sqlite
def test_general_stats_answers_the_tickets_counted_state_by_state(spread_tickets, lower, upper):
    # given tickets in every state, some moved to another state after they were created
    tickets = Ticket.objects.all()
    if lower is not None:
        tickets = tickets.filter(fecha__gte=lower)
    if upper is not None:
        tickets = tickets.filter(fecha__lt=upper)

    # when general-stats is computed for the range
    stats = report_selectors.general_stats(lower=lower, upper=upper)

    # then each figure is the ORM's count, as integers
    assert stats == stated_counts(tickets)
    assert all(type(value) is int for value in stats.values())


@pytest.mark.parametrize(
    "path", ["/api/reports/stats/general-stats/", "/api/reports/stats/clients-evolution/?year=2025"]
)
def test_the_two_reports_run_one_statement_besides_authentication(as_admin, spread_tickets, path):
    # when the report is read
    response, statements = statements_of(as_admin, path)

    # then the caller's authentication and one statement
    assert response.json()
    assert len(statements) == 2, statements


def test_clients_evolution_answers_the_distinct_clients_of_each_month(as_admin, spread_tickets):
    # given one more ticket of January's client in March, and roll-ups kept in the reports' zone
    january = Ticket.objects.get(fecha__month=1)
    TicketFactory(cliente=january.cliente, fecha=datetime(2025, 3, 20, tzinfo=UTC))
    assert RollupZone.objects.exists()

    # when the year is read
    response = as_admin.get("/api/reports/stats/clients-evolution/?year=2025")

    # then each month's distinct clients (March has two), and the year's
    monthly = {f"{m:02d}": 1 for m in range(1, 13)} | {"03": 2}
    assert response.json() == {"year": 2025, "total_clientes": 12, "mensual": monthly}


def test_clients_evolution_without_kept_rollups_counts_the_tickets(as_admin, spread_tickets):
    # given roll-ups that are not kept in the reports' time zone
    RollupZone.objects.update(zone="Pacific/Kiritimati")

    # when the year is read
    with CaptureQueriesContext(connection) as captured:
        response = as_admin.get("/api/reports/stats/clients-evolution/?year=2025")

    # then the tickets were counted instead (after the one statement that found no roll-ups)
    assert response.json() == {"year": 2025, "total_clientes": 12, "mensual": {f"{m:02d}": 1 for m in range(1, 13)}}
    assert len(captured.captured_queries) == 4


@pytest.fixture
def technicians(db):
    """Technicians whose loads tie in every way least-busy breaks ties, and an idle inactive one."""
    make = partial(UserFactory, role=Role.TECH)
    busy, tied_a, tied_b, fewer_total, idle_inactive = (
        make(last_name="Busy"),
        make(last_name="Zapata", first_name="Ana"),
        make(last_name="Zapata", first_name="Ana"),
        make(last_name="Zapata", first_name="Zoe"),
        make(last_name="Aaron", is_active=False),
    )
    for technician, open_count, closed_count in (
        (busy, 3, 0),
        (tied_a, 1, 2),
        (tied_b, 1, 2),
        (fewer_total, 1, 1),
    ):
        TicketFactory.create_batch(open_count, tecnico=technician, estado=estado("open"))
        TicketFactory.create_batch(closed_count, tecnico=technician, estado=estado("finalized"))
    return busy, tied_a, tied_b, fewer_total, idle_inactive


def test_least_busy_is_the_first_technician_with_load(technicians):
    # given technicians whose loads tie (open, then total, then names, then id)
    _, tied_a, tied_b, fewer_total, _ = technicians

    # when the least busy technician is chosen, then as each one gets busier
    chosen = []
    for technician in (fewer_total, tied_a, tied_b):
        expected = tickets_selectors.technicians_with_load().first()
        found = tickets_selectors.least_busy_technician()
        assert (found, found.open_tickets, found.total_tickets) == (
            expected,
            expected.open_tickets,
            expected.total_tickets,
        )
        assert type(found.open_tickets) is int
        chosen.append(found)
        TicketFactory.create_batch(5, tecnico=technician, estado=estado("open"))

    # then the order of least-busy was fewer total first, then the lower id of the tie
    assert chosen == [fewer_total, tied_a, tied_b]


def test_least_busy_is_none_without_active_technicians(db):
    # given only an inactive technician
    UserFactory(role=Role.TECH, is_active=False)

    # then nobody is chosen
    assert tickets_selectors.least_busy_technician() is None


def test_least_busy_endpoint_runs_one_statement_besides_authentication(as_admin, technicians):
    # when least-busy is read
    response, statements = statements_of(as_admin, "/api/tickets/least-busy-technician/")

    # then the technician with the fewest total among the least open, in one statement
    assert response.json()["id"] == technicians[3].document
    assert response.json()["tickets_abiertos"] == 1
    assert len(statements) == 2, statements
