"""Round trips to PostgreSQL per request: the health check runs only after an idle spell
(tickethelp/postgresql), and an authenticated one-row GET is one statement in all."""

import runpy
import time

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections

from tests import wsgi_requests
from tests.factories import UserFactory
from tests.processes import ROOT
from tickethelp.postgresql.base import DatabaseWrapper
from users.models import Role
from users.tokens import issue_tokens

connection = connections["default"]
pytestmark = pytest.mark.postgresql(reason="the health check of tickethelp/postgresql, a PostgreSQL backend")


@pytest.fixture
def usable_checks(monkeypatch):
    """The health checks (`SELECT 1` round trips) the connection makes, counted."""
    checks = []
    assert isinstance(connection, DatabaseWrapper)  # the settings' engine
    original = DatabaseWrapper.is_usable

    def counted(self):
        checks.append(time.monotonic())
        return original(self)

    monkeypatch.setattr(DatabaseWrapper, "is_usable", counted)
    monkeypatch.setitem(connection.settings_dict, "HEALTH_CHECK_IDLE_SECONDS", 5)
    return checks


def _start_of_a_request(monkeypatch):
    """What Django does to a kept connection when the next request starts."""
    monkeypatch.setattr(connection, "health_check_enabled", True)
    monkeypatch.setattr(connection, "health_check_done", False)


@pytest.mark.django_db
def test_a_connection_used_a_moment_ago_is_not_checked(monkeypatch, usable_checks):
    # given
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    _start_of_a_request(monkeypatch)

    # when
    with connection.cursor() as cursor:
        cursor.execute("SELECT 2")

    # then
    assert usable_checks == []
    assert connection.health_check_done is True


@pytest.mark.django_db
def test_a_connection_idle_past_the_limit_is_checked_first(monkeypatch, usable_checks):
    # given
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    monkeypatch.setattr(connection, "last_used", time.monotonic() - 6)
    _start_of_a_request(monkeypatch)

    # when
    with connection.cursor() as cursor:
        cursor.execute("SELECT 2")

    # then
    assert len(usable_checks) == 1


@pytest.mark.django_db
def test_a_zero_limit_checks_before_every_request_as_django_does(monkeypatch, usable_checks):
    # given
    monkeypatch.setitem(connection.settings_dict, "HEALTH_CHECK_IDLE_SECONDS", 0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    _start_of_a_request(monkeypatch)

    # when
    with connection.cursor() as cursor:
        cursor.execute("SELECT 2")

    # then
    assert len(usable_checks) == 1


def _get(application, path: str, token: str) -> str:
    return wsgi_requests.get(application, path, HTTP_AUTHORIZATION=f"Bearer {token}")[0]


@pytest.mark.django_db(transaction=True)
def test_an_authenticated_one_row_get_is_one_statement_and_no_health_check(monkeypatch, usable_checks):
    # given: a kept connection (CONN_MAX_AGE), the deployed handler with its middleware and
    # request signals, and a user's token
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", True)
    connection.close()
    token = str(issue_tokens(UserFactory(role=Role.TECH)).access_token)
    application = WSGIHandler()
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    # when: the same GET three times, the third after the connection sat idle
    per_request = []
    with connection.execute_wrapper(record):
        for idle in (False, False, True):
            if idle:
                connection.last_used = time.monotonic() - 6
            before = len(statements)
            assert _get(application, "/api/me/", token) == "200 OK"
            per_request.append(len(statements) - before)

    # then: one statement each (the user row with its revocation checks), and a health
    # check only after the idle spell
    assert per_request == [1, 1, 1]
    assert len(usable_checks) == 1


# --- Prepared statements ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_statement_run_more_than_five_times_is_prepared_on_the_server():
    # given a statement of the ORM's, not prepared yet on this connection
    User = UserFactory._meta.model
    user = UserFactory()
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    connection.connection._prepared.clear()

    # when the application runs it a sixth time (psycopg prepares past its threshold of 5)
    for _ in range(6):
        User.objects.filter(pk=user.pk, is_active=True).values_list("document", flat=True).first()

    # then PostgreSQL holds it prepared: the next runs are planned once, not every time
    # (unless DB_PREPARED_STATEMENTS=false, as behind a pooler that cannot keep them)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        prepared = [statement for (statement,) in cursor.fetchall()]
    expected = connection.settings_dict["OPTIONS"].get("prepare_threshold") is not None
    assert any('FROM "users_user"' in statement and '"is_active"' in statement for statement in prepared) is expected


def _settings_module(monkeypatch, **env: str) -> dict:
    monkeypatch.setenv("DATABASE_URL", "postgres://tickethelp@db.internal:5432/tickethelp")
    monkeypatch.delenv("DB_PREPARED_STATEMENTS", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "tickethelp" / "settings.py"))


def test_prepared_statements_are_on_by_default_and_can_be_turned_off_for_a_pooler(monkeypatch):
    # when the settings are read with the default, then with DB_PREPARED_STATEMENTS=false
    default = _settings_module(monkeypatch)["DATABASES"]["default"]["OPTIONS"]
    off = _settings_module(monkeypatch, DB_PREPARED_STATEMENTS="false")["DATABASES"]["default"]["OPTIONS"]

    # then server-side binding (which preparing needs) comes and goes with them
    assert default["server_side_binding"] is True
    assert default["prepare_threshold"] == 5
    assert "server_side_binding" not in off
    assert "prepare_threshold" not in off
    assert off["options"] == default["options"]  # the session settings stay either way


@pytest.mark.django_db
def test_a_long_statement_is_parsed_for_placeholders_once():
    from psycopg import _queries

    # given a statement as long as a write's WITH, with as many parameters
    server_side = connection.settings_dict["OPTIONS"].get("server_side_binding")
    cache = _queries._query2pg if server_side else _queries._query2pg_client
    columns = ", ".join(f"%s::int AS c{n}" for n in range(100))
    statement = f"SELECT {columns} /* {'x' * 6000} */"
    assert len(statement) > 4096
    with connection.cursor() as cursor:
        cursor.execute(statement, list(range(100)))
        hits = cache.cache_info().hits

        # when it runs again
        cursor.execute(statement, list(range(100, 200)))

        # then psycopg found its conversion in its cache (tickethelp/postgresql raised the limits)
        assert cache.cache_info().hits == hits + 1
        assert cursor.fetchone()[99] == 199
