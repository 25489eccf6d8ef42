"""The admin's Content-Security-Policy (tickethelp/security.py) breaks nothing in a real browser:
every page of every registered model, its widgets (select2 autocomplete, the "+" pop-up,
the actions bar) run with the policy on, and Chromium reports no violation."""

import re

import pytest
from django.contrib import admin
from django.test import RequestFactory
from playwright.sync_api import expect

from tests.browser.conftest import admin_login
from tests.factories import DeviceFactory, DoormanFactory, StateChangeRequestFactory, TenantFactory
from tickethelp.security import ADMIN_CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.django_db(transaction=True)


def admin_pages(user) -> list[str]:
    """Index, and for every registered model: its list, its add form (where adding is allowed)
    and one object's change form."""
    request = RequestFactory().get("/admin/")
    request.user = user
    pages = ["/admin/"]
    for model, model_admin in admin.site._registry.items():
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        pages.append(base)
        if model_admin.has_add_permission(request):
            pages.append(f"{base}add/")
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(f"{base}{first.pk}/change/")
    return pages


def test_every_admin_page_runs_under_its_csp_without_a_violation(page, screenshot, admin_account):
    # given data for every kind of admin page, and a record of what Chromium refuses
    StateChangeRequestFactory()
    DeviceFactory(owners=[TenantFactory()])
    DoormanFactory()
    refused = []
    # On the context, so that the pop-up window is watched too.
    page.context.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.context.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.error('Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    admin_login(page, screenshot)

    # when every page is opened
    for path in admin_pages(admin_account):
        response = page.goto(path)
        assert response.status == 200, path
        assert response.headers["content-security-policy"] == ADMIN_CONTENT_SECURITY_POLICY, path
        expect(page.locator("#footer")).to_have_count(1)

    # and the scripted widgets are used: the list's actions bar, select2 and the "+" pop-up
    page.goto("/admin/tenants/device/")
    page.locator("#action-toggle").check()
    expect(page.locator(".action-counter")).to_contain_text("1")
    page.goto("/admin/tenants/tenant/add/")
    page.locator("#id_user + .select2 .select2-selection").click()
    expect(page.locator(".select2-container--open .select2-search__field")).to_be_visible()
    page.keyboard.press("Escape")
    with page.expect_popup() as popup_info:
        page.locator("#add_id_user").click()
    popup = popup_info.value
    expect(popup).to_have_url(re.compile(r"/admin/users/user/add/\?.*_popup=1"))
    expect(popup.locator("#id_document")).to_be_visible()
    screenshot("csp-popup")

    # then nothing was refused
    assert refused == []
