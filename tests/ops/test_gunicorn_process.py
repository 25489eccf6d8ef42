"""A real gunicorn started with gunicorn.conf.py: request ids end to end, JSON logs on stdout."""

import contextlib
import http.client
import json
import os
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.processes import free_port, gunicorn_serving, production_env, wait_for


def _get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Connection": "close", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
            return response.status, response.headers["X-Request-ID"]
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["X-Request-ID"]


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _lines_for(path, request_id: str) -> list[dict]:
    return [line for line in _json_lines(path.read_text()) if line.get("request_id") == request_id]


@pytest.mark.parametrize("access_log", [False, True], ids=["default", "GUNICORN_ACCESS_LOG"])
@pytest.mark.django_db(transaction=True)
def test_gunicorn_serves_request_ids_and_logs_json_without_query_strings(tmp_path, access_log):
    # given gunicorn with the project's config, production settings, on the test database;
    # gunicorn's own access line only when GUNICORN_ACCESS_LOG asks for it
    port = free_port()
    stdout, stderr = tmp_path / "stdout.log", tmp_path / "stderr.log"
    env = production_env(PYTHONUNBUFFERED="1", DB_CONN_MAX_AGE="0")
    env.pop("LOG_FORMAT", None)  # the production default (DEBUG off) is JSON
    env.pop("GUNICORN_ACCESS_LOG", None)
    if access_log:
        env["GUNICORN_ACCESS_LOG"] = "true"
    access = ["gunicorn.access"] if access_log else []
    with gunicorn_serving(port, "--workers", "1", env=env, stdout=stdout, stderr=stderr):
        # when
        generated = _get(port, "/healthz")
        echoed = _get(port, "/healthz?token=secret", {"X-Request-ID": "ops-test-req-42"})
        not_found = _get(port, "/api/no-such-endpoint/?token=secret", {"X-Request-ID": "ops-test-404"})
        wait_for(
            lambda: (
                len(_lines_for(stdout, "ops-test-req-42")) == 1 + len(access)
                and len(_lines_for(stdout, "ops-test-404")) == 2 + len(access)
            ),
            seconds=10,
            what="the access and application log lines",
        )

    # then the health check answers with a generated id, and a sane incoming id is echoed
    assert generated[0] == 200
    assert re.fullmatch(r"[0-9a-f]{32}", generated[1])
    assert echoed == (200, "ops-test-req-42")
    assert not_found == (404, "ops-test-404")

    # and every stdout line is JSON; the request has one application line (and the access
    # line when it is on)
    output = stdout.read_text()
    lines = _json_lines(output)  # json.loads raises on any line that is not JSON
    assert {line["logger"] for line in lines} >= {"tickethelp.request", "django.request", *access}
    by_logger = {line["logger"]: line for line in _lines_for(stdout, "ops-test-req-42")}
    assert sorted(by_logger) == sorted([*access, "tickethelp.request"])
    application = by_logger["tickethelp.request"]
    assert {key: application[key] for key in ("method", "path", "status", "user_id", "remote_addr")} == {
        "method": "GET",
        "path": "/healthz",
        "status": 200,
        "user_id": None,
        "remote_addr": "127.0.0.1",
    }
    assert application["bytes"] > 0
    if access_log:
        assert {key: by_logger["gunicorn.access"][key] for key in ("method", "path", "status")} == {
            "method": "GET",
            "path": "/healthz",
            "status": 200,
        }
    # and Django's own 404 warning, logged outside the middleware, carries the request id too
    assert sorted(line["logger"] for line in _lines_for(stdout, "ops-test-404")) == sorted(
        ["django.request", "tickethelp.request", *access]
    )
    # and the query string never reaches any log
    assert "secret" not in output
    assert "secret" not in stderr.read_text()


@pytest.mark.django_db(transaction=True)
def test_preloaded_workers_are_recycled_and_every_new_one_serves(tmp_path):
    # given gunicorn as deployed (the application preloaded in the master), one worker that
    # is replaced after every 3 requests
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = production_env(PYTHONUNBUFFERED="1", DB_CONN_MAX_AGE="0", LOG_FORMAT="plain")
    env.pop("GUNICORN_PRELOAD", None)
    recycling = ("--workers", "1", "--max-requests", "3", "--max-requests-jitter", "0")
    with gunicorn_serving(port, *recycling, env=env, stdout=log):
        # when 12 health checks come, one after the other (each queries the database on a
        # connection of its worker's own)
        statuses = [_get(port, "/healthz")[0] for _ in range(12)]

    # then every one was answered, by workers forked one after another from the one master
    assert statuses == [200] * 12
    output = log.read_text()
    assert output.count("Autorestarting worker") >= 3
    assert output.count("Booting worker with pid") >= 4
    assert "Traceback" not in output


def _connections_per_worker(master: int, port: int) -> list[int]:
    """How many established connections on `port` each worker of `master` holds (/proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01":  # ESTABLISHED, server side
                inodes.add(fields[9])
    counts = []
    for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        links = []
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                links.append(os.readlink(fd))
        counts.append(sum(1 for link in links if link.startswith("socket:[") and link[8:-1] in inodes))
    return sorted(counts)


@pytest.mark.django_db(transaction=True)
def test_connections_opened_at_once_are_spread_over_the_workers(tmp_path):
    # given gunicorn as deployed with 2 workers, both idle
    port = free_port()
    env = production_env(PYTHONUNBUFFERED="1", DB_CONN_MAX_AGE="0", LOG_FORMAT="plain")
    with gunicorn_serving(port, "--workers", "2", env=env, stdout=tmp_path / "gunicorn.log") as process:
        master = Path(f"/proc/{process.pid}/task/{process.pid}/children")
        wait_for(lambda: len(master.read_text().split()) == 2, seconds=30, what="both workers")

        # when a client opens 8 kept-alive connections at once (all of them wait on the
        # listening socket together, as a load generator's or a proxy's pool do), then sends
        # a request on each
        clients = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(8)]
        try:
            for client in clients:
                client.connect()
            statuses = []
            for client in clients:
                client.request("GET", "/healthz")
                response = client.getresponse()
                response.read()
                statuses.append(response.status)
            spread = _connections_per_worker(process.pid, port)
        finally:
            for client in clients:
                client.close()

    # then both workers took their share (one worker accepting them all was the rule before)
    assert statuses == [200] * 8
    assert sum(spread) == 8
    assert spread[1] - spread[0] <= 2, spread
