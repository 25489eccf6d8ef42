"""Swagger UI at /api/docs/ works as a console: "Try it out" on the login call, executed
from the real browser against the live server, returns tokens."""

import json

import pytest
from playwright.sync_api import expect
from rest_framework_simplejwt.tokens import AccessToken

from tests.browser.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

LOGIN_PATH = "/api/users/auth/login/"


def test_swagger_ui_executes_login_and_shows_access_token(page, screenshot, admin_account):
    # given the documentation page with the login operation expanded
    page.goto("/api/docs/")
    login_path = page.locator(f'.opblock-summary-path[data-path="{LOGIN_PATH}"]')
    operation = page.locator(".opblock.opblock-post", has=login_path)
    expect(operation).to_have_count(1)
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    screenshot("login-try-it-out", operation)

    # when the request body carries the admin's credentials and it is executed
    body = operation.locator("textarea.body-param__text")
    body.fill(json.dumps({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
    operation.locator("button.execute").click()

    # then the live response panel shows 200 and a body with an access token
    live_response = operation.locator(".live-responses-table tbody tr.response")
    expect(live_response.locator(".response-col_status")).to_have_text("200")
    response_body = live_response.locator(".response-col_description .highlight-code pre.microlight")
    expect(response_body).to_contain_text('"access"')
    screenshot("login-response", operation)
    payload = json.loads(response_body.inner_text())
    assert payload["email"] == ADMIN_EMAIL
    assert payload["role"] == "ADMIN"
    # a valid, signed access token of this admin
    assert str(AccessToken(payload["access"])["user_id"]) == str(admin_account.pk)
