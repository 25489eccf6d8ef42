"""Login throttling holds across gunicorn worker processes (PRODUCT §2, brute force).

A real gunicorn serves the test database with production settings. Workers are recycled
after every two requests, so the ten attempts are answered by several distinct processes:
a per-process counter would never reach the limit, the shared cache does.
"""

import json
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from tests.factories import UserFactory
from tests.processes import ROOT, free_port, production_env, serving, stop, wait_for


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


@pytest.mark.django_db(transaction=True)
def test_ten_wrong_passwords_are_throttled_across_gunicorn_workers(tmp_path):
    # given a user and gunicorn with 2 workers recycled every 2 requests, on the test database
    user = UserFactory(email="victim@example.com")
    port = free_port()
    access_log = tmp_path / "access.log"
    env = production_env(LOGIN_RATE_PER_EMAIL="5/min", LOGIN_RATE_PER_IP="100/min", DB_CONN_MAX_AGE="0")
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
        wait_for(lambda: serving(port, process), seconds=30, what="gunicorn to serve")

        # when ten wrong passwords arrive in a row for one e-mail
        statuses = [_post_login(port, user.email.upper()) for _ in range(10)]
        other_email_status = _post_login(port, "someone-else@example.com")
    finally:
        stop(process)

    # then the first five are rejected as bad credentials and the rest are throttled
    assert statuses == [401] * 5 + [429] * 5
    assert other_email_status == 401
    # and they really were served by several worker processes
    login_lines = [line.split() for line in access_log.read_text().splitlines() if "/auth/login/" in line]
    assert len(login_lines) == 11
    assert len({pid for pid, _path, _status in login_lines}) >= 3
