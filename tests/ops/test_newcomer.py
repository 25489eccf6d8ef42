"""A newcomer's first hour: unknown API paths answer JSON, `make run` is readable (demo
credentials last, no e-mail bodies), the database is created when missing, the admin says
TicketHelp and the OpenAPI document reads well."""

import inspect
import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import URLResolver, get_resolver

from notifications.models import Notification, NotificationStatus
from tickethelp.openapi import DESCRIPTIONS, SUMMARIES
from users.models import User

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
UNKNOWN_API_PATHS = ("/api/no-such-endpoint", "/api/tickets/no/such/thing/", "/api/users/auth/nope")


# --- Unknown /api/ paths ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("path", UNKNOWN_API_PATHS)
def test_unknown_api_path_is_a_json_404_in_the_staff_shape(settings, debug, method, path):
    # given DEBUG on or off, and a client that enforces CSRF like a browser would
    settings.DEBUG = debug
    client = Client(enforce_csrf_checks=True)

    # when
    response = client.generic(method, path, data="{}", content_type="application/json")

    # then
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "No encontrado."}


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
@pytest.mark.parametrize("method", METHODS)
def test_unknown_tenant_path_keeps_the_portal_shape(settings, debug, method):
    # given
    settings.DEBUG = debug
    client = Client(enforce_csrf_checks=True)

    # when
    response = client.generic(method, "/api/tenant/no-such-endpoint")

    # then the portal's own catch-all answers, not the staff one
    assert response.status_code == 404
    assert response.json() == {"error": "Not Found", "message": "Not found."}


@pytest.mark.django_db
def test_known_api_paths_are_not_swallowed_by_the_catch_all(api_client):
    # when
    response = api_client.post("/api/users/auth/login", {"email": "nobody@example.com", "password": "x"})

    # then the login view answered (bad credentials), not the 404
    assert response.status_code == 401


# --- seed_demo: the credentials last, no e-mail bodies ------------------------------------------

CONSOLE_EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"


@pytest.mark.django_db(transaction=True)
def test_seed_demo_prints_no_email_and_ends_with_the_credentials(settings, capfd):
    # given what `make run` has: debug, e-mail to the console, tasks run in-process after commit
    settings.DEBUG = True
    settings.EMAIL_BACKEND = CONSOLE_EMAIL_BACKEND

    # when
    call_command("seed_demo")

    # then no e-mail (headers or body) nor a per-task log line reached the console
    out, err = capfd.readouterr()
    for marker in ("Subject:", "Content-Type:", "Hola ", "deliver_notification"):
        assert marker not in out + err, marker
    # and the e-mails are summarised, their notifications kept (sent) for the admin
    notifications = Notification.objects.count()
    assert notifications > 0
    assert Notification.objects.filter(estado=NotificationStatus.ENVIADA).count() == notifications
    assert f"{notifications} notification e-mails to the demo users were not printed" in out
    assert "/admin/notifications/notification/" in out
    # and the last lines printed are the credentials, every demo account with its document
    lines = out.strip().splitlines()
    accounts = User.objects.count()
    assert accounts == 12
    table = [line for line in lines[-(accounts + 2) :] if "@tickethelp.local" in line]
    assert len(table) == accounts
    for user in User.objects.all():
        assert any(user.email in line and user.document in line for line in table), user.email
    assert "TicketHelp-demo-2026" in lines[-(accounts + 2)]


# --- make run creates the database DATABASE_URL names ------------------------------------------

REPO = Path(__file__).resolve().parents[2]


