"""Hardening: deployment checks, security headers, settings read from the environment,
token lifetimes and rotation, brute-force throttles, upload limits, log hygiene, admin access.

Tests of what the environment decides execute tickethelp/settings.py afresh with a given
environment (`settings_with`); tests of behaviour run requests through the whole stack.
"""

import json
import logging
import os
import runpy
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.test.client import ClientHandler, RequestFactory
from rest_framework.test import APIClient

from notifications.models import Notification
from tests.conftest import client_for
from tests.factories import TEST_PASSWORD, DeviceFactory, TenantFactory, TicketFactory, UserFactory
from tests.media_files import mp4_head_of_size
from tests.processes import ROOT
from tickethelp.logging import JsonFormatter
from tickethelp.security import ADMIN_CONTENT_SECURITY_POLICY, API_CONTENT_SECURITY_POLICY
from tickethelp.uploads import MAX_UPLOAD_SIZE
from tickets.models import Ticket, TicketAttachment
from users.models import Role
from users.services import user_request_password_reset

SETTINGS_FILE = ROOT / "tickethelp" / "settings.py"
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "hardening-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF",
    "ALLOWED_HOSTS": "tickethelp.example.com",
}
# Every variable these tests set, cleared first so that the caller's shell cannot leak in.
VARIABLES = [
    *PRODUCTION,
    "CORS_ALLOWED_ORIGINS",
    "JWT_ACCESS_MINUTES",
    "JWT_REFRESH_DAYS",
    "JWT_ROTATE_REFRESH_TOKENS",
    "JWT_BLACKLIST_AFTER_ROTATION",
    "LOGIN_RATE_PER_EMAIL",
    "LOGIN_RATE_PER_IP",
    "PASSWORD_RESET_RATE",
    "MAX_REQUEST_BODY_MB",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "LOG_FORMAT",
]
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def settings_with(monkeypatch):
    """tickethelp/settings.py executed with exactly the given variables (production by default)."""

    def load(**env: str) -> dict:
        for name in VARIABLES:
            monkeypatch.delenv(name, raising=False)
        for name, value in {**PRODUCTION, **env}.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(SETTINGS_FILE))

    return load


# --- manage.py check --deploy ---------------------------------------------------------------


