"""Django admin pages of the tenants app: every changelist, add and change page renders."""

import pytest

from tenants.models import Device, Tenant
from tests.factories import DeviceFactory, TenantFactory, UserFactory
from users.models import Role, User

pytestmark = pytest.mark.django_db


def pages(world):
    objects = {
        "owner": world.owner,
        "building": world.building,
        "doorman": world.doorman,
        "apartment": world.apartment,
        "tenant": world.tenant,
        "namedevice": world.device_type,
        "device": world.device,
    }
    for model, obj in objects.items():
        yield f"/admin/tenants/{model}/"
        yield f"/admin/tenants/{model}/?q=a"
        yield f"/admin/tenants/{model}/add/"
        yield f"/admin/tenants/{model}/{obj.pk}/change/"
        yield f"/admin/tenants/{model}/{obj.pk}/delete/"


def test_admin_pages_render(admin_site, world):
    for path in pages(world):
        response = admin_site.get(path)
        assert response.status_code == 200, path


def test_admin_index_lists_the_tenants_models_in_spanish(admin_site, world):
    response = admin_site.get("/admin/")

    content = response.content.decode()
    for label in ("Edificios", "Apartamentos", "Porteros", "Propietarios", "Residentes", "Dispositivos"):
        assert label in content


def test_changelists_do_not_grow_queries_with_rows(admin_site, world, django_assert_max_num_queries):
    for _ in range(30):
        DeviceFactory(owners=[TenantFactory()])

    for model in ("device", "tenant", "apartment", "building", "doorman", "owner", "namedevice"):
        with django_assert_max_num_queries(15):
            assert admin_site.get(f"/admin/tenants/{model}/").status_code == 200


def test_user_autocomplete_for_tenants_offers_only_client_users(admin_site, world):
    UserFactory(role=Role.TECH, first_name="Tecla", last_name="Zeta")
    client = UserFactory(role=Role.CLIENT, first_name="Clara", last_name="Zeta")

    response = admin_site.get(
        "/admin/autocomplete/",
        {"term": "Zeta", "app_label": "tenants", "model_name": "tenant", "field_name": "user"},
    )

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(client.pk)]


def test_tenant_add_page_offers_creating_the_user_in_a_popup(admin_site, world):
    response = admin_site.get("/admin/tenants/tenant/add/")

    content = response.content.decode()
    assert 'id="add_id_user"' in content
    assert "/admin/users/user/add/?_to_field=id&amp;_popup=1" in content


def test_new_person_as_resident_from_the_admin(admin_site, world, mailoutbox, django_capture_on_commit_callbacks):
    # given an admin on the tenant form, who opens the "+" popup and creates the account
    with django_capture_on_commit_callbacks(execute=True):
        popup = admin_site.post(
            "/admin/users/user/add/?_to_field=id&_popup=1",
            {
                "document": "CC-8080808",
                "email": "nueva.residente@example.com",
                "first_name": "Nueva",
                "last_name": "Residente",
                "number": "",
                "role": Role.CLIENT,
                "_popup": "1",
                "_to_field": "id",
            },
        )
    assert popup.status_code == 200
    user = User.objects.get(document="CC-8080808")
    assert [mail.to for mail in mailoutbox] == [["nueva.residente@example.com"]]

    # when the tenant form is saved with that user
    response = admin_site.post(
        "/admin/tenants/tenant/add/", {"user": user.pk, "apartment": world.apartment.pk, "phone": "", "photo": ""}
    )

    # then the person is a resident of the apartment
    assert response.status_code == 302
    assert Tenant.objects.get(user=user).apartment == world.apartment


def test_admin_add_tenant_for_a_client_user(admin_site, world):
    client = UserFactory(role=Role.CLIENT)

    response = admin_site.post(
        "/admin/tenants/tenant/add/", {"user": client.pk, "apartment": world.apartment.pk, "phone": "1", "photo": ""}
    )

    assert response.status_code == 302
    assert Tenant.objects.get(user=client).apartment == world.apartment


def test_admin_refuses_a_tenant_for_a_staff_user(admin_site, world):
    tech = UserFactory(role=Role.TECH)

    response = admin_site.post(
        "/admin/tenants/tenant/add/", {"user": tech.pk, "apartment": world.apartment.pk, "phone": "", "photo": ""}
    )

    assert response.status_code == 200  # the form again, with the error
    assert not Tenant.objects.filter(user=tech).exists()


def device_form(world, **overrides) -> dict:
    return {
        "name": "Consola",
        "name_device": world.device_type.pk,
        "status": "on",
        "brand": "",
        "model": "",
        "system": "",
        "device_type": "",
        "icon_id": "",
        "ubicacion": "",
        "owners": [world.tenant.pk],
        "shared_with": [world.roommate.pk],
        **overrides,
    }


def test_admin_add_device_with_owners_and_shared(admin_site, world):
    response = admin_site.post("/admin/tenants/device/add/", device_form(world))

    assert response.status_code == 302
    device = Device.objects.get(name="Consola")
    assert list(device.owners.all()) == [world.tenant]
    assert list(device.shared_with.all()) == [world.roommate]


def test_admin_refuses_an_owner_who_is_also_shared(admin_site, world):
    response = admin_site.post(
        "/admin/tenants/device/add/", device_form(world, shared_with=[world.tenant.pk, world.roommate.pk])
    )

    assert response.status_code == 200
    assert "no puede ser propietario" in response.content.decode()
    assert not Device.objects.filter(name="Consola").exists()


def test_admin_building_page_shows_its_apartments_and_doormen_inline(admin_site, world):
    response = admin_site.get(f"/admin/tenants/building/{world.building.pk}/change/")

    content = response.content.decode()
    assert world.doorman.name in content
    assert 'value="101"' in content


def test_building_page_lists_who_lives_in_each_apartment_and_links_to_it(admin_site, world):
    # when the admin opens the building
    response = admin_site.get(f"/admin/tenants/building/{world.building.pk}/change/")

    # then each apartment row names its residents and opens the apartment (building → apartments)
    content = response.content.decode()
    assert response.status_code == 200
    assert world.tenant.user.get_full_name() in content
    assert world.roommate.user.get_full_name() in content
    assert f"/admin/tenants/apartment/{world.apartment.pk}/change/" in content


def test_apartment_page_edits_its_residents_inline(admin_site, world):
    # when the admin follows the link to the apartment (apartments → residents)
    response = admin_site.get(f"/admin/tenants/apartment/{world.apartment.pk}/change/")

    # then its residents are an inline, with the user picked by autocomplete
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="tenants-group"' in content
    assert f'value="{world.tenant.pk}"' in content
    assert 'data-field-name="user"' in content
    assert "admin-autocomplete" in content


def test_building_page_queries_do_not_grow_with_residents(admin_site, world, django_assert_max_num_queries):
    # given nine more residents in the building's apartment
    for _ in range(9):
        TenantFactory(apartment=world.apartment)

    # then the building page still reads them in a fixed number of queries
    with django_assert_max_num_queries(20):
        assert admin_site.get(f"/admin/tenants/building/{world.building.pk}/change/").status_code == 200
