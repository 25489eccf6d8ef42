"""bench/wsgi.py, the load benchmark's entry point: its bare route (the machine's own floor in
bench/load.py) and the deployed application behind it. No database: neither path queries."""

import io
import json

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from bench import wsgi


@pytest.fixture(autouse=True)
def _connections_left_alone():
    """As Django's test client does: a request served here must not close (or touch) the
    database connection another test left open."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_bare_route_answers_before_django_and_every_other_path_reaches_the_application():
    def call(path):
        started = []
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "HTTP_HOST": "testserver",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": io.StringIO(),
            "HTTP_ACCEPT": "application/json",
        }
        body = wsgi.application(environ, lambda status, headers, *exc: started.append((status, dict(headers))))
        content = b"".join(body)
        getattr(body, "close", lambda: None)()
        return started[0], content

    # when
    (status, headers), content = call("/bench/bare/")
    (other_status, other_headers), _ = call("/api/no-such-endpoint/")

    # then the bare route is a constant JSON without Django's headers (no request id: the
    # middleware never ran), and any other path goes through the deployed application
    assert (status, json.loads(content)) == ("200 OK", {"message": "bare"})
    assert "X-Request-ID" not in headers
    assert other_status.startswith("404")
    assert "X-Request-ID" in other_headers