def test_deploy_checks_are_clean_on_production_settings():
    # given the production settings module with only the three required variables
    env = {name: value for name, value in os.environ.items() if name not in VARIABLES}
    env.update(PRODUCTION, DJANGO_SETTINGS_MODULE="tickethelp.settings")

    # when
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    # then
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_defaults_are_the_safe_ones(settings_with):
    # when only DEBUG=false, SECRET_KEY and ALLOWED_HOSTS are set
    config = settings_with()

    # then
    assert config["DEBUG"] is False
    assert config["SECURE_SSL_REDIRECT"] is True
    assert config["SECURE_HSTS_SECONDS"] == 31_536_000
    assert config["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert config["SECURE_HSTS_PRELOAD"] is True
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["CSRF_COOKIE_SECURE"] is True
    assert config["X_FRAME_OPTIONS"] == "DENY"
    assert config["CORS_ALLOWED_ORIGINS"] == []
    assert config["CORS_ALLOW_CREDENTIALS"] is False
    assert config["SIMPLE_JWT"]["ROTATE_REFRESH_TOKENS"] is True
    assert config["SIMPLE_JWT"]["BLACKLIST_AFTER_ROTATION"] is True
    assert config["MAX_REQUEST_BODY_SIZE"] == 110 * 1024 * 1024


def test_production_refuses_to_start_without_a_secret_key(settings_with):
    # when SECRET_KEY is empty with DEBUG off
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        settings_with(SECRET_KEY="")


def test_hsts_and_redirect_follow_the_environment(settings_with):
    # when
    config = settings_with(SECURE_HSTS_SECONDS="600", SECURE_HSTS_PRELOAD="false", SECURE_SSL_REDIRECT="false")

    # then
    assert config["SECURE_HSTS_SECONDS"] == 600
    assert config["SECURE_HSTS_PRELOAD"] is False
    assert config["SECURE_SSL_REDIRECT"] is False


# --- Security headers -----------------------------------------------------------------------


def assert_common_security_headers(response, *, opener_policy: str = "same-origin") -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == opener_policy


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "path", "status"),
    [
        ("ADMIN", "/api/estados/", 200),
        ("anonymous", "/api/estados/", 401),
        ("anonymous", "/api/tenant/me", 401),
        ("ADMIN", "/api/no-such-endpoint/", 404),
        ("anonymous", "/api/schema/", 200),
        ("anonymous", "/healthz", 200),
    ],
)
def test_api_answers_carry_the_security_headers_and_a_deny_all_csp(role_clients, who, path, status):
    # when an API answer is fetched over HTTPS
    response = role_clients[who].get(path, secure=True)

    # then
    assert response.status_code == status
    assert_common_security_headers(response)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["Content-Security-Policy"] == API_CONTENT_SECURITY_POLICY
    assert API_CONTENT_SECURITY_POLICY == (
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "opener_policy"),
    [
        ("/api/redoc/", "same-origin"),
        # drf-spectacular relaxes it on Swagger UI for OAuth2 pop-ups (unused here, harmless).
        ("/api/docs/", "unsafe-none"),
    ],
)
def test_api_documentation_pages_are_not_framed_and_keep_their_inline_scripts(api_client, path, opener_policy):
    # when an API documentation page is fetched over HTTPS
    response = api_client.get(path, secure=True)

    # then it renders, cannot be framed, and gets no CSP that would block its inline bootstrap
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert_common_security_headers(response, opener_policy=opener_policy)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "Content-Security-Policy" not in response


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "logged_in"),
    [("/admin/login/", False), ("/admin/", True), ("/admin/tickets/ticket/", True), ("/admin/users/user/add/", True)],
)
def test_admin_pages_run_only_their_own_scripts(admin_site, path, logged_in):
    # when an admin page is fetched over HTTPS (tests/browser/test_admin_csp.py runs them all in Chromium)
    response = (admin_site if logged_in else Client()).get(path, secure=True)

    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert_common_security_headers(response)
    assert response["Content-Security-Policy"] == ADMIN_CONTENT_SECURITY_POLICY
    assert ADMIN_CONTENT_SECURITY_POLICY == (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )


@pytest.mark.django_db
def test_hsts_is_only_sent_over_https(api_client):
    # when
    response = api_client.get("/healthz")

    # then (a browser ignores HSTS on plain HTTP; Django only sends it on secure requests)
    assert "Strict-Transport-Security" not in response
    assert_common_security_headers(response)


# --- CORS from the environment (behaviour: tests/ops/test_cors.py) ------------------------------


def test_cors_origins_come_from_the_environment(settings_with):
    # when
    config = settings_with(CORS_ALLOWED_ORIGINS=" https://app.tickethelp.example, https://m.tickethelp.example ,")

    # then
    assert config["CORS_ALLOWED_ORIGINS"] == ["https://app.tickethelp.example", "https://m.tickethelp.example"]
    assert config["CORS_URLS_REGEX"] == r"^/api/.*$"


