"""Helpers for tests that start real processes (gunicorn, db_worker) on the test database."""

import os
import socket
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
