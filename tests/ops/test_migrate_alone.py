"""The deploy steps are not a trap: after a plain `manage.py migrate` on an empty PostgreSQL
database (no createcachetable, no other step) the server answers, login included."""

import json
import subprocess
import sys
import uuid

import psycopg
import pytest
from django.db import connection

from tests.processes import ROOT, production_env

LOGIN_SCRIPT = """
import json, django
django.setup()
from django.test import Client
from users.models import Role, User
User.objects.create_user("first@example.com", "Migrate-only-2026", document="9100000001", role=Role.ADMIN,
                         first_name="Primera", last_name="Persona")
client = Client(HTTP_HOST="127.0.0.1")
login = client.post("/api/users/auth/login/", {"email": "first@example.com", "password": "Migrate-only-2026"},
                    content_type="application/json")
wrong = client.post("/api/users/auth/login/", {"email": "first@example.com", "password": "nope"},
                    content_type="application/json")
health = client.get("/healthz")
print(json.dumps({"login": login.status_code, "wrong": wrong.status_code, "health": health.status_code,
                  "role": login.json().get("role")}))
"""


@pytest.fixture
def empty_database():
    """A brand-new database on the test server, dropped afterwards."""
    settings_dict = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.fail("This test needs PostgreSQL (set DATABASE_URL).")
    name = f"th_migrate_only_{uuid.uuid4().hex[:10]}"
    user = settings_dict.get("USER") or "postgres"
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    admin_url = f"postgres://{user}@{host}:{port}/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{user}@{host}:{port}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db
def test_migrate_alone_leaves_a_server_whose_login_answers(empty_database):
    # given an empty database and the production settings
    env = production_env(DATABASE_URL=empty_database)

    # when the only deploy step is migrate
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=300
    )
    answer = subprocess.run(  # noqa: S603 - our own script, our own interpreter
        [sys.executable, "-c", LOGIN_SCRIPT], cwd=ROOT, env=env, check=True, timeout=120, capture_output=True, text=True
    )

    # then login answers 200 (its throttles have their tables), a wrong password 401, health 200
    figures = json.loads(answer.stdout.strip().splitlines()[-1])
    assert figures == {"login": 200, "wrong": 401, "health": 200, "role": "ADMIN"}
