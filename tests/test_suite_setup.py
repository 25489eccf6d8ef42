"""The suite's own set-up for parallel runs (docs/TESTING.md): port bands per pytest-xdist
worker, a media directory per worker, the process tests' group and the SQLite selection."""

import importlib
import os
import signal
import socket
from pathlib import Path

import pytest
from django.conf import settings

from tests import conftest, processes


def _reload_processes(monkeypatch, worker: str | None, count: str | None):
    for name, value in (("PYTEST_XDIST_WORKER", worker), ("PYTEST_XDIST_WORKER_COUNT", count)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    return importlib.reload(processes)


@pytest.fixture
def restore_processes():
    yield
    importlib.reload(processes)  # back to this process's own band


@pytest.mark.usefixtures("restore_processes")
@pytest.mark.parametrize(
    ("worker", "count", "band"),
    [
        (None, None, range(20_000, 32_000)),  # a serial run
        ("gw0", "2", range(20_000, 26_000)),
        ("gw1", "2", range(26_000, 32_000)),
        ("gw2", "3", range(28_000, 32_000)),
    ],
)
def test_each_worker_draws_ports_from_its_own_band_below_the_ephemeral_range(monkeypatch, worker, count, band):
    # given the environment pytest-xdist gives a worker
    module = _reload_processes(monkeypatch, worker, count)

    # when ports are reserved
    ports = [module.free_port() for _ in range(5)]

    # then they are different, in the worker's band, and free to listen on
    assert len(set(ports)) == 5
    assert all(port in band for port in ports)
    assert band.stop <= 32_768  # Linux's first ephemeral port: outgoing connections never take them
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", ports[0]))


@pytest.mark.usefixtures("restore_processes")
def test_a_port_something_listens_on_is_not_handed_out(monkeypatch):
    module = _reload_processes(monkeypatch, "gw0", "2")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", module.free_port()))
        listener.listen()
        taken = listener.getsockname()[1]
        # when every port of the band is drawn once more, the taken one is skipped
        drawn = {module.free_port() for _ in range(len(module._band) - 1)}
    assert taken not in drawn


def test_uploads_go_to_the_workers_own_media_directory_not_the_checkouts():
    media = Path(settings.MEDIA_ROOT)
    assert media != Path(settings.BASE_DIR) / "media"
    assert not media.is_relative_to(settings.BASE_DIR)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is not None:  # pytest-xdist gives every worker its own base temporary directory
        assert worker in str(media)
    # and child processes (gunicorn, db_worker) inherit the same directory
    assert os.environ["MEDIA_ROOT"] == str(media)


@pytest.mark.parametrize(
    ("module", "starts_processes"),
    [
        ("tests.faults.test_database_restart", True),
        ("tests.faults.test_worker_killed", True),
        ("tests.notifications.test_worker_process", True),
        ("tests.ops.test_gunicorn_process", True),
        ("tests.security.test_login_throttle_across_workers", True),
        ("tests.ops.test_gunicorn_config", False),  # reads gunicorn.conf.py, starts nothing
        ("tests.tickets.test_workflow", False),
    ],
)
def test_modules_that_start_processes_run_in_one_xdist_group(module, starts_processes):
    item = type("Item", (), {"module": importlib.import_module(module)})()
    assert conftest._starts_processes(item) is starts_processes


def test_the_sqlite_selection_covers_both_apis_and_the_contract():
    suite = conftest.SQLITE_SUITE
    assert len(set(suite)) == len(suite)
    assert all((Path(settings.BASE_DIR) / path).is_file() for path in suite)
    apps_covered = {path.split("/")[1] for path in suite}
    assert apps_covered >= {"users", "tickets", "notifications", "reports", "tenants", "contract"}


def test_signal_handlers_installed_by_code_under_test_are_put_back():
    # given the handlers as they are, and code that installs its own (as db_worker does)
    before = {signum: signal.getsignal(signum) for signum in conftest.SHUTDOWN_SIGNALS}

    def exit_now(signum, frame):
        raise SystemExit(0)

    # when it runs inside the guard every test runs in
    with conftest.signal_handlers_kept():
        for signum in conftest.SHUTDOWN_SIGNALS:
            signal.signal(signum, exit_now)

    # then the process's handlers are the ones it had
    assert {signum: signal.getsignal(signum) for signum in conftest.SHUTDOWN_SIGNALS} == before