@pytest.mark.django_db
def test_no_origin_is_allowed_when_none_is_configured(api_client, settings):
    # given the production default: no front-end origin configured
    settings.CORS_ALLOWED_ORIGINS = []

    # when a browser preflights from some origin
    response = api_client.options(
        "/api/users/auth/login/",
        HTTP_ORIGIN="https://app.tickethelp.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )

    # then
    assert "Access-Control-Allow-Origin" not in response


# --- JWT lifetimes and rotation ---------------------------------------------------------------


def test_jwt_lifetimes_and_rotation_come_from_the_environment(settings_with):
    # when
    config = settings_with(
        JWT_ACCESS_MINUTES="5",
        JWT_REFRESH_DAYS="2",
        JWT_ROTATE_REFRESH_TOKENS="false",
        JWT_BLACKLIST_AFTER_ROTATION="false",
    )

    # then
    jwt = config["SIMPLE_JWT"]
    assert jwt["ACCESS_TOKEN_LIFETIME"].total_seconds() == 5 * 60
    assert jwt["REFRESH_TOKEN_LIFETIME"].total_seconds() == 2 * 86_400
    assert jwt["ROTATE_REFRESH_TOKENS"] is False
    assert jwt["BLACKLIST_AFTER_ROTATION"] is False


def test_a_bad_boolean_is_refused_at_startup(settings_with):
    with pytest.raises(ImproperlyConfigured, match="JWT_ROTATE_REFRESH_TOKENS"):
        settings_with(JWT_ROTATE_REFRESH_TOKENS="maybe")


def test_issued_tokens_live_as_long_as_the_environment_says():
    # given a process started with JWT_ACCESS_MINUTES=7 and JWT_REFRESH_DAYS=3
    env = {name: value for name, value in os.environ.items() if name not in VARIABLES}
    env.update(PRODUCTION, DJANGO_SETTINGS_MODULE="tickethelp.settings", JWT_ACCESS_MINUTES="7", JWT_REFRESH_DAYS="3")
    script = (
        "import django, json; django.setup();"
        "from rest_framework_simplejwt.tokens import RefreshToken;"
        "r = RefreshToken(); a = r.access_token;"
        "print(json.dumps([r['exp'] - r['iat'], a['exp'] - a['iat']]))"
    )

    # when it mints a refresh token and its access token
    result = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )

    # then
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [3 * 86_400, 7 * 60]


def login(client: APIClient, user) -> dict:
    response = client.post("/api/users/auth/login/", {"email": user.email, "password": TEST_PASSWORD}, format="json")
    assert response.status_code == 200
    return response.json()


def refresh(client: APIClient, token: str):
    return client.post("/api/users/auth/refresh/", {"refresh": token}, format="json")


@pytest.mark.django_db
def test_by_default_a_refresh_rotates_and_the_used_token_is_refused(api_client, client_user):
    # given
    first = login(api_client, client_user)["refresh"]

    # when
    rotated = refresh(api_client, first)
    replayed = refresh(api_client, first)

    # then
    assert rotated.status_code == 200
    assert rotated.json()["refresh"] != first
    assert replayed.status_code == 401
    # and the replay ended the session: the token it was rotated into is refused too
    assert refresh(api_client, rotated.json()["refresh"]).status_code == 401


@pytest.mark.django_db
def test_without_rotation_the_same_refresh_token_keeps_working(api_client, client_user, settings):
    # given rotation turned off
    settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "ROTATE_REFRESH_TOKENS": False}
    token = login(api_client, client_user)["refresh"]

    # when it is used twice
    first, second = refresh(api_client, token), refresh(api_client, token)

    # then both answer a working access token and hand the same refresh token back
    assert first.status_code == second.status_code == 200
    assert first.json()["refresh"] == second.json()["refresh"] == token
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {second.json()['access']}")
    assert me.get("/api/users/auth/user-data/").json()["document"] == client_user.document


@pytest.mark.django_db
def test_rotation_without_blacklisting_leaves_the_used_token_valid(api_client, client_user, settings):
    # given rotation on, blacklisting after rotation off
    settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "BLACKLIST_AFTER_ROTATION": False}
    token = login(api_client, client_user)["refresh"]

    # when
    rotated = refresh(api_client, token)
    replayed = refresh(api_client, token)

    # then a new token was handed out and the used one still works
    assert rotated.status_code == 200
    assert rotated.json()["refresh"] != token
    assert replayed.status_code == 200


# --- Brute-force throttles ----------------------------------------------------------------------


