"""The staff reads' fast paths answer what the slower ones answered.

* Lists read whole (no paging parameter) run no COUNT: one row more than
  MAX_UNPAGED_RESULTS is read in the page's own statement (tickethelp/pagination.py), and
  past the limit the answer is still the first page with the total and a `Link`.
* Filters (tickethelp/filtering.py) build no FilterSet when no filter parameter is present,
  and answer a bad value exactly as django-filter's own backend did.
* A ticket's `sla` dates are written as DRF's DateTimeField writes them.
"""

from datetime import UTC, datetime
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

from tests.factories import UserFactory
from tickethelp.filtering import RequestedFilterBackend
from tickets.serializers import SLAField
from users.filters import UserFilter
from users.models import Role, User

pytestmark = pytest.mark.django_db


def documents() -> list[str]:
    return list(User.objects.order_by("last_name", "first_name", "id").values_list("document", flat=True))


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

    # then every user, their number as the total, no link, and no COUNT was run
    assert [user["document"] for user in response.json()] == documents()
    assert response["X-Total-Count"] == str(extra + 1)
    assert "Link" not in response
    assert not [sql for sql in statements if "COUNT(" in sql.upper()]


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
    assert len([sql for sql in statements if "COUNT(" in sql.upper()]) == 1


def test_past_a_limit_below_a_page_the_first_page_needs_no_count(as_admin, settings):
    # given a limit of 10 and 30 users: past the limit, within the first page of 50
    settings.MAX_UNPAGED_RESULTS = 10
    UserFactory.create_batch(29, role=Role.TECH)

    # when the list is read without paging parameters
    response, statements = statements_of(as_admin, "/api/users/")

    # then the first page is every user, the total is their number, without a COUNT
    assert [user["document"] for user in response.json()] == documents()
    assert response["X-Total-Count"] == "30"
    assert "Link" not in response
    assert not [sql for sql in statements if "COUNT(" in sql.upper()]


def test_an_empty_paging_parameter_reads_the_whole_list_too(as_admin):
    # given a few users
    UserFactory.create_batch(3, role=Role.CLIENT)

    # when the paging parameters are sent empty
    response, statements = statements_of(as_admin, "/api/users/?page=&page_size=")

    # then the whole list, without a COUNT
    assert [user["document"] for user in response.json()] == documents()
    assert response["X-Total-Count"] == "4"
    assert not [sql for sql in statements if "COUNT(" in sql.upper()]


def test_a_paged_list_still_counts(as_admin):
    # given 5 users
    UserFactory.create_batch(4, role=Role.CLIENT)

    # when a page is asked for
    response, statements = statements_of(as_admin, "/api/users/?limit=2&offset=1")

    # then that page and the counted total
    assert [user["document"] for user in response.json()] == documents()[1:3]
    assert response["X-Total-Count"] == "5"
    assert len([sql for sql in statements if "COUNT(" in sql.upper()]) == 1


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
