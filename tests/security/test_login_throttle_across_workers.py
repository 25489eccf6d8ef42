"""Login throttling holds across gunicorn worker processes (PRODUCT §2, brute force).

A real gunicorn serves the test database with production settings. Workers are recycled
after every two requests, so the ten attempts are answered by several distinct processes:
a per-process counter would never reach the limit, the shared cache does.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.fail("This test needs PostgreSQL (set DATABASE_URL): gunicorn workers share the test database.")
    user = db.get("USER") or "postgres"
    auth = f"{user}:{db['PASSWORD']}@" if db.get("PASSWORD") else f"{user}@"
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def _post_login(port: int, email: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/users/auth/login/",
        data=json.dumps({"email": email, "password": "not-the-password"}).encode(),
        headers={"Content-Type": "application/json", "Connection": "close"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - loopback only
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _wait_until_serving(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("gunicorn exited before serving")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail("gunicorn did not start serving within 30 s")


@pytest.mark.django_db(transaction=True)
def test_ten_wrong_passwords_are_throttled_across_gunicorn_workers(tmp_path):
    # given a user and gunicorn with 2 workers recycled every 2 requests, on the test database
    user = UserFactory(email="victim@example.com")
    port = _free_port()
    access_log = tmp_path / "access.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tickethelp.settings",
        "DATABASE_URL": _database_url(),
        "DEBUG": "false",
        "SECRET_KEY": "throttle-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "LOGIN_RATE_PER_EMAIL": "5/min",
        "LOGIN_RATE_PER_IP": "100/min",
        "DB_CONN_MAX_AGE": "0",
    }
    env.pop("REDIS_URL", None)
    process = subprocess.Popen(  # noqa: S603 - fixed argv
        [
            sys.executable,
            "-m",
            "gunicorn",
            "tickethelp.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--max-requests",
            "2",
            "--max-requests-jitter",
            "0",
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            "%(p)s %(U)s %(s)s",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_serving(port, process)

        # when ten wrong passwords arrive in a row for one e-mail
        statuses = [_post_login(port, user.email.upper()) for _ in range(10)]
        other_email_status = _post_login(port, "someone-else@example.com")
    finally:
        process.terminate()
        process.wait(timeout=30)

    # then the first five are rejected as bad credentials and the rest are throttled
    assert statuses == [401] * 5 + [429] * 5
    assert other_email_status == 401
    # and they really were served by several worker processes
    login_lines = [line.split() for line in access_log.read_text().splitlines() if "/auth/login/" in line]
    assert len(login_lines) == 11
    assert len({pid for pid, _path, _status in login_lines}) >= 3
