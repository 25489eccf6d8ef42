"""Scale-out on one machine: two web instances (two gunicorn masters, gunicorn.conf.py, on two
ports) and two `db_worker` processes against one database behave as one deployment.

* the login throttle is shared: bad logins spread over both instances are refused at the
  same total as on one instance (the counters live in the database, not in a process);
* every e-mail task runs once: notifications created through both instances are each
  delivered by exactly one of the two workers (one attempt, one message).

bench/scaleout.py does the same with load (throughput adds up) and optionally Redis.
"""

import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections import Counter

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from notifications.models import Notification, NotificationStatus
from tests.factories import TEST_PASSWORD, TicketFactory, UserFactory, estado
from tests.notifications.smtp_server import LocalSMTPServer
from tests.processes import ROOT, free_port, gunicorn_command, production_env, wait_for
from users.models import Role

WORKER_OPTIONS = ("--interval", "0.2", "--no-startup-delay", "--no-reload")
LOGIN_RATE_PER_EMAIL = 5  # settings: LOGIN_RATE_PER_EMAIL, 5/min by default


def _call(port: int, method: str, path: str, body: dict, token: str | None = None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json", "Accept": "application/json", "Connection": "close"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(), headers=headers, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - loopback only
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _serving(port: int, process: subprocess.Popen, log) -> bool:
    if process.poll() is not None:
        pytest.fail(f"gunicorn on {port} exited:\n{log.read_text()[-3000:]}")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
            return True
    except OSError:
        return False


@pytest.mark.postgresql(reason="child processes share the test database")
@pytest.mark.django_db(transaction=True)
def test_two_instances_and_two_workers_share_the_throttle_and_run_each_mail_once(tmp_path):
    # given an SMTP sink, two gunicorn masters and two db_workers on the test database
    smtp = LocalSMTPServer()
    smtp.start()
    env = production_env(
        TASKS_BACKEND="database",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
        EMAIL_USE_TLS="false",
        WEB_CONCURRENCY="1",
        GUNICORN_THREADS="2",
        DB_CONN_MAX_AGE="0",
        LOG_FORMAT="plain",
    )
    ports = [free_port(), free_port()]
    processes, logs = [], []
    try:
        for index, port in enumerate(ports):
            logs.append(tmp_path / f"web{index}.log")
            with logs[-1].open("w") as log:
                processes.append(
                    subprocess.Popen(  # noqa: S603 - fixed argv
                        gunicorn_command(port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
                    )
                )
        for index in range(2):
            logs.append(tmp_path / f"worker{index}.log")
            with logs[-1].open("w") as log:
                processes.append(
                    subprocess.Popen(  # noqa: S603 - fixed argv
                        [sys.executable, "manage.py", "db_worker", *WORKER_OPTIONS],
                        cwd=ROOT,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
        for index, port in enumerate(ports):
            wait_for(lambda: _serving(port, processes[index], logs[index]), seconds=60, what=f"gunicorn on {port}")  # noqa: B023
        victim = UserFactory(role=Role.CLIENT, email="victima@example.com")
        tech = UserFactory(role=Role.TECH, email="tecnico@example.com")
        # Hashed as production hashes (the test settings use a fast hasher it does not know).
        tech.password = PBKDF2PasswordHasher().encode(TEST_PASSWORD, PBKDF2PasswordHasher().salt())
        tech.save(update_fields=["password"])
        clients = [UserFactory(role=Role.CLIENT, email=f"cliente{n}@example.com") for n in range(4)]
        tickets = [TicketFactory(tecnico=tech, cliente=client) for client in clients]
        status, login = _call(
            ports[1], "POST", "/api/users/auth/login/", {"email": tech.email, "password": TEST_PASSWORD}
        )
        assert status == 200, login

        # when bad logins for one address alternate between the two instances
        logins = [
            _call(ports[n % 2], "POST", "/api/users/auth/login/", {"email": victim.email, "password": "wrong-guess"})[0]
            for n in range(LOGIN_RATE_PER_EMAIL + 3)
        ]
        # and the technician moves every ticket forward, alternating instances
        changes = [
            _call(
                ports[n % 2],
                "PUT",
                f"/api/tickets/change-state/{t.pk}/",
                {"to_state": estado("diagnosis").pk},
                login["access"],
            )[0]
            for n, t in enumerate(tickets)
        ]

        def drained() -> bool:
            for process, log in zip(processes, logs, strict=True):
                if process.poll() is not None:
                    pytest.fail(f"a process exited ({process.returncode}):\n{log.read_text()[-3000:]}")
            return not Notification.objects.exclude(estado=NotificationStatus.ENVIADA).exists()

        wait_for(drained, seconds=60, what="both workers to deliver every notification")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        smtp.stop()

    # then the throttle refused at the same total as one instance would: 5 wrong, then 429s
    assert logins == [401] * LOGIN_RATE_PER_EMAIL + [429] * 3
    # and every notification was sent once: one attempt each, one message per notification
    assert changes == [200] * len(tickets)
    notifications = list(Notification.objects.select_related("usuario"))
    assert {n.ticket_id for n in notifications} == {t.pk for t in tickets}
    assert [(n.estado, n.intentos) for n in notifications] == [(NotificationStatus.ENVIADA, 1)] * len(notifications)
    assert Counter(smtp.recipients()) == Counter(n.usuario.email for n in notifications)
