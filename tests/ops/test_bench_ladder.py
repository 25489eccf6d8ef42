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
