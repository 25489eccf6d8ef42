"""An administrator registers a building with an apartment and a resident in the admin
site, picking the owner, the apartment and the CLIENT user with the autocomplete widgets."""

import pytest
from playwright.sync_api import expect

from tenants.models import Apartment, Building, Tenant
from tests.browser.conftest import admin_login, pick_autocomplete
from tests.factories import OwnerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_creates_building_with_apartment_and_tenant(page, screenshot, admin_account, client_account):
    # given a logged-in administrator, an owner and a CLIENT user without a residence
    owner = OwnerFactory(name="Inversiones Altamira")
    admin_login(page, screenshot)

    # when they add a building with one apartment inline, picking the owner by autocomplete
    page.goto("/admin/tenants/building/add/")
    page.locator("#id_name").fill("Torres del Parque")
    pick_autocomplete(page, "id_owner", "Altamira", "Inversiones Altamira")
    page.locator("#id_address").fill("Calle 93 # 11-20")
    page.locator("#apartments-group .add-row a").click()
    page.locator("#id_apartments-0-name").fill("101")
    page.locator("#id_apartments-0-ubicacion").fill("Primer piso")
    screenshot("building-form")
    page.locator("input[name=_save]").click()

    # then the building list confirms it
    expect(page.locator(".messagelist .success")).to_contain_text("Torres del Parque")
    expect(page.locator("#result_list")).to_contain_text("Torres del Parque")
    screenshot("building-saved")

    # when they add a resident for that apartment linked to the CLIENT user
    page.goto("/admin/tenants/tenant/add/")
    pick_autocomplete(page, "id_user", "lucia.e2e", "lucia.e2e@example.com")
    pick_autocomplete(page, "id_apartment", "Torres", "Torres del Parque · 101")
    page.locator("#id_phone").fill("+57 300 1234567")
    screenshot("tenant-form")
    page.locator("input[name=_save]").click()

    # then the resident list shows them in that apartment
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator(".errornote")).to_have_count(0)
    row = page.locator("#result_list tbody tr", has_text="lucia.e2e@example.com")
    expect(row).to_contain_text("Torres del Parque · 101")
    screenshot("tenant-saved")

    # and the database holds the rows with the right relations
    building = Building.objects.get(name="Torres del Parque")
    assert building.owner_id == owner.pk
    assert building.address == "Calle 93 # 11-20"
    apartment = Apartment.objects.get(building=building)
    assert (apartment.name, apartment.ubicacion, apartment.status) == ("101", "Primer piso", True)
    tenant = Tenant.objects.get(user=client_account)
    assert tenant.apartment_id == apartment.pk
    assert tenant.phone == "+57 300 1234567"
    assert Tenant.objects.count() == 1
