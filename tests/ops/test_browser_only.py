"""Sessions, request.user and messages run for the browser pages only
(tickethelp.browser_only): the API's paths skip them, the admin keeps every one."""

import pytest
from django.test import Client

from tests.conftest import client_for
from tests.factories import UserFactory
from tickethelp.browser_only import is_api_path
from users.models import Role


@pytest.mark.sqlite
@pytest.mark.parametrize(
    ("path", "api"),
    [
        ("/api/users/", True),
        ("/api/tenant/tickets", True),
        ("/api/me/", True),
        ("/api/docs/", False),
        ("/api/redoc/", False),
        ("/api/schema/", False),
        ("/admin/", False),
        ("/admin/login/", False),
        ("/healthz", False),
        ("/apis/", False),
    ],
)
def test_which_paths_are_the_api(path, api):
    # when / then
    assert is_api_path(path) is api


@pytest.mark.sqlite
@pytest.mark.django_db
def test_an_api_request_sets_no_session_or_csrf_cookie_and_keeps_its_security_headers():
    # given
    client = client_for(UserFactory(role=Role.TECH))

    # when
    response = client.get("/api/me/")

    # then
    assert response.status_code == 200
    assert response.cookies == {}
    assert response["X-Frame-Options"] == "DENY"
    assert "Vary" not in response or "Cookie" not in response["Vary"]


@pytest.mark.sqlite
@pytest.mark.django_db
def test_an_api_write_needs_no_csrf_token_even_from_a_browser_with_an_admin_session(admin_user):
    # given: a browser logged into the admin (session cookie) that also holds a bearer token
    client = client_for(admin_user)
    client.force_login(admin_user)
    client.handler.enforce_csrf_checks = True

    # when
    response = client.post("/api/users/auth/logout/", {}, format="json")

    # then: the API authenticates by token, never by the session cookie
    assert response.status_code != 403, response.content


@pytest.mark.sqlite
@pytest.mark.django_db
def test_the_admin_still_has_sessions_and_enforces_csrf(admin_user):
    # given
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)

    # when
    page = browser.get("/admin/")
    forged = browser.post("/admin/logout/")

    # then
    assert page.status_code == 200
    assert forged.status_code == 403


@pytest.mark.sqlite
@pytest.mark.django_db
def test_the_api_docs_page_keeps_the_browser_middleware(admin_user):
    # given
    browser = Client()
    browser.force_login(admin_user)

    # when
    response = browser.get("/api/docs/")

    # then: the session middleware ran (the admin's session is loaded on this page's request)
    assert response.status_code == 200
    assert response.wsgi_request.session.get("_auth_user_id") == str(admin_user.pk)


@pytest.mark.sqlite
@pytest.mark.django_db
def test_an_api_request_does_not_see_the_admin_session_user(admin_user):
    # given: an admin session cookie and no token
    browser = Client()
    browser.force_login(admin_user)

    # when
    response = browser.get("/api/me/")

    # then
    assert response.status_code == 401
    assert not hasattr(response.wsgi_request, "session")
