"""GET /healthz: the platform's view of whether this instance can serve."""

from unittest import mock

import pytest
from django.db import OperationalError


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/healthz/"])
def test_healthz_reports_a_reachable_database(api_client, path):
    # when
    response = api_client.get(path)

    # then
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_does_not_answer(api_client):
    # given a database that refuses connections
    with mock.patch("tickethelp.health.connection.cursor", side_effect=OperationalError("down")):
        # when
        response = api_client.get("/healthz")

    # then
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}


@pytest.mark.django_db
def test_unknown_paths_are_json_404(api_client):
    response = api_client.get("/api/no-such-endpoint/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No encontrado."}
