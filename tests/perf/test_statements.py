"""Statements per request, exact, for every endpoint: the table is bench/statements.py.

Every endpoint of the table is called as its row of the authorization matrix
(tests/security/authorization_matrix.py) says, by a role that row lets in, on the matrix's
seeded world, twice; the second (warm) call's statements are compared with `STATEMENTS`, exactly
(django_assert_num_queries semantics, split into data statements, savepoint statements and
the statements run after commit). Each call is rolled back. Tasks, throttle counters and
the cache are PostgreSQL's, as in production without REDIS_URL.

A changed count fails with the measured `Cost(...)` to put in bench/statements.py; then
`.venv/bin/python -m bench.statements --write` regenerates the table in bench/RESULTS.md
(checked below). With STATEMENTS_RECORD=<file> every measured row is also appended to that
file as a line of Python, to refill the table at once.
"""

import os
import re

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from bench.statements import STATEMENTS, Cost, markdown_table, table_in_results
from tests.security.authorization_matrix import ROWS, Row
from tests.security.test_authorization_matrix import build_world, endpoints, send

pytestmark = pytest.mark.django_db

# Production without REDIS_URL: tasks, throttle counters and the cache in PostgreSQL.
DATABASE_ONLY = {
    "TASKS": {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}},
    "REDIS_URL": "",
    "CACHES": {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "tickethelp_cache"}},
}

# The role that makes the successful call: the first of these the row lets in (public
# endpoints are called anonymously).
CALLERS = ("anonymous", "ADMIN", "TECH", "CLIENT", "tenant")

TRANSACTION_CONTROL = re.compile(r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b")


def caller_of(row: Row) -> str:
    """A role the row answers with success; the catch-all 404 rows are called anonymously."""
    return next((role for role in CALLERS if 200 <= row.expect[role] < 300), "anonymous")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The authorization matrix's world, built once inside a transaction rolled back at the end."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    with django_db_blocker.unblock(), media, transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def measure(row: Row, w, role: str) -> tuple[int, Cost, list[str]]:
    """(status, cost, the request's statements) of one call of `row` as `role`, rolled back."""
    caller = w.callers["portal" if row.audience == "portal" else "staff"][role]
    with override_settings(**DATABASE_ONLY), transaction.atomic():
        cache.clear()
        with CaptureQueriesContext(connection) as during, TestCase.captureOnCommitCallbacks() as callbacks:
            response = send(row, w, caller)
        with CaptureQueriesContext(connection) as after:
            for callback in callbacks:
                callback()
        transaction.set_rollback(True)
    statements = [query["sql"] for query in during.captured_queries]
    control = [sql for sql in statements if TRANSACTION_CONTROL.match(sql)]
    cost = Cost(role, len(statements) - len(control), len(control), len(after.captured_queries))
    return response.status_code, cost, statements


def _listing(statements: list[str]) -> str:
    return "\n".join(f"  {n}. {sql[:300]}" for n, sql in enumerate(statements, 1))


# The table's rows are the ones measured (a route another change adds fails the coverage
# test below, once, naming it); each is called as the authorization matrix's row says.
MATRIX = {row.key: row for row in ROWS}


@pytest.mark.postgresql(reason="PostgreSQL's counts: the ticket code trigger, the row plans' one-statement pages")
@pytest.mark.parametrize("key", sorted(STATEMENTS, key=lambda key: (key[1], key[0])), ids=" ".join)
def test_statements_per_request(db, world, key):
    # given the endpoint's row of the authorization matrix, its successful caller and its count
    assert key in MATRIX, f"{key}: no row in tests/security/authorization_matrix.py to call it with"
    row, expected = MATRIX[key], STATEMENTS[key]
    role = caller_of(row)
    assert role == expected.caller, f"{key}: the matrix's successful caller is now {role}"

    # when the endpoint is called twice (the second call is the one measured: warm caches)
    first_status, _, _ = measure(row, world, role)
    status, measured, statements = measure(row, world, role)

    # then it answers as the matrix says, with exactly the table's statements
    assert (first_status, status) == (row.expect[role], row.expect[role])
    record = os.environ.get("STATEMENTS_RECORD")
    if record:
        with open(record, "a", encoding="utf-8") as out:
            out.write(f"    {row.key!r}: {measured!r},\n")
    assert measured == expected, (
        f"{row}: measured {row.key!r}: {measured!r} (table: {expected!r}). Statements:\n{_listing(statements)}"
    )


def test_every_endpoint_has_a_row_in_the_statements_table():
    # given every (method, route) the URL conf serves (the Django admin excepted)
    served = set(endpoints())

    # then each has a count in the table, and the table counts nothing that is not served
    assert {
        "endpoints without a count": sorted(served - set(STATEMENTS)),
        "counts without an endpoint": sorted(set(STATEMENTS) - served),
    } == {"endpoints without a count": [], "counts without an endpoint": []}


def test_the_documented_table_is_generated_from_the_counts():
    # then bench/RESULTS.md shows exactly the table of bench/statements.py
    assert table_in_results() == markdown_table(), "run: .venv/bin/python -m bench.statements --write"
