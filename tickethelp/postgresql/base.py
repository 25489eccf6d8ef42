"""Django's PostgreSQL backend, with the connection health check after idle spells only.

With CONN_HEALTH_CHECKS Django sends `SELECT 1` on a reused connection before the first
statement of every request: a round trip as long as the request's own query, on every
request (the floor ladder in bench/ showed it as half the database time of a one-row GET).
A connection that ran a statement a moment ago is as good as checked: here the check is
made only when the connection has been idle for HEALTH_CHECK_IDLE_SECONDS (settings:
`DB_HEALTH_CHECK_IDLE_SECONDS`, default 5; 0 = Django's check on every request).

What a stale connection does is unchanged: a connection the server dropped during an idle
spell longer than that is still found out by the check and replaced before the request
uses it; one dropped within the window fails that request's statement, and Django closes
it at the end of the request (errors_occurred), as without health checks.

psycopg turns a statement's `%s` placeholders into PostgreSQL's `$n` by parsing its text,
and keeps the result (an LRU of 128 statements) only for statements of at most 4,096
characters and 50 parameters. The writes send one data-modifying WITH each (the ticket's
UPDATE or INSERT, its history, the notifications and their tasks: 5,000-9,000 characters,
up to ~100 parameters), which were parsed again on every run: 0.3-0.7 ms of a write's 6-11 ms of
CPU. The limits are raised below so that they are kept like every shorter statement
(tests/ops/test_db_round_trips.py fails if psycopg renames them).
"""

import time

from django.db.backends.postgresql import base
from django.db.backends.postgresql.base import Cursor as ClientBindingCursor
from psycopg import _queries

_queries.MAX_CACHED_STATEMENT_LENGTH = max(_queries.MAX_CACHED_STATEMENT_LENGTH, 16_384)
_queries.MAX_CACHED_STATEMENT_PARAMS = max(_queries.MAX_CACHED_STATEMENT_PARAMS, 256)


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.last_used = None

    def create_cursor(self, name=None):
        self.last_used = time.monotonic()
        return super().create_cursor(name)

    def close_if_health_check_failed(self):
        idle_limit = self.settings_dict.get("HEALTH_CHECK_IDLE_SECONDS", 0)
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and self.last_used is not None
            and time.monotonic() - self.last_used < idle_limit
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def connect(self):
        super().connect()
        self.last_used = None

    def client_binding_cursor(self):
        """A cursor binding its parameters client-side on this connection, wrapped as
        `cursor()` wraps its own (query log, execute wrappers, error translation): for one
        call holding several statements, which server-side binding (DB_PREPARED_STATEMENTS)
        cannot send. Its statements are never prepared."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            self.last_used = time.monotonic()
            return self._prepare_cursor(ClientBindingCursor(self.connection))