def test_throttle_rates_come_from_the_environment(settings_with):
    # when
    config = settings_with(
        LOGIN_RATE_PER_EMAIL="3/min",
        LOGIN_RATE_PER_IP="10/min",
        PASSWORD_RESET_RATE="1/day",
        PASSWORD_CHECK_RATE="2/hour",
        PUSH_TOKEN_REGISTER_RATE="5/hour",
    )

    # then
    assert config["REST_FRAMEWORK"]["DEFAULT_THROTTLE_RATES"] == {
        "login_ip": "10/min",
        "login_email": "3/min",
        "tenant_password_reset": "1/day",
        "password_check": "2/hour",
        "push_token_register": "5/hour",
    }


def test_default_throttle_rates(settings_with):
    assert settings_with()["REST_FRAMEWORK"]["DEFAULT_THROTTLE_RATES"] == {
        "login_ip": "30/min",
        "login_email": "5/min",
        "tenant_password_reset": "3/hour",
        "password_check": "10/hour",
        "push_token_register": "60/hour",
    }


@pytest.mark.django_db
def test_tenant_login_is_throttled_per_ip_across_emails(api_client):
    # given 30 failed portal logins from one address, each for a different e-mail
    statuses = [
        api_client.post(
            "/api/tenant/login", {"email": f"nadie{n}@example.com", "password": "x"}, format="json"
        ).status_code
        for n in range(30)
    ]

    # when a 31st e-mail is tried from the same address
    response = api_client.post("/api/tenant/login", {"email": "otro@example.com", "password": "x"}, format="json")

    # then
    assert set(statuses) == {422}
    assert response.status_code == 429


@pytest.mark.django_db
def test_staff_and_portal_logins_share_the_per_email_counter(api_client):
    # given a resident whose e-mail got three wrong passwords on the staff API
    tenant = TenantFactory()
    for _ in range(3):
        api_client.post("/api/users/auth/login/", {"email": tenant.user.email, "password": "x"}, format="json")

    # when two more go to the portal, and then the right password
    portal = [
        api_client.post("/api/tenant/login", {"email": tenant.user.email, "password": "x"}, format="json").status_code
        for _ in range(2)
    ]
    right = api_client.post("/api/tenant/login", {"email": tenant.user.email, "password": TEST_PASSWORD}, format="json")

    # then the sixth attempt on that e-mail is throttled, whichever door it knocks on
    assert portal == [422, 422]
    assert right.status_code == 429


# --- Admin site: staff only, login throttled ------------------------------------------------


def admin_login(client: Client, email: str, password: str):
    return client.post("/admin/login/?next=/admin/", {"username": email, "password": password})


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_admin_login(api_client):
    # when
    response = Client().get("/admin/tickets/ticket/")

    # then
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/tickets/ticket/"


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.TECH, Role.CLIENT])
def test_technicians_and_clients_cannot_log_in_to_the_admin(role):
    # given a non-admin with the right password
    user = UserFactory(role=role)
    client = Client()

    # when
    response = admin_login(client, user.email, TEST_PASSWORD)

    # then the form is shown again, no session is opened, the admin stays closed
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.TECH, Role.CLIENT])
def test_a_logged_in_non_admin_session_does_not_open_the_admin(role):
    # given a session of a non-admin (e.g. opened elsewhere)
    client = Client()
    client.force_login(UserFactory(role=role))

    # when / then
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/users/user/").status_code == 302


