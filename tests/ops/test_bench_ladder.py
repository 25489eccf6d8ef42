"""The floor ladder's server side (bench/ladder_app.py): rung 1 answers without Django,
rung 2 replays the real endpoint's own statements and answers their rows. (The ladder
itself runs outside the suite: it needs minutes, gunicorn and wrk.)"""

import json

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from bench import ladder_app
from tests.conftest import client_for
from tests.factories import UserFactory
from users.models import Role

pytestmark = pytest.mark.django_db

LADDER = override_settings(ROOT_URLCONF="bench.ladder_app", ALLOWED_HOSTS=["testserver"])


def test_rung_one_is_a_constant_json_without_django():
    # given
    answers = []

    # when
    body = b"".join(
        ladder_app.application(
            {"PATH_INFO": "/ladder/bare/", "REQUEST_METHOD": "GET"},
            lambda status, headers: answers.append((status, dict(headers))),
        )
    )

    # then
    assert answers == [("200 OK", {"Content-Type": "application/json", "Content-Length": str(len(body))})]
    assert json.loads(body) == {"message": "bare", "tickets": []}


@LADDER
def test_rung_two_replays_the_endpoints_statements_and_answers_their_rows():
    # given
    tech = UserFactory(role=Role.TECH, first_name="Lina")
    client = client_for(tech)
    ladder_app._statements.clear()
    first = client.get("/ladder/plain/api/me/")  # learns the statements

    # when
    with CaptureQueriesContext(connection) as replayed:
        response = client.get("/ladder/plain/api/me/")

    # then: the one statement of GET /api/me/ (the user row), its row as JSON
    assert first.status_code == response.status_code == 200
    assert len(replayed.captured_queries) == 1
    recorded = ladder_app._statements["/api/me/"]
    assert len(recorded) == 1
    assert recorded[0][0].startswith('SELECT u."id"')
    rows = response.json()
    assert [(row["id"], row["first_name"]) for row in rows] == [(tech.pk, "Lina")]


@LADDER
def test_rung_two_replays_a_row_plan_page_with_its_planner_setting():
    # given a list read through a row plan (SET; SELECT; SET in one call on PostgreSQL)
    admin = UserFactory(role=Role.ADMIN)
    UserFactory.create_batch(3, role=Role.TECH)
    client = client_for(admin)
    ladder_app._statements.clear()
    assert client.get("/ladder/plain/api/users/").status_code == 200  # learns the statements

    # when it is replayed
    response = client.get("/ladder/plain/api/users/")

    # then every statement ran (the page's three in one call included) and the users came back
    assert response.status_code == 200
    recorded = ladder_app._statements["/api/users/"]
    if connection.vendor == "postgresql":
        assert any(sql.startswith("SET LOCAL join_collapse_limit") for sql, _ in recorded)
    assert "document" in response.content.decode()
