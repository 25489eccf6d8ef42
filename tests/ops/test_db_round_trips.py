"""Round trips to PostgreSQL per request: the health check runs only after an idle spell
(tickethelp/postgresql), and an authenticated one-row GET is one statement in all."""

import io
import time

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections

from tests.factories import UserFactory
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
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "HTTP_ACCEPT": "application/json",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
    }
    status = []
    response = application(environ, lambda line, headers, exc_info=None: status.append(line))
    try:
        b"".join(response)
    finally:
        response.close()  # request_finished, as gunicorn sends it
    return status[0]


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
