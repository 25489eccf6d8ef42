"""A newcomer's first hour: unknown API paths answer JSON, `make run` is readable (demo
credentials last, no e-mail bodies), the database is created when missing, the admin says
TicketHelp and the OpenAPI document reads well."""

import pytest
from django.core.management import call_command
from django.test import Client

from notifications.models import Notification, NotificationStatus
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
    assert response.json() == {"message": "Not found."}


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
