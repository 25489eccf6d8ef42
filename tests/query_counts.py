"""SQL query budgets: a read must not cost more with more rows, a write stays under its budget.

`assert_constant` measures a GET with 1 row, adds 49 more, and asserts the second request
runs exactly as many queries; on failure it names the statements that ran more often (the
N+1). `count_write` runs one write and splits its statements into the budgeted ones and
the notification statements, which are not: each event's insert (as many rows as
recipients) and its recipients' channel read (one query; its cost is pinned on its own in
tests/notifications/test_push.py).
"""

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.test.utils import CaptureQueriesContext

# Generous ceiling for a read; the real check is that 1 row and 50 rows cost exactly the same.
MAX_READ_QUERIES = 8

# A write runs fewer than this many queries, not counting its notification statements.
WRITE_QUERY_BUDGET = 10

NOTIFICATION_INSERT = 'INSERT INTO "notifications_notification"'
NOTIFICATION_CHANNELS = re.compile(r'^SELECT .* FROM "notifications_notificationpreference"')

# Transaction bookkeeping, not data access: inside a test's transaction every
# `transaction.atomic()` becomes a SAVEPOINT/RELEASE pair (in production the outermost one is
# a BEGIN/COMMIT, which Django does not log at all).
_TRANSACTION_CONTROL = re.compile(r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b")


def _shape(sql: str) -> str:
    """The statement with its literals blanked, so that per-row repeats group together."""
    return re.sub(r"'[^']*'|\b\d+\b", "?", sql)


def _listing(queries: list[str]) -> str:
    return "\n".join(f"  {n}. {sql}" for n, sql in enumerate(queries, 1))


def _sql(context: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in context.captured_queries]


def _get(client, path: str, expected_status: int):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == expected_status, getattr(response, "content", b"")[:500]
    return response, _sql(captured)


def assert_constant(
    client,
    path: str,
    add_rows: Callable[[int], object],
    *,
    max_queries: int = MAX_READ_QUERIES,
    expected_status: int = 200,
):
    """GET `path` with 1 row and with 50 rows (`add_rows(n)` adds n); same number of
    queries both times, at most `max_queries`. Returns the response of the 50-row request,
    for the caller to check that the rows really are in it."""
    # given one row
    add_rows(1)
    _, with_one = _get(client, path, expected_status)
    assert len(with_one) <= max_queries, f"GET {path}: {len(with_one)} queries:\n{_listing(with_one)}"

    # when there are 50
    add_rows(49)
    response, with_fifty = _get(client, path, expected_status)

    # then the same number of queries runs
    if len(with_fifty) != len(with_one):
        grown = Counter(map(_shape, with_fifty)) - Counter(map(_shape, with_one))
        repeated = "\n".join(f"  +{times}x {sql}" for sql, times in grown.most_common())
        raise AssertionError(
            f"GET {path}: {len(with_one)} queries with 1 row, {len(with_fifty)} with 50. "
            f"Statements that grew:\n{repeated}"
        )
    return response


@dataclass(frozen=True)
class CountedWrite:
    response: object
    queries: list[str]

    @property
    def notification_inserts(self) -> list[str]:
        return [sql for sql in self.queries if sql.startswith(NOTIFICATION_INSERT)]

    @property
    def budgeted(self) -> list[str]:
        """Every statement but the notification statements (inserts, channel reads) and the
        savepoint bookkeeping."""
        return [
            sql
            for sql in self.queries
            if not sql.startswith(NOTIFICATION_INSERT)
            and not NOTIFICATION_CHANNELS.match(sql)
            and not _TRANSACTION_CONTROL.match(sql)
        ]

    def listing(self) -> str:
        return _listing(self.queries)


def count_write(request: Callable[[], object], expected_status: int = 200) -> CountedWrite:
    """Run one write request and capture its SQL."""
    with CaptureQueriesContext(connection) as captured:
        response = request()
    assert response.status_code == expected_status, getattr(response, "content", b"")[:500]
    return CountedWrite(response=response, queries=_sql(captured))


def assert_within_budget(write: CountedWrite, label: str, budget: int = WRITE_QUERY_BUDGET) -> None:
    assert len(write.budgeted) < budget, (
        f"{label}: {len(write.budgeted)} queries (budget < {budget}, notification statements and "
        f"savepoints excluded):\n{write.listing()}"
    )


def assert_write_constant(
    add_rows: Callable[[int], object],
    write: Callable[[], CountedWrite],
    label: str,
    *,
    budget: int | None = WRITE_QUERY_BUDGET,
) -> CountedWrite:
    """Run `write` (one request on a fresh target) with 1 existing row, then with 50
    (`add_rows(n)` adds n tickets, notifications, ...): as many statements both times, and
    fewer than `budget` of them once the notification inserts are set aside (budget=None:
    constancy only). Returns the second measurement."""
    # given one existing row
    add_rows(1)
    with_one = write()

    # when there are 50
    add_rows(49)
    with_fifty = write()

    # then the write runs the same statements, within budget
    if len(with_fifty.queries) != len(with_one.queries):
        grown = Counter(map(_shape, with_fifty.queries)) - Counter(map(_shape, with_one.queries))
        repeated = "\n".join(f"  +{times}x {sql}" for sql, times in grown.most_common())
        raise AssertionError(
            f"{label}: {len(with_one.queries)} queries with 1 existing row, {len(with_fifty.queries)} with 50. "
            f"Statements that grew:\n{repeated}"
        )
    if budget is not None:
        assert_within_budget(with_fifty, label, budget)
    return with_fifty