def _manage(*args: str, database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": database_url}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # manage.py's own settings, as `make run` uses
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


def _server() -> dict:
    """Where the test database lives (the local PostgreSQL server)."""
    database = settings.DATABASES["default"]
    return {
        "user": database["USER"] or "postgres",
        "password": database["PASSWORD"] or "",
        "host": database["HOST"] or "127.0.0.1",
        "port": int(database["PORT"] or 5432),
    }


def _maintenance(sql: str, params: tuple = ()) -> list[tuple]:
    """Rows of one statement on the server's `postgres` database, outside any transaction
    (CREATE/DROP DATABASE cannot run inside one)."""
    with psycopg.connect(dbname="postgres", autocommit=True, **_server()) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def _database_exists(name: str) -> bool:
    return bool(_maintenance("SELECT 1 FROM pg_database WHERE datname = %s", (name,)))


def test_ensure_database_creates_a_missing_postgresql_database():
    # given a database name that does not exist on the test server
    name = f"th_newcomer_ensure_{uuid.uuid4().hex[:10]}"
    assert not _database_exists(name)
    server = _server()
    where = f"{server['host']}:{server['port']}"
    url = f"postgres://{server['user']}:{server['password']}@{where}/{name}"
    try:
        # when the step `make run` takes before migrate runs
        result = _manage("ensure_database", database_url=url)

        # then the database exists and the command said so
        assert result.returncode == 0, result.stderr
        assert _database_exists(name)
        assert result.stdout == f"Created the PostgreSQL database {name!r} on {where}.\n"

        # and a second run leaves it alone, silently
        again = _manage("ensure_database", database_url=url)
        assert (again.returncode, again.stdout, again.stderr) == (0, "", "")
    finally:
        _maintenance(f'DROP DATABASE IF EXISTS "{name}"')
    assert not _database_exists(name)


def test_ensure_database_says_in_one_line_what_to_do_when_the_server_is_unreachable():
    # when the server named by DATABASE_URL does not answer (nothing listens on port 1)
    result = _manage("ensure_database", database_url="postgres://postgres@127.0.0.1:1/th_newcomer_nowhere")

    # then it fails with one line naming the database and the way out
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "'th_newcomer_nowhere' on 127.0.0.1:1" in lines[0]
    assert "createdb -h 127.0.0.1 -p 1 -U postgres th_newcomer_nowhere" in lines[0]


def test_make_run_ensures_the_database_before_migrating():
    # given the run target's recipe
    makefile = (REPO / "Makefile").read_text()
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]

    # then the database step comes first, the server last
    steps = [line.split("manage.py ")[1].split()[0] for line in recipe.splitlines() if "manage.py" in line]
    assert steps == ["ensure_database", "migrate", "seed_demo", "runserver"]


# --- The admin says TicketHelp, in Spanish ------------------------------------------------------


@pytest.mark.django_db
def test_admin_login_page_is_branded_ticket_help():
    # when
    html = Client().get("/admin/login/").content.decode()

    # then
    assert "<title>Iniciar sesión | TicketHelp</title>" in html
    assert "TicketHelp · administración" in html
    assert "Django" not in html.split("<body", 1)[1].split("<form", 1)[0]


@pytest.mark.django_db
def test_admin_index_names_every_app_and_model_in_spanish(admin_site):
    # when
    response = admin_site.get("/admin/")

    # then the page is branded...
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Panel de administración | TicketHelp</title>" in html
    assert "Administración de Django" not in html
    # ...and the third-party apps are listed with Spanish names
    names = {(app["name"], model["name"]) for app in response.context["app_list"] for model in app["models"]}
    assert ("Sesiones (tokens de refresco)", "Tokens de refresco emitidos") in names
    assert ("Sesiones (tokens de refresco)", "Tokens de refresco revocados") in names
    assert ("Tareas en segundo plano", "Resultados de tareas") in names
    english = {"Token Blacklist", "Outstanding Tokens", "Blacklisted Tokens", "Task Results", "Tasks Database Backend"}
    assert not english & {name for pair in names for name in pair}


@pytest.mark.django_db
def test_spanish_admin_names_need_no_migration_of_third_party_apps():
    # when / then: exits 1 when a model (ours or a third party's) has unmigrated changes
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


# --- The OpenAPI document reads well --------------------------------------------------------------

HTTP_METHODS = ("get", "put", "post", "delete", "patch")
# Words of developer notes that have no place in the API's documentation.
INTERNAL_PHRASES = (
    "Base of every",
    "create_row",
    "selector",
    "service call",
    "serializer",
    "Put first in the bases",
    'context["',
    "SIMPLE_JWT",
    "docstring",
)
PROJECT_PACKAGES = ("users", "tickets", "notifications", "reports", "tenants", "tickethelp")


@pytest.fixture
def schema(api_client) -> dict:
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def operations(schema: dict) -> list[tuple[str, str, dict]]:
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def descriptions(schema: dict) -> list[tuple[str, str]]:
    """(where, text) of every description of the document: operations, components, tags."""
    found = [(operation["operationId"], operation.get("description", "")) for _, _, operation in operations(schema)]
    found += [(name, component.get("description", "")) for name, component in schema["components"]["schemas"].items()]
    found += [(tag["name"], tag.get("description", "")) for tag in schema["tags"]]
    return [(where, text) for where, text in found if text]


def base_class_docstrings() -> set[str]:
    """The first line of the docstring of every project class a routed view inherits from."""
    found = set()
    for pattern in get_resolver().url_patterns:
        stack = [pattern]
        while stack:
            entry = stack.pop()
            if isinstance(entry, URLResolver):
                stack.extend(entry.url_patterns)
                continue
            view = getattr(entry.callback, "cls", None) or getattr(entry.callback, "view_class", None)
            for base in view.__mro__[1:] if view else ():
                if base.__module__.split(".")[0] in PROJECT_PACKAGES and base.__doc__:
                    found.add(inspect.cleandoc(base.__doc__).splitlines()[0])
    return found