@pytest.mark.django_db
def test_a_deactivated_admin_cannot_log_in_to_the_admin():
    # given
    user = UserFactory(role=Role.ADMIN, is_active=False)
    client = Client()

    # when
    response = admin_login(client, user.email, TEST_PASSWORD)

    # then
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_an_admin_logs_in_to_the_admin(admin_user):
    # given
    client = Client()

    # when
    response = admin_login(client, admin_user.email, TEST_PASSWORD)

    # then
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.session["_auth_user_id"] == str(admin_user.pk)
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_admin_login_is_throttled_per_email(admin_user):
    # given five wrong passwords for an admin's e-mail
    client = Client()
    statuses = [admin_login(client, admin_user.email, "not-the-password").status_code for _ in range(5)]

    # when the right password comes sixth
    response = admin_login(client, admin_user.email.upper(), TEST_PASSWORD)

    # then it is refused without logging in, and says when to come back
    assert statuses == [200] * 5
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Demasiados intentos" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_admin_login_is_throttled_per_ip_across_emails():
    # given 30 attempts from one address, each for another e-mail
    client = Client()
    for n in range(30):
        assert admin_login(client, f"nadie{n}@example.com", "x").status_code == 200

    # when
    response = admin_login(client, "otro@example.com", "x")

    # then
    assert response.status_code == 429


@pytest.mark.django_db
def test_admin_and_api_logins_share_the_per_email_counter(api_client, admin_user):
    # given three wrong passwords on the API and two on the admin
    for _ in range(3):
        api_client.post("/api/users/auth/login/", {"email": admin_user.email, "password": "x"}, format="json")
    client = Client()
    for _ in range(2):
        admin_login(client, admin_user.email, "x")

    # when the right password comes on either
    on_admin = admin_login(client, admin_user.email, TEST_PASSWORD)
    on_api = api_client.post(
        "/api/users/auth/login/", {"email": admin_user.email, "password": TEST_PASSWORD}, format="json"
    )

    # then both are throttled
    assert on_admin.status_code == 429
    assert on_api.status_code == 429


@pytest.mark.django_db
def test_showing_the_admin_login_form_is_not_counted(admin_user):
    # given the login page loaded many times
    client = Client()
    for _ in range(40):
        assert client.get("/admin/login/").status_code == 200

    # when / then logging in still works
    assert admin_login(client, admin_user.email, TEST_PASSWORD).status_code == 302


# --- Upload limits, enforced while the body streams in -----------------------------------------


class StreamedBody:
    """A request body produced while it is read (never held whole); counts the bytes read."""

    def __init__(self, head: bytes, filler: int, tail: bytes, *, on_end=None) -> None:
        self._parts = [head, filler, tail]
        self.length = len(head) + filler + len(tail)
        self.bytes_read = 0
        self._on_end = on_end

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.length - self.bytes_read
        out = bytearray()
        while len(out) < size and self._parts:
            part = self._parts[0]
            want = size - len(out)
            if isinstance(part, int):
                take = min(part, want)
                out += bytes(take)
                self._parts[0] = part - take
                if self._parts[0] == 0:
                    self._parts.pop(0)
            else:
                out += part[:want]
                self._parts[0] = part[want:]
                if not self._parts[0]:
                    self._parts.pop(0)
        self.bytes_read += len(out)
        if not self._parts and self._on_end is not None:
            self._on_end()
            self._on_end = None
        return bytes(out)

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


BOUNDARY = "HardeningBoundary7MA4YWxkTrZu0gW"


