"""Request ids: kept when sane, generated otherwise, echoed, and on one log line per request."""

import contextvars
import json
import logging
import re
import sys

import pytest

from tickethelp.logging import JsonFormatter, RequestIdFilter, request_id_var

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


def _request_records(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "tickethelp.request"]


@pytest.mark.django_db
def test_a_request_without_an_id_gets_a_generated_one(api_client):
    # when
    response = api_client.get("/healthz")

    # then
    assert response.status_code == 200
    assert GENERATED_ID.fullmatch(response["X-Request-ID"])


@pytest.mark.django_db
def test_a_sane_incoming_id_is_echoed(api_client):
    # when
    response = api_client.get("/healthz", HTTP_X_REQUEST_ID="edge-Proxy_42.abc")

    # then
    assert response["X-Request-ID"] == "edge-Proxy_42.abc"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "incoming",
    ["has space", "x" * 65, 'quote"d', "semi;colon", "ñandú", ""],
)
def test_an_unsafe_incoming_id_is_replaced(api_client, incoming):
    # when
    response = api_client.get("/healthz", HTTP_X_REQUEST_ID=incoming)

    # then
    assert response["X-Request-ID"] != incoming
    assert GENERATED_ID.fullmatch(response["X-Request-ID"])


@pytest.mark.django_db
def test_every_response_carries_the_id_even_errors(api_client):
    # when an unknown path and an anonymous call to a protected endpoint are made
    not_found = api_client.get("/api/no-such-endpoint/", HTTP_X_REQUEST_ID="req-404")
    unauthorised = api_client.get("/api/estados/", HTTP_X_REQUEST_ID="req-401")

    # then
    assert (not_found.status_code, not_found["X-Request-ID"]) == (404, "req-404")
    assert (unauthorised.status_code, unauthorised["X-Request-ID"]) == (401, "req-401")


@pytest.mark.django_db
def test_one_structured_line_per_request_without_query_string(api_client, caplog):
    # given
    caplog.set_level(logging.INFO, logger="tickethelp.request")

    # when
    response = api_client.get("/healthz?token=secret-token-value&password=hunter2", HTTP_X_REQUEST_ID="req-1")

    # then exactly one line describes the request, with the path but no query string
    assert response.status_code == 200
    [record] = _request_records(caplog)
    line = json.loads(JsonFormatter().format(record))
    assert line.pop("time")
    assert isinstance(line.pop("duration_ms"), float)
    assert line.pop("bytes") == len(response.content) > 0
    assert line == {
        "level": "INFO",
        "logger": "tickethelp.request",
        "message": "GET /healthz 200",
        "request_id": "req-1",
        "method": "GET",
        "path": "/healthz",
        "status": 200,
        "remote_addr": "127.0.0.1",
        "user_id": None,
    }


@pytest.mark.django_db
def test_the_request_line_names_the_authenticated_user_and_never_the_token(as_admin, admin_user, caplog):
    # given
    caplog.set_level(logging.INFO, logger="tickethelp.request")
    token = as_admin._credentials["HTTP_AUTHORIZATION"].removeprefix("Bearer ")

    # when
    response = as_admin.get("/api/estados/", HTTP_X_REQUEST_ID="req-2")

    # then
    assert response.status_code == 200
    [record] = _request_records(caplog)
    formatted = JsonFormatter().format(record)
    line = json.loads(formatted)
    assert (line["user_id"], line["status"], line["path"], line["request_id"]) == (
        admin_user.pk,
        200,
        "/api/estados/",
        "req-2",
    )
    assert token not in formatted


def _filter_during_request(record: logging.LogRecord, request_id: str) -> None:
    request_id_var.set(request_id)
    RequestIdFilter().filter(record)


def test_the_filter_stamps_the_current_request_id_on_any_record():
    # given a record handled while a request id is current, and one handled outside any request
    inside = logging.LogRecord("app", logging.WARNING, __file__, 1, "inside", (), None)
    outside = logging.LogRecord("app", logging.WARNING, __file__, 1, "outside", (), None)

    # when
    contextvars.copy_context().run(_filter_during_request, inside, "req-in-context")
    RequestIdFilter().filter(outside)

    # then
    assert inside.request_id == "req-in-context"
    assert outside.request_id == "-"


def test_the_json_formatter_drops_objects_whose_repr_could_leak_the_query_string():
    # given a record like django.request's, with the request object as an extra
    class FakeRequest:
        def __repr__(self) -> str:
            return "<WSGIRequest: GET '/api/x?token=secret'>"

    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/api/x",), None)
    record.request = FakeRequest()
    record.status_code = 404
    record.request_id = "req-3"

    # when
    formatted = JsonFormatter().format(record)

    # then
    line = json.loads(formatted)
    assert "secret" not in formatted
    assert (line["message"], line["status_code"], line["request_id"]) == ("Not Found: /api/x", 404, "req-3")
    assert "request" not in line


def test_the_json_formatter_includes_the_traceback():
    # given
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("app", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())

    # when
    line = json.loads(JsonFormatter().format(record))

    # then
    assert line["message"] == "failed"
    assert line["exc_info"].splitlines()[-1] == "ValueError: boom"
