"""Fixtures shared by the whole suite, and how the suite is split (docs/TESTING.md):
pytest-xdist groups, the SQLite selection, and the fault scenarios' figures."""

import contextlib
import importlib
import os
import signal
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from rest_framework.test import APIClient

from sla import cache as sla_cache
from tests.factories import UserFactory
from users.models import Role
from users.tokens import issue_tokens

# Data migrations that seed catalogs with stable ids: a transactional test's flush empties
# their tables, so transactional tests run them again first (same code, one source of truth).
SEED_MIGRATIONS = [
    ("tickets.migrations.0002_seed_estados", "seed_estados"),
    ("notifications.migrations.0002_seed_notification_types", "seed"),
    ("reports.migrations.0001_rollups", "seed_zone"),
    ("conversations.migrations.0002_notification_types", "seed"),
    ("visits.migrations.0002_no_overlap_and_notification_types", "seed"),
    ("sla.migrations.0002_default_policies", "seed"),
    ("sla.migrations.0003_notification_types", "seed"),
]


def _run_seed_migrations() -> None:
    for module, function in SEED_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, SimpleNamespace(connection=connection))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A reused test database may have been left flushed by a transactional test."""
    with django_db_blocker.unblock():
        _run_seed_migrations()


@pytest.fixture(scope="session", autouse=True)
def _worker_media_root(tmp_path_factory):
    """Uploads of tests that keep the default MEDIA_ROOT go to this pytest(-xdist worker)'s own
    directory, not to the checkout's media/ (`make run`'s): ticket and attachment ids repeat
    across the workers' databases, so one worker's clean-up could delete another's files.
    Child processes (gunicorn, db_worker) inherit it through the environment."""
    media = tmp_path_factory.mktemp("media")
    previous = os.environ.get("MEDIA_ROOT")
    os.environ["MEDIA_ROOT"] = str(media)
    with override_settings(MEDIA_ROOT=media):
        yield media
    if previous is None:
        os.environ.pop("MEDIA_ROOT", None)
    else:
        os.environ["MEDIA_ROOT"] = previous


# The signals whose handlers code under test may install in the pytest process, e.g. the
# in-process `call_command("db_worker")` of the fault scripts (its handlers call sys.exit).
SHUTDOWN_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)


@contextlib.contextmanager
def signal_handlers_kept():
    """Puts the shutdown signals' handlers back as they were: a pytest-xdist worker lives on
    after the test, and a leftover handler would exit it at the next signal."""
    before = {signum: signal.getsignal(signum) for signum in SHUTDOWN_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in before.items():
            if signal.getsignal(signum) is not handler:
                signal.signal(signum, handler)


@pytest.fixture(autouse=True)
def _signal_handlers():
    with signal_handlers_kept():
        yield


def _db_mode(request) -> str | None:
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if "transactional_db" in names or "live_server" in names:
        return "transactional"
    if marker is not None:
        transactional = marker.kwargs.get("transaction", marker.args[0] if marker.args else False)
        return "transactional" if transactional else "db"
    return "db" if "db" in names else None


@pytest.fixture(autouse=True)
def _shared_state(request):
    """Catalogs present and throttle counters (shared cache table) at zero for every test."""
    mode = _db_mode(request)
    if mode is None:
        yield
        return
    if mode == "transactional":
        request.getfixturevalue("transactional_db")
        _run_seed_migrations()
    else:
        request.getfixturevalue("db")
    cache.clear()
    # The SLA catalogs (policies, closure days) read now, as a long-running process holds
    # them: a write measured by a test costs what it costs in the steady state.
    sla_cache.forget()
    sla_cache.policies()
    sla_cache.closure_days()
    yield
    cache.clear()
    sla_cache.forget()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def admin_site(admin_user) -> Client:
    """The Django admin site, logged in as an ADMIN."""
    client = Client()
    client.force_login(admin_user)
    return client


def client_for(user) -> APIClient:
    """An API client that sends a real Bearer access token for `user`."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_tokens(user).access_token}")
    return client


@pytest.fixture
def admin_user(db):
    return UserFactory(role=Role.ADMIN)


@pytest.fixture
def tech_user(db):
    return UserFactory(role=Role.TECH)


@pytest.fixture
def client_user(db):
    return UserFactory(role=Role.CLIENT)


@pytest.fixture
def as_admin(admin_user) -> APIClient:
    return client_for(admin_user)


@pytest.fixture
def as_tech(tech_user) -> APIClient:
    return client_for(tech_user)


@pytest.fixture
def as_client(client_user) -> APIClient:
    return client_for(client_user)


@pytest.fixture
def role_clients(db, api_client, admin_user, tech_user, client_user) -> dict[str, APIClient]:
    """One API client per audience of the permission matrices."""
    return {
        "anonymous": api_client,
        "CLIENT": client_for(client_user),
        "TECH": client_for(tech_user),
        "ADMIN": client_for(admin_user),
    }


# --- How the suite is split (docs/TESTING.md) ------------------------------------------------