def multipart(
    fields: dict[str, str], file_field: str, file_name: str, file_size: int, *, on_end=None, file_head=JPEG_HEAD
) -> StreamedBody:
    """A multipart body with text fields and one file of `file_size` bytes: `file_head` (a
    JPEG header unless told), then zeros."""
    head = b""
    for name, value in fields.items():
        head += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    head += (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{file_name}"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode() + file_head
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    return StreamedBody(head, file_size - len(file_head), tail, on_end=on_end)


def post_streamed(path: str, body: StreamedBody, *, user, content_length: int | None = None):
    """POST `body` through the whole middleware stack as a WSGI server would hand it over."""
    environ = RequestFactory()._base_environ(
        PATH_INFO=path,
        REQUEST_METHOD="POST",
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(body.length if content_length is None else content_length),
        HTTP_AUTHORIZATION=client_for(user)._credentials["HTTP_AUTHORIZATION"],
    )
    environ["wsgi.input"] = body
    return ClientHandler(enforce_csrf_checks=False)(environ)


def temp_bytes(directory: Path) -> int:
    return sum(path.stat().st_size for path in directory.rglob("*") if path.is_file())


@pytest.fixture
def upload_dirs(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "spool")
    (tmp_path / "spool").mkdir()
    return tmp_path


@pytest.mark.django_db
def test_an_oversized_attachment_is_refused_without_being_held_in_memory_or_on_disk(upload_dirs, ticket_for_upload):
    # given a 45 MB JPEG streamed to the staff attachment endpoint, and what sits on disk when the body ends
    on_disk_at_end = []
    spool = upload_dirs / "spool"
    body = multipart(
        {}, "file", "enorme.jpg", 45 * 1024 * 1024, on_end=lambda: on_disk_at_end.append(temp_bytes(spool))
    )

    # when it is posted, memory traced
    tracemalloc.start()
    try:
        response = post_streamed(
            f"/api/tickets/{ticket_for_upload.pk}/attachments/", body, user=ticket_for_upload.tecnico
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # then it is refused naming the field, after the body was read in bounded memory and disk
    assert response.status_code == 400
    assert json.loads(response.content)["file"] == ["El archivo supera el tamaño máximo de 20 MB."]
    assert body.bytes_read == body.length
    assert peak < 8 * 1024 * 1024
    assert on_disk_at_end == [0]
    assert not TicketAttachment.objects.exists()
    assert temp_bytes(spool) == 0


@pytest.mark.django_db
def test_an_attachment_of_exactly_the_maximum_still_streams_in(upload_dirs, ticket_for_upload):
    # given a video of exactly 20 MB (stored as sent: its media data runs to the last byte)
    body = multipart({}, "file", "justo.mp4", MAX_UPLOAD_SIZE, file_head=mp4_head_of_size(MAX_UPLOAD_SIZE))

    # when
    response = post_streamed(f"/api/tickets/{ticket_for_upload.pk}/attachments/", body, user=ticket_for_upload.tecnico)

    # then
    assert response.status_code == 201
    assert json.loads(response.content)["attachment"]["size"] == MAX_UPLOAD_SIZE


@pytest.mark.django_db
def test_an_oversized_portal_attachment_is_refused_naming_the_field(upload_dirs):
    # given a resident and a 25 MB JPEG streamed with a ticket
    tenant = TenantFactory()
    device = DeviceFactory(owners=[tenant])
    fields = {"device_id": str(device.pk), "category": "Hardware", "title": "Pantalla", "description": "Rota"}
    body = multipart(fields, "attachments[]", "enorme.jpg", 25 * 1024 * 1024)

    # when
    response = post_streamed("/api/tenant/tickets", body, user=tenant.user)

    # then
    assert response.status_code == 422
    assert json.loads(response.content)["errors"] == {
        "attachments": ["The attachment #1 (enorme.jpg) must not be greater than 20 MB."]
    }
    assert not Ticket.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            "/api/tenant/tickets",
            {"error": "Payload Too Large", "message": "El cuerpo de la solicitud supera el máximo de 110 MB."},
        ),
        (
            "/api/tickets/{ticket}/attachments/",
            {"detail": "El cuerpo de la solicitud supera el máximo de 110 MB.", "code": "request_too_large"},
        ),
    ],
)
def test_a_body_over_the_request_cap_is_refused_before_it_is_read(upload_dirs, ticket_for_upload, path, expected):
    # given a body that announces 200 MB
    body = multipart({}, "file", "enorme.jpg", 200 * 1024 * 1024)

    # when
    response = post_streamed(path.format(ticket=ticket_for_upload.pk), body, user=ticket_for_upload.tecnico)

    # then it is refused with 413 and not one byte of it was read
    assert response.status_code == 413
    assert json.loads(response.content) == expected
    assert body.bytes_read == 0
    assert not TicketAttachment.objects.exists()


