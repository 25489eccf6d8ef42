"""The load benchmark's measuring pieces (bench/server.py): the floor view answers a page
of tickets from one query, and every response reports the SQL it ran, notification
inserts apart. (`make bench` itself runs outside the suite: it needs minutes and wrk.)"""

import json
import os

import pytest
from django.test import override_settings

from bench.server import QueryCountMiddleware
from tests.factories import TicketFactory, UserFactory
from tickethelp.settings import MIDDLEWARE
from users.models import Role

pytestmark = pytest.mark.django_db

BENCH = override_settings(ROOT_URLCONF="bench.server", MIDDLEWARE=["bench.server.QueryCountMiddleware", *MIDDLEWARE])


@BENCH
def test_floor_answers_the_newest_50_tickets_from_one_query(client, as_admin):
    # given more tickets than a page
    tickets = TicketFactory.create_batch(55)

    # when the floor is read
    response = client.get("/bench/floor/")

    # then one query answered the 50 newest, with the list's fields
    assert response.status_code == 200
    assert response["X-Bench-Queries"] == "1"
    body = response.json()
    newest = sorted(tickets, key=lambda t: (t.fecha, t.id), reverse=True)[:50]
    assert [row["id"] for row in body["tickets"]] == [t.id for t in newest]
    # and with the staff list's keys and nesting (a comparable body)
    listed = as_admin.get("/api/tickets/").json()["tickets"][0]
    floor_row = body["tickets"][0]
    assert floor_row.keys() == listed.keys()
    assert floor_row["estado_detalle"].keys() == listed["estado_detalle"].keys()
    assert floor_row["cliente_detalle"].keys() == listed["cliente_detalle"].keys()
    # and the document's types: users by document, the state by id
    assert floor_row["estado"] == listed["estado"] == floor_row["estado_detalle"]["id"]
    assert floor_row["cliente"] == floor_row["cliente_detalle"]["document"]
    assert isinstance(floor_row["cliente"], str)


@BENCH
def test_every_response_reports_its_queries_and_notification_inserts(as_admin, tech_user):
    # given a client to open a ticket for
    client_user = UserFactory(role=Role.CLIENT)

    # when an admin creates a ticket (two notifications: client and technician)
    response = as_admin.post(
        "/api/tickets/",
        {"cliente": client_user.document, "tecnico": tech_user.document, "titulo": "a", "descripcion": "b"},
        format="json",
    )

    # then the headers count every statement, and the notification inserts among them
    assert response.status_code == 201
    assert int(response["X-Bench-Queries"]) > int(response["X-Bench-Notification-Queries"]) >= 1


def test_the_middleware_is_not_part_of_the_production_settings():
    assert f"{QueryCountMiddleware.__module__}.{QueryCountMiddleware.__name__}" not in MIDDLEWARE


def test_the_write_ab_report_compares_medians_and_cpu_per_lifecycle():
    from bench import ab_writes

    # given two alternated runs per side, the current one faster and cheaper
    def run(side, rate, workers, postgres):
        return {
            "side": side,
            "lifecycles_per_s": rate,
            "p50_ms": {"create ticket": 10.0, "change state (direct)": 8.0},
            "workers_cpu_ms": workers,
            "postgres_cpu_ms": postgres,
            "machine_busy": 1.9,
            "errors": 0,
        }

    runs = [
        run("baseline", 20.0, 60.0, 24.0),
        run("current", 30.0, 40.0, 12.0),
        run("current", 34.0, 36.0, 10.0),
        run("baseline", 22.0, 64.0, 20.0),
    ]

    # when
    text = ab_writes.report(runs, {"baseline": None, "current": None})

    # then: medians 21 vs 32 lifecycles/s, CPU 62 vs 38 ms and 22 vs 11 ms
    assert "current / baseline: 1.52x of the medians (per run: 1.50x, 1.55x)" in text
    assert "workers 1.63x, PostgreSQL 2.00x" in text


def test_cpu_seconds_reads_this_process_from_proc():
    from bench import ab_writes

    # given some CPU spent
    spent = ab_writes.cpu_seconds([os.getpid()])
    sum(range(3_000_000))

    # then the figure grows, and a process that is gone counts nothing
    assert ab_writes.cpu_seconds([os.getpid()]) > spent
    assert ab_writes.cpu_seconds([2**22 + 12345]) == 0


def test_the_in_process_read_comparison_adds_python_and_postgresql_cpu(tmp_path):
    from bench import reads_inprocess

    # given two results of the same read
    def result(python, postgres):
        return json.dumps({"env": {}, "reads": {"users list": {"python_ms": python, "postgres_ms": postgres}}})

    (tmp_path / "on.json").write_text(result(3.0, 1.0))
    (tmp_path / "off.json").write_text(result(4.0, 4.0))

    # when
    text = reads_inprocess.compare([tmp_path / "on.json", tmp_path / "off.json"])

    # then: 4 ms against 8 ms of CPU per request
    assert "| users list | 4.00 (3.00 + 1.00) | 8.00 (4.00 + 4.00) | 0.50 |" in text