@pytest.mark.django_db
def test_every_operation_has_a_summary(schema):
    # then (an operation added without one is listed here: write it in tickethelp.openapi.SUMMARIES)
    missing = [operation["operationId"] for _, _, operation in operations(schema) if not operation.get("summary")]
    assert missing == []


@pytest.mark.django_db
def test_summaries_and_descriptions_written_for_operations_that_exist(schema):
    # given
    operation_ids = {operation["operationId"] for _, _, operation in operations(schema)}

    # then no entry is left behind by a renamed or removed operation
    assert set(SUMMARIES) - operation_ids == set()
    assert set(DESCRIPTIONS) - operation_ids == set()


@pytest.mark.django_db
def test_no_internal_docstring_leaks_into_the_document(schema):
    # given the docstrings of the base classes of every view (e.g. the portal's TenantAPIView)
    inherited = base_class_docstrings()
    assert inherited  # the check below would otherwise check nothing

    # then no description repeats one, nor speaks of the code's internals
    for where, text in descriptions(schema):
        assert not [line for line in inherited if line in text], where
        assert not [phrase for phrase in INTERNAL_PHRASES if phrase.lower() in text.lower()], (where, text)


@pytest.mark.django_db
def test_component_names_read_well(schema):
    # then no request body is named twice "Request" (COMPONENT_SPLIT_REQUEST on a *Request serializer)
    names = set(schema["components"]["schemas"])
    assert not [name for name in names if name.endswith("RequestRequest")]
    assert "PortalTicketCreateRequest" in names
    # and every reference points at a component that exists
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(schema)))
    assert refs - names == set()


@pytest.mark.django_db
def test_swagger_ui_opens_with_authentication_first(schema, api_client):
    # then the tags are listed in reading order, signing in first, and every tag used is listed
    tags = [tag["name"] for tag in schema["tags"]]
    assert tags[0] == "Usuarios · autenticación"
    assert {tag for _, _, operation in operations(schema) for tag in operation["tags"]} <= set(tags)
    # and the first operation of that tag is the login
    first = next(operation for _, _, operation in operations(schema) if tags[0] in operation["tags"])
    assert first["operationId"] == "users_auth_login_create"
    assert next(iter(schema["paths"])) == "/api/users/auth/login/"
    # and the residents' login comes first among the portal's operations
    portal = next(operation for _, _, operation in operations(schema) if "Portal de residentes" in operation["tags"])
    assert portal["operationId"] == "tenant_login"
    # and Swagger UI keeps the token pasted in "Authorize" across reloads
    html = api_client.get("/api/docs/").content.decode()
    assert '"persistAuthorization": true' in html


@pytest.mark.django_db
def test_staff_and_portal_logins_explain_how_to_authenticate(schema):
    # when
    staff = schema["paths"]["/api/users/auth/login/"]["post"]
    portal = schema["paths"]["/api/tenant/login"]["post"]

    # then
    assert staff["summary"] == "Iniciar sesión (obtener tokens JWT)"
    assert "Authorization: Bearer <access>" in staff["description"]
    assert portal["summary"] == "Log in as a resident"
    assert "Authorization: Bearer <token>" in portal["description"]


# --- The README is self-contained -----------------------------------------------------------------

DOCUMENTS = ("README.md", "docs/API.md", "docs/ARCHITECTURE.md")


@pytest.mark.parametrize("document", DOCUMENTS)
def test_documents_link_only_to_files_of_the_repository(document):
    # given the document's Markdown links and the paths it quotes
    path = REPO / document
    text = path.read_text()
    links = [link.split("#")[0] for link in re.findall(r"\]\(([^)\s]+)\)", text)]
    local = [link for link in links if link and not link.startswith(("http://", "https://", "mailto:"))]

    # then every local link resolves inside the clone, and nothing points outside it
    assert "../shared" not in text
    for link in local:
        target = (path.parent / link).resolve()
        assert target.is_relative_to(REPO), link
        assert target.exists(), link
    # and external links only point at the local server
    assert [link for link in links if link.startswith(("http://", "https://"))] == []
    assert not [url for url in re.findall(r"<(https?://[^>]+)>", text) if not url.startswith("http://127.0.0.1:")]


def test_readme_keeps_the_two_commands_and_points_at_the_api_guide():
    readme = (REPO / "README.md").read_text()

    assert "make run    # " in readme
    assert "make test   # " in readme
    assert "[docs/API.md](docs/API.md)" in readme
    for page in ("/api/docs/", "/api/redoc/", "/api/schema/"):
        assert f"http://127.0.0.1:8000{page}" in readme