@pytest.mark.django_db
def test_the_request_cap_follows_its_setting(upload_dirs, ticket_for_upload, settings):
    # given a cap of 1 MB and a 2 MB upload (under the per-file maximum)
    settings.MAX_REQUEST_BODY_SIZE = 1024 * 1024
    body = multipart({}, "file", "foto.jpg", 2 * 1024 * 1024)

    # when
    response = post_streamed(f"/api/tickets/{ticket_for_upload.pk}/attachments/", body, user=ticket_for_upload.tecnico)

    # then
    assert response.status_code == 413
    assert json.loads(response.content)["detail"] == "El cuerpo de la solicitud supera el máximo de 1 MB."
    assert body.bytes_read == 0


def test_the_request_cap_comes_from_the_environment(settings_with):
    assert settings_with(MAX_REQUEST_BODY_MB="50")["MAX_REQUEST_BODY_SIZE"] == 50 * 1024 * 1024


@pytest.mark.django_db
def test_a_large_json_body_is_refused_with_a_4xx(as_admin):
    # given a JSON body above DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)
    payload = json.dumps({"codigo": "x", "nombre": "n" * (3 * 1024 * 1024)})

    # when
    response = as_admin.post("/api/estados/", payload, content_type="application/json")

    # then
    assert response.status_code == 400


@pytest.fixture
def ticket_for_upload(db):
    return TicketFactory()


# --- Logs hold no secrets -----------------------------------------------------------------------


def rendered(records) -> str:
    """Every captured record as the production JSON formatter writes it, plus its plain message."""
    formatter = JsonFormatter()
    lines = []
    for record in records:
        if not hasattr(record, "request_id"):
            record.request_id = "-"
        lines.append(formatter.format(record))
        lines.append(record.getMessage())
    return "\n".join(lines)


@pytest.mark.django_db
def test_logs_of_the_auth_flows_hold_no_password_token_or_personal_data(caplog, monkeypatch):
    # given a user, logs captured at DEBUG, and a view that will crash
    user = UserFactory(email="privada@example.com", document="CC-55512345", first_name="Zoraida")
    new_password = "Otra-Clave-Segura-2026"
    caplog.set_level(logging.DEBUG)
    api = APIClient(raise_request_exception=False)

    # when: a failed login, a login, a refresh, a password change, an unhandled exception
    failed = api.post("/api/users/auth/login/", {"email": user.email, "password": "Clave-Equivocada-77"}, format="json")
    tokens = login(api, user)
    refreshed = refresh(api, tokens["refresh"]).json()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {refreshed['access']}")
    changed = api.post(
        "/api/users/auth/change-password/",
        {"old_password": TEST_PASSWORD, "new_password": new_password},
        format="json",
    )

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("users.views.UserDataView.get", crash)
    fresh = login(api, UserFactory())
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {fresh['access']}")
    crashed = api.get(f"/api/users/auth/user-data/?token={fresh['refresh']}")

    # then the flows did happen and were logged
    assert failed.status_code == 401
    assert changed.status_code == 200, changed.content
    assert crashed.status_code == 500
    output = rendered(caplog.records)
    assert "POST /api/users/auth/login/ 200" in output
    assert "boom" in output
    # and nothing secret or personal is in them
    secrets = [
        TEST_PASSWORD,
        "Clave-Equivocada-77",
        new_password,
        tokens["access"],
        tokens["refresh"],
        refreshed["access"],
        refreshed["refresh"],
        fresh["access"],
        fresh["refresh"],
        "Bearer",
        "eyJ",  # how every JWT (its base64 JSON header) starts
        "Authorization",
        "HTTP_AUTHORIZATION",
        user.email,
        user.document,
        "Zoraida",
    ]
    leaked = [secret for secret in secrets if secret.lower() in output.lower()]
    assert leaked == []


# --- E-mail in production without a mail server ---------------------------------------------------


