"""Helpers for tests that start real processes (gunicorn, db_worker) on the test database."""

import contextlib
import itertools
import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


# Loopback ports for the servers the tests start are drawn below the kernel's ephemeral range
# (32768+ on Linux, where outgoing connections take their local ports), each pytest-xdist
# worker from its own band: two workers never hand out the same port, and a port reserved
# now and listened on later (an SMTP server that "comes back") is not taken meanwhile.
PORT_BANDS_START = 20_000
PORT_BANDS_END = 32_000


def _port_band() -> range:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")  # gw<N>; a serial run is "gw0"
    workers = max(int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")), 1)
    width = (PORT_BANDS_END - PORT_BANDS_START) // workers
    start = PORT_BANDS_START + int(worker.removeprefix("gw") or 0) % workers * width
    return range(start, start + width)


_band = _port_band()
# A random start, so that suites running at the same time in other checkouts walk elsewhere.
_offset = random.randrange(len(_band))
_next_port = itertools.cycle([*_band[_offset:], *_band[:_offset]])


def free_port() -> int:
    """A loopback port nothing listens on, from this worker's band; successive calls give
    different ports, so a test can reserve several before starting its servers."""
    for _ in range(len(_band)):
        port = next(_next_port)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.fail(f"no free loopback port in {_band.start}-{_band.stop - 1}")


def test_database_url_for_subprocess() -> str:
    """DATABASE_URL of the current test database, for a child process to share it."""
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.fail("This test needs PostgreSQL (set DATABASE_URL): its child processes share the test database.")
    user = db.get("USER") or "postgres"
    auth = f"{user}:{db['PASSWORD']}@" if db.get("PASSWORD") else f"{user}@"
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


test_database_url_for_subprocess.__test__ = False  # a helper, not a test


def production_env(**overrides: str) -> dict[str, str]:
    """Environment of a production-settings process on the test database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tickethelp.settings",
        "DATABASE_URL": test_database_url_for_subprocess(),
        "DEBUG": "false",
        "SECRET_KEY": "child-process-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        **overrides,
    }
    env.pop("REDIS_URL", None)
    return env


def wait_for(condition, *, seconds: float, what: str, interval: float = 0.2) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    pytest.fail(f"timed out waiting for {what}")


def gunicorn_command(port: int, *args: str) -> list[str]:
    """The deployed gunicorn command (gunicorn.conf.py) bound to 127.0.0.1:`port`, plus `args`."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "tickethelp.wsgi",
        "-c",
        "gunicorn.conf.py",
        "--bind",
        f"127.0.0.1:{port}",
        *args,
    ]


def serving(port: int, process: subprocess.Popen) -> bool:
    """Whether the server `process` answers `GET /healthz` on `port`; fails the test if it
    exited instead."""
    if process.poll() is not None:
        pytest.fail("gunicorn exited before serving")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
            return True
    except OSError:
        return False


def stop(process: subprocess.Popen) -> None:
    """SIGTERM, and SIGKILL if it has not exited 30 s later."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextlib.contextmanager
def gunicorn_serving(port: int, *args: str, env: dict, stdout: Path, stderr: Path | None = None, seconds: float = 30):
    """The deployed gunicorn (`gunicorn_command(port, *args)`) with `env`, its output in
    `stdout` (and `stderr`, else the same file), once it serves; stopped on the way out."""
    with stdout.open("w") as out, stderr.open("w") if stderr else contextlib.nullcontext(out) as err:
        process = subprocess.Popen(  # noqa: S603 - fixed argv
            gunicorn_command(port, *args), cwd=ROOT, env=env, stdout=out, stderr=err if stderr else subprocess.STDOUT
        )
    try:
        wait_for(lambda: serving(port, process), seconds=seconds, what="gunicorn to serve")
        yield process
    finally:
        stop(process)