# Test modules that start real processes or servers (gunicorn, db_worker, private PostgreSQL
# clusters, SMTP servers) use helpers from these modules. Under `--dist loadgroup` (make test)
# they all run on one pytest-xdist worker, one after another, so that no two of them compete
# for the CPU inside their timing windows.
PROCESS_HELPERS = frozenset(
    {"tests.processes", "tests.faults.conftest", "tests.notifications.smtp_server", "tests.notifications.expo_server"}
)
PROCESSES_GROUP = "processes"

# The SQLite run (make test-sqlite): the contract tests and the main flows of both APIs on
# SQLite, the embedded default of `make run`. A test of these files that needs PostgreSQL is
# marked `@pytest.mark.postgresql(reason=...)`; the run leaves it out and lists it with its reason.
SQLITE_SUITE = (
    # staff API: login/refresh/logout, me, users, tickets (create, assign, change state,
    # approve, cancel, attachments), consulta, notifications, reports
    "tests/users/test_auth.py",
    "tests/users/test_me_api.py",
    "tests/users/test_users_api.py",
    "tests/tickets/test_tickets_api.py",
    "tests/tickets/test_workflow.py",
    "tests/tickets/test_history_and_attachments.py",
    "tests/tickets/test_consulta.py",
    "tests/notifications/test_api.py",
    "tests/reports/test_reports.py",
    "tests/reports/test_sla_compliance.py",
    # residents' portal: login, me, devices, tickets (list, create with an image, detail,
    # cancel), notifications
    "tests/tenants/test_portal_auth.py",
    "tests/tenants/test_portal_profile.py",
    "tests/tenants/test_portal_tickets.py",
    "tests/tenants/test_portal_uploads.py",
    "tests/tenants/test_portal_notifications.py",
    # contract: the OpenAPI document, and every read endpoint's output
    "tests/contract/test_api_docs.py",
    "tests/contract/test_openapi_operations.py",
    "tests/contract/test_fast_output.py",
    # what the real clients send and read (staff web front end, residents' app)
    "tests/contract/test_real_clients_staff.py",
    "tests/contract/test_real_clients_users.py",
    "tests/contract/test_real_clients_tenant.py",
    # the conversation on a ticket, both APIs
    "tests/conversations/test_staff_api.py",
    "tests/conversations/test_portal.py",
    "tests/conversations/test_internal_notes.py",
    # phones (push tokens) and notification settings, both APIs
    "tests/notifications/test_push_api.py",
    "tests/notifications/test_preferences.py",
    "tests/tenants/test_portal_push.py",
    # service levels: the clocks through the services, the API, the warnings command
    "tests/sla/test_clocks.py",
    "tests/sla/test_api.py",
    "tests/sla/test_warnings.py",
    # a change's writes sent together (one statement on PostgreSQL, one by one here)
    "tests/test_compiled.py",
)
FIGURES_PROPERTY = "figures"

_figures: list[str] = []
_left_out_of_sqlite: list[tuple[str, str]] = []


def _selects_sqlite(config) -> bool:
    return "sqlite" in config.option.markexpr.replace("(", " ").replace(")", " ").split()


def pytest_configure(config):
    missing = [path for path in SQLITE_SUITE if not (config.rootpath / path).is_file()]
    if missing:
        raise pytest.UsageError(f"SQLITE_SUITE in tests/conftest.py names missing files: {missing}")
    from django.conf import settings

    if _selects_sqlite(config) and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        raise pytest.UsageError(
            "The SQLite selection (-m sqlite) runs on SQLite: unset DATABASE_URL (make test-sqlite)"
        )


def _starts_processes(item) -> bool:
    module = getattr(item, "module", None)
    return module is not None and any(
        getattr(value, "__module__", None) in PROCESS_HELPERS for value in vars(module).values()
    )


@pytest.hookimpl(tryfirst=True)  # before -m deselects on the markers added here
def pytest_collection_modifyitems(config, items):
    grouping = config.pluginmanager.hasplugin("xdist")
    for item in items:
        postgresql = item.get_closest_marker("postgresql")
        if postgresql is not None and not postgresql.kwargs.get("reason"):
            raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.postgresql needs a reason=")
        if item.nodeid.split("::", 1)[0] in SQLITE_SUITE:
            item.add_marker(pytest.mark.sqlite)
        if grouping and _starts_processes(item):
            item.add_marker(pytest.mark.xdist_group(PROCESSES_GROUP))


def pytest_deselected(items):
    for item in items:
        marker = item.get_closest_marker("postgresql")
        if marker is not None and item.get_closest_marker("sqlite") is not None:
            _left_out_of_sqlite.append((item.nodeid, marker.kwargs.get("reason", "")))


def pytest_runtest_logreport(report):
    """Collects the fault scenarios' figures, also from pytest-xdist workers' reports."""
    if report.when == "call":
        _figures.extend(value for name, value in report.user_properties if name == FIGURES_PROPERTY)


def pytest_terminal_summary(terminalreporter):
    if _figures:
        terminalreporter.section("figures of the fault scenarios")
        for text in _figures:
            terminalreporter.write_line(text)
    if _left_out_of_sqlite:
        terminalreporter.section("left out of the SQLite run (need PostgreSQL)")
        for nodeid, reason in _left_out_of_sqlite:
            terminalreporter.write_line(f"{nodeid}: {reason}")
