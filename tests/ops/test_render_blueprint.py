"""render.yaml describes a deployable stack, and every variable it sets is read by the code."""

import re

import pytest
import yaml

from tests.processes import ROOT

# Variables the platform itself reads, not our code.
READ_BY_THE_PLATFORM = {"PYTHON_VERSION"}
# Read under its default name by dj_database_url.config() in settings.py.
READ_BY_DJ_DATABASE_URL = {"DATABASE_URL"}
ENV_READ = re.compile(r"""(?:\w*env\w*|environ\.get|environ)[(\[]\s*["']([A-Z][A-Z0-9_]*)["']""")


@pytest.fixture(scope="module")
def blueprint() -> dict:
    return yaml.safe_load((ROOT / "render.yaml").read_text())


def _service(blueprint: dict, kind: str, name: str | None = None) -> dict:
    """The one service of that type (or, when there are several, the one of that name)."""
    [service] = [
        service
        for service in blueprint["services"]
        if service["type"] == kind and (name is None or service["name"] == name)
    ]
    return service


def _env(blueprint: dict, service: dict) -> dict[str, dict]:
    """The service's variables by name, its env groups' included."""
    groups = {group["name"]: group["envVars"] for group in blueprint.get("envVarGroups", [])}
    env = {}
    for entry in service["envVars"]:
        for var in groups[entry["fromGroup"]] if "fromGroup" in entry else [entry]:
            assert var["key"] not in env, f"{var['key']} set twice"
            env[var["key"]] = var
    return env


def test_the_web_service_builds_migrates_and_serves_with_the_gunicorn_config(blueprint):
    # given
    web = _service(blueprint, "web")

    # then
    assert web["runtime"] == "python"
    assert "pip install -r requirements.txt" in web["buildCommand"]
    assert "manage.py collectstatic --noinput" in web["buildCommand"]
    assert "manage.py migrate --noinput" in web["preDeployCommand"]
    assert web["startCommand"] == "gunicorn tickethelp.wsgi -c gunicorn.conf.py"
    assert web["healthCheckPath"] == "/healthz"


def test_a_worker_runs_the_task_queue(blueprint):
    # given
    worker = _service(blueprint, "worker")

    # then
    assert worker["runtime"] == "python"
    assert "pip install -r requirements.txt" in worker["buildCommand"]
    recover, run = worker["startCommand"].split(" && ")
    # e-mails whose task died with a previous worker are queued again before it starts
    assert recover == "python manage.py resend_notifications --no-failed --stale-minutes 15"
    assert run == "exec python manage.py db_worker"


def test_a_cron_job_sends_the_visit_reminders_every_few_minutes(blueprint):
    # given
    cron = _service(blueprint, "cron", "tickethelp-appointment-reminders")

    # then
    assert cron["runtime"] == "python"
    assert "pip install -r requirements.txt" in cron["buildCommand"]
    assert cron["startCommand"] == "python manage.py send_appointment_reminders"
    minutes, *rest = cron["schedule"].split()
    assert minutes.startswith("*/")
    assert int(minutes[2:]) <= 15
    assert rest == ["*", "*", "*", "*"]


def test_a_cron_job_sends_the_sla_warnings_every_minute(blueprint):
    # given
    cron = _service(blueprint, "cron", "tickethelp-sla-warnings")

    # then
    assert cron["runtime"] == "python"
    assert "pip install -r requirements.txt" in cron["buildCommand"]
    assert cron["startCommand"] == "python manage.py send_sla_warnings"
    assert cron["schedule"] == "* * * * *"


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("web", None),
        ("worker", None),
        ("cron", "tickethelp-appointment-reminders"),
        ("cron", "tickethelp-sla-warnings"),
    ],
)
def test_both_services_run_on_the_blueprint_database_in_production_mode(blueprint, kind, name):
    # given
    [database] = blueprint["databases"]
    env = _env(blueprint, _service(blueprint, kind, name))

    # then
    assert env["DATABASE_URL"]["fromDatabase"] == {"name": database["name"], "property": "connectionString"}
    assert env["SECRET_KEY"] == {"key": "SECRET_KEY", "generateValue": True}
    assert env["DEBUG"] == {"key": "DEBUG", "value": "false"}
    assert env["TASKS_BACKEND"] == {"key": "TASKS_BACKEND", "value": "database"}
    for secret in ["EMAIL_HOST_PASSWORD", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]:
        assert env[secret] == {"key": secret, "sync": False}


def test_every_variable_in_the_blueprint_is_read_by_the_code(blueprint):
    # given every variable the blueprint sets, and every one settings.py / gunicorn.conf.py read
    named = {var for service in blueprint["services"] for var in _env(blueprint, service)}
    source = (ROOT / "tickethelp" / "settings.py").read_text() + (ROOT / "gunicorn.conf.py").read_text()
    read = set(ENV_READ.findall(source))

    # then no variable is a typo that the code would silently ignore
    assert "dj_database_url.config(" in source
    assert sorted(named - read - READ_BY_THE_PLATFORM - READ_BY_DJ_DATABASE_URL) == []
    # and the check itself sees the ways the code reads variables
    assert {"SECRET_KEY", "DEBUG", "EMAIL_HOST_PASSWORD", "WEB_CONCURRENCY", "PORT"} <= read