@pytest.mark.parametrize(
    ("env", "backend"),
    [
        ({}, "tickethelp.mail.UnconfiguredEmailBackend"),
        ({"DEBUG": "true"}, "django.core.mail.backends.console.EmailBackend"),
        ({"EMAIL_HOST": "smtp.example.com"}, "django.core.mail.backends.smtp.EmailBackend"),
    ],
)
def test_the_email_backend_follows_the_environment(settings_with, monkeypatch, env, backend):
    # given
    monkeypatch.delenv("EMAIL_HOST", raising=False)

    # when / then
    assert settings_with(**env)["EMAIL_BACKEND"] == backend


@pytest.mark.django_db
def test_without_a_mail_server_production_never_prints_a_password(
    settings, monkeypatch, caplog, capsys, django_capture_on_commit_callbacks
):
    # given production without EMAIL_HOST, and a known temporary password
    settings.EMAIL_BACKEND = "tickethelp.mail.UnconfiguredEmailBackend"
    monkeypatch.setattr("notifications.delivery.email.generate_password", lambda: "Temporal-Conocida-41!")
    user = UserFactory(email="reset-me@example.com")
    caplog.set_level(logging.DEBUG)

    # when a password reset e-mail is delivered
    with django_capture_on_commit_callbacks(execute=True):
        user_request_password_reset(user=user)

    # then stdout and the logs say it was not sent, without the password or the address
    output = capsys.readouterr().out + rendered(caplog.records)
    assert "E-mail not sent, EMAIL_HOST is not set: '[TicketHelp] Contraseña temporal' to 1 recipient(s)" in output
    assert "Temporal-Conocida-41!" not in output
    assert user.email not in output
    # and nothing pretends it was: the old password still works, the notification waits
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)
    notification = Notification.objects.get(usuario=user)
    assert notification.fecha_envio is None
    assert notification.ultimo_error == "EmailNotConfigured: EMAIL_HOST is not set"


@pytest.mark.django_db
def test_logs_of_the_portal_flows_hold_no_password_token_or_personal_data(
    caplog, capsys, mailoutbox, django_capture_on_commit_callbacks
):
    # given a resident, logs captured at DEBUG
    tenant = TenantFactory(user__email="residente.privada@example.com", user__first_name="Eulalia")
    new_password = "Portal-Clave-Nueva-2026"
    caplog.set_level(logging.DEBUG)
    api = APIClient()

    # when: a failed login, a login, a password change, a reset request and a logout
    failed = api.post("/api/tenant/login", {"email": tenant.user.email, "password": "Mala-Clave-33"}, format="json")
    logged_in = api.post("/api/tenant/login", {"email": tenant.user.email, "password": TEST_PASSWORD}, format="json")
    token = logged_in.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    changed = api.post(
        "/api/tenant/change-password",
        {"current_password": TEST_PASSWORD, "new_password": new_password, "new_password_confirmation": new_password},
        format="json",
    )
    fresh = changed.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {fresh}")
    with django_capture_on_commit_callbacks(execute=True):
        reset = api.post("/api/tenant/reset-password-request")
    temporary = mailoutbox[0].body.split("Contraseña temporal: ")[1].split()[0]
    logged_out = api.post("/api/tenant/logout")

    # then the flows happened
    assert failed.status_code == 422
    assert changed.status_code == reset.status_code == logged_out.status_code == 200
    # and neither the logs nor stdout hold a secret or the resident's identity
    output = rendered(caplog.records) + capsys.readouterr().out
    assert "POST /api/tenant/login 200" in output
    secrets = [
        TEST_PASSWORD,
        "Mala-Clave-33",
        new_password,
        temporary,
        token,
        fresh,
        "eyJ",
        "Bearer",
        tenant.user.email,
        tenant.user.document,
        "Eulalia",
    ]
    assert [secret for secret in secrets if secret.lower() in output.lower()] == []
