"""bench/wsgi.py, the load benchmark's entry point: its bare route (the machine's own floor in
bench/load.py) and the deployed application behind it. No database: neither path queries."""

import json

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from bench import wsgi
from tests import wsgi_requests


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
    # when
    status, headers, content = wsgi_requests.get(wsgi.application, "/bench/bare/")
    other_status, other_headers, _ = wsgi_requests.get(wsgi.application, "/api/no-such-endpoint/")

    # then the bare route is a constant JSON without Django's headers (no request id: the
    # middleware never ran), and any other path goes through the deployed application
    assert (status, json.loads(content)) == ("200 OK", {"message": "bare"})
    assert "X-Request-ID" not in headers
    assert other_status.startswith("404")
    assert "X-Request-ID" in other_headers
