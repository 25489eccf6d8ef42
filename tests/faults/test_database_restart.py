"""PostgreSQL restarted (fast shutdown) under a steady load on gunicorn with production settings.

Errors are allowed only around the restart; the same gunicorn workers serve again without
being restarted; every write that was acknowledged (201) is in the database afterwards."""

import http.client
import json
import threading
import time
from dataclasses import dataclass

import psycopg

from tests.faults.conftest import manage, production_env_for, seed_staff

LOAD_THREADS = 4
WARM_UP_SECONDS = 3.0
LOAD_AFTER_RESTART_SECONDS = 10.0
# Requests sent just before the shutdown may fail; none may fail this long after the restart.
ERROR_WINDOW_BEFORE = 1.0
ERROR_WINDOW_AFTER = 5.0
REQUEST_TIMEOUT = 15


@dataclass(frozen=True)
class Outcome:
    kind: str  # create | list | health
    sent_at: float
    done_at: float
    status: int | None  # None: no HTTP answer (connection error, timeout)
    ticket_id: int | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _request(conn, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict | None]:
    headers = {"Accept": "application/json", "Authorization": f"Bearer {token}"}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=payload, headers=headers)
    response = conn.getresponse()
    raw = response.read()
    try:
        return response.status, json.loads(raw) if raw else None
    except ValueError:
        return response.status, None


def _drive(port: int, staff: dict, worker: int, stop: threading.Event, outcomes: list[Outcome]) -> None:
    """Three ticket creations as ADMIN, then one list read, over and over until `stop`."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    iteration = 0
    while not stop.is_set():
        iteration += 1
        create = iteration % 4 != 0
        sent_at = time.monotonic()
        try:
            if create:
                body = {
                    "cliente": staff["client_document"],
                    "tecnico": staff["tech_document"],
                    "titulo": f"Carga {worker}-{iteration}",
                    "descripcion": "Ticket creado durante el reinicio de la base de datos.",
                    "priority": "high",
                }
                status, payload = _request(conn, "POST", "/api/tickets/", staff["admin_token"], body)
                ticket_id = payload["ticket"]["id"] if status == 201 else None
                outcome = Outcome("create", sent_at, time.monotonic(), status, ticket_id)
            else:
                status, _ = _request(conn, "GET", "/api/tickets/?page_size=20", staff["admin_token"])
                outcome = Outcome("list", sent_at, time.monotonic(), status)
        except (OSError, http.client.HTTPException) as exc:
            outcome = Outcome("create" if create else "list", sent_at, time.monotonic(), None, error=repr(exc))
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        outcomes.append(outcome)
    conn.close()


def test_database_restart_under_load_loses_no_acknowledged_write(
    private_postgres, start_gunicorn, print_figures, tmp_path
):
    # given a migrated database on a private cluster, an ADMIN/TECH/CLIENT, and gunicorn on it
    url = private_postgres.create_database("th_h5_faults")
    env = production_env_for(url, GUNICORN_MAX_REQUESTS="0")  # no worker recycling during the run
    manage(env, "migrate", "--noinput", "-v", "0")
    staff = seed_staff(env)
    server = start_gunicorn(env)
    workers_before = server.workers()

    # when threads create tickets and read lists, and the cluster is restarted mid-run
    outcomes: list[Outcome] = []
    stop = threading.Event()
    threads = [
        threading.Thread(target=_drive, args=(server.port, staff, n, stop, outcomes), daemon=True)
        for n in range(LOAD_THREADS)
    ]
    for thread in threads:
        thread.start()
    try:
        time.sleep(WARM_UP_SECONDS)
        fault_start = time.monotonic()
        private_postgres.restart()
        fault_end = time.monotonic()
        time.sleep(LOAD_AFTER_RESTART_SECONDS)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT + 5)
    load_end = time.monotonic()

    # then errors happened only around the restart
    errors = [o for o in outcomes if not o.ok]
    outside = [
        o for o in errors if o.sent_at < fault_start - ERROR_WINDOW_BEFORE or o.done_at > fault_end + ERROR_WINDOW_AFTER
    ]
    assert outside == [], f"errors outside the restart window: {outside[:5]}"

    # and service came back on its own: successes of both kinds after the restart, the last
    # seconds error-free, served by the very same gunicorn master and workers
    after = [o for o in outcomes if o.sent_at > fault_end + ERROR_WINDOW_AFTER]
    assert {o.kind for o in after if o.ok} == {"create", "list"}
    assert all(o.ok for o in after)
    assert server.process.poll() is None
    assert server.workers() == workers_before

    # and every acknowledged write is in the database (none lost), each exactly once
    acknowledged = [o.ticket_id for o in outcomes if o.kind == "create" and o.status == 201]
    with psycopg.connect(url) as conn:
        stored = {row[0] for row in conn.execute("SELECT id FROM tickets_ticket WHERE id = ANY(%s)", [acknowledged])}
        stored_total = conn.execute("SELECT count(*) FROM tickets_ticket").fetchone()[0]
    lost = sorted(set(acknowledged) - stored)
    assert len(set(acknowledged)) == len(acknowledged)
    assert lost == []

    last_error_done = max((o.done_at for o in errors), default=fault_start)
    recovered_at = min((o.done_at for o in outcomes if o.ok and o.sent_at >= last_error_done), default=load_end)
    statuses: dict[str, int] = {}
    for o in errors:
        key = str(o.status) if o.status is not None else o.error.split("(")[0]
        statuses[key] = statuses.get(key, 0) + 1
    # and the errors were handled answers to retry (503 + Retry-After), not crashes
    assert statuses.keys() <= {"503"}, statuses
    print_figures(
        "PostgreSQL restart (pg_ctl restart -m fast) under load",
        {
            "requests sent": len(outcomes),
            "of which ticket creations": sum(o.kind == "create" for o in outcomes),
            "errors during the fault": f"{len(errors)} {statuses}",
            "restart took (s)": f"{fault_end - fault_start:.2f}",
            "time to recover (s, restart issued -> first success after the last error)": (
                f"{recovered_at - fault_start:.2f}"
            ),
            "acknowledged writes (201)": len(acknowledged),
            "tickets stored (incl. unacknowledged)": stored_total,
            "writes lost": len(lost),
            "gunicorn restarted": "no",
        },
    )
