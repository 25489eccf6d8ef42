"""The staff reads' fast paths answer what the slower ones answered.

* Lists read whole (no paging parameter) run no COUNT: one row more than
  MAX_UNPAGED_RESULTS is read in the page's own statement (tickethelp/pagination.py), and
  past the limit the answer is still the first page with the total and a `Link`.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory
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
