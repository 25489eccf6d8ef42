"""Create the database that DATABASE_URL names when it does not exist yet.

`make run` calls it before `migrate`, so pointing DATABASE_URL at a new PostgreSQL database
name just works. PostgreSQL: when the database cannot be reached, the server's maintenance
database (`postgres`) is asked whether it exists, and it is created (CREATE DATABASE) if not;
any other failure (server down, wrong password) ends with one line that says what to do.
SQLite creates its file on first use; only a missing parent folder is made here.
"""

import warnings
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

# SQLSTATE of CREATE DATABASE when another process created it first.
DUPLICATE_DATABASE = "42P04"


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[-1] if lines else type(exc).__name__


class Command(BaseCommand):
    help = "Create the database of DATABASE_URL if it does not exist (PostgreSQL; SQLite needs nothing)."
    # Runs before migrate, possibly without a database yet: nothing to check.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: default).")

    def handle(self, *args, database: str, **options):
        connection = connections[database]
        name = connection.settings_dict["NAME"]
        if connection.vendor == "sqlite":
            if name and str(name) != ":memory:" and not str(name).startswith("file:"):
                Path(name).parent.mkdir(parents=True, exist_ok=True)
            return
        if connection.vendor != "postgresql":
            return
        try:
            connection.ensure_connection()
        except DatabaseError as exc:
            self._create_if_missing(connection, name, exc)
        finally:
            connection.close()

    def _create_if_missing(self, connection, name: str, cause: DatabaseError) -> None:
        """Create `name` through the maintenance database if it is missing; else say in one
        line why the database cannot be used."""
        host = connection.settings_dict.get("HOST") or "localhost"
        port = connection.settings_dict.get("PORT") or 5432
        user = connection.settings_dict.get("USER")
        where = f"{host}:{port}"
        createdb = f"createdb -h {host} -p {port}{f' -U {user}' if user else ''} {name}"
        try:
            with warnings.catch_warnings():
                # Django warns, then falls back to `name` itself, when `postgres` is unreachable;
                # the error below says it in one line.
                warnings.simplefilter("ignore", RuntimeWarning)
                self._create(connection, name, cause, where)
        except DatabaseError as exc:
            raise CommandError(
                f"Cannot use or create database {name!r} on {where} ({_first_line(exc)}): check that "
                f"PostgreSQL runs and DATABASE_URL's user may connect, run `{createdb}`, "
                "or unset DATABASE_URL to use SQLite."
            ) from exc
        self.stdout.write(f"Created the PostgreSQL database {name!r} on {where}.")

    @staticmethod
    def _create(connection, name: str, cause: DatabaseError, where: str) -> None:
        with connection._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is not None:
                raise CommandError(f"Database {name!r} exists on {where} but cannot be used: {_first_line(cause)}")
            try:
                cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")
            except DatabaseError as exc:
                if getattr(exc.__cause__, "sqlstate", None) != DUPLICATE_DATABASE:
                    raise
