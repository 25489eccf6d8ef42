"""Fault scripts: a private PostgreSQL cluster that can be restarted, gunicorn on it, and a
way for every scenario to report its figures (printed in the run's summary, also under xdist).

Every process started here is stopped by a fixture finalizer, also when the test fails."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import FIGURES_PROPERTY
from tests.processes import ROOT, free_port, gunicorn_command, wait_for

PG_BIN = Path("/usr/lib/postgresql/15/bin")
SECRET_KEY = "fault-scripts-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def _as_postgres(*argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run a PostgreSQL binary as the `postgres` OS user (initdb refuses root)."""
    command = [*(["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []), *argv]
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=timeout)  # noqa: S603


class PrivatePostgres:
    """A throw-away PostgreSQL 15 cluster on a free loopback port, trust auth, owned by
    `postgres`, in its own temp dir (data and unix socket): it can be restarted at will
    without touching the shared server."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="th_h5_pg_"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        _as_postgres(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"
        )
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=60"
        self._ctl = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60"]
        _as_postgres(*self._ctl, "start")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def restart(self) -> None:
        """Fast shutdown (open sessions are terminated, in-flight transactions roll back), then start."""
        _as_postgres(*self._ctl, "-m", "fast", "restart")

    def stop(self) -> None:
        try:
            _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "-t", "30", "stop")
        except subprocess.CalledProcessError:
            pass  # not running
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def private_postgres():
    cluster = PrivatePostgres()
    yield cluster
    cluster.stop()


def production_env_for(database_url: str, **overrides: str) -> dict[str, str]:
    """The environment of a production-settings process (as bench/load.py runs gunicorn)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tickethelp.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "TASKS_BACKEND": "database",
        "PYTHONUNBUFFERED": "1",
        **overrides,
    }
    for name in ("REDIS_URL", "PORT", "EMAIL_HOST"):
        env.pop(name, None)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    result = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        pytest.fail(f"manage.py {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return result.stdout


SEED = r"""
import json, django
django.setup()
from users.models import Role, User
from users.tokens import issue_tokens

users = {
    role: User.objects.create_user(
        f"{role.lower()}@faults.example.com", document=f"9{index}000001", first_name=role.title(), role=role
    )
    for index, role in enumerate((Role.ADMIN, Role.TECH, Role.CLIENT))
}
print(json.dumps({
    "admin_token": str(issue_tokens(users[Role.ADMIN]).access_token),
    "tech_document": users[Role.TECH].document,
    "client_document": users[Role.CLIENT].document,
}))
"""


def seed_staff(env: dict[str, str]) -> dict:
    """An ADMIN (with an access token), a TECH and a CLIENT in the database of `env`."""
    result = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-c", SEED], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode != 0:
        pytest.fail(f"seeding failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


class Gunicorn:
    """gunicorn with the project's gunicorn.conf.py on 127.0.0.1:<free port>."""

    def __init__(self, env: dict[str, str], logfile: Path) -> None:
        self.port = free_port()
        self.expected_workers = int(env.get("WEB_CONCURRENCY") or 2)  # gunicorn.conf.py's default
        self.logfile = logfile
        self._log = logfile.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - fixed argv
            gunicorn_command(self.port),
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_serving(self, seconds: float = 60) -> None:
        import urllib.request

        def serving() -> bool:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited ({self.process.returncode}):\n{self.logfile.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as response:
                    return response.status == 200
            except OSError:
                return False

        wait_for(serving, seconds=seconds, what="gunicorn to serve /healthz", interval=0.3)
        # The application is preloaded (gunicorn.conf.py): the first worker serves as soon as
        # it is forked, and the master forks the next one up to 0.1 s later.
        wait_for(lambda: len(self.workers()) == self.expected_workers, seconds=seconds, what="every gunicorn worker")

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return sorted(int(pid) for pid in children)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(timeout=10)
        self._log.close()


@pytest.fixture
def start_gunicorn(tmp_path):
    started: list[Gunicorn] = []

    def start(env: dict[str, str]) -> Gunicorn:
        server = Gunicorn(env, tmp_path / f"gunicorn-{len(started)}.log")
        started.append(server)
        server.wait_serving()
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def print_figures(request):
    """Records a scenario's measured figures as a small table; the run prints them all in its
    summary ("figures of the fault scenarios", tests/conftest.py), also from xdist workers,
    whose own output pytest does not show."""

    def show(title: str, figures: dict) -> None:
        width = max(len(name) for name in figures)
        lines = [f"[faults] {title} ({request.node.name})"]
        lines += [f"  {name:<{width}}  {value}" for name, value in figures.items()]
        request.node.user_properties.append((FIGURES_PROPERTY, "\n".join(lines)))

    return show
