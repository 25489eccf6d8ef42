"""/api/tenants/: residents are CLIENT users with a tenant profile."""

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError

from tenants.models import Device, Tenant
from tests.factories import ApartmentFactory, TenantFactory, UserFactory
from users.models import Role, User

pytestmark = pytest.mark.django_db


def new_resident(apartment, /, **overrides) -> dict:
    return {
        "document": "CC-7700112",
        "email": "Paula.Rojas@Example.com",
        "first_name": "Paula",
        "last_name": "Rojas",
        "number": "+57 300 7700112",
        "apartment": apartment.pk,
        "phone": "+57 601 555 0000",
        **overrides,
    }


def test_tenant_detail_shape(as_admin, world):
    response = as_admin.get(f"/api/tenants/{world.tenant.pk}/")

    assert response.status_code == 200
    user = world.tenant.user
    assert response.json() == {
        "id": world.tenant.pk,
        "user": {
            "id": user.pk,
            "document": user.document,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "full_name": user.get_full_name(),
            "number": user.number,
            "is_active": True,
        },
        "apartment": world.apartment.pk,
        "apartment_name": "101",
        "building": world.building.pk,
        "building_name": "Torres del Parque",
        "phone": world.tenant.phone,
        "photo": "",
    }


def test_creating_a_tenant_creates_the_client_account_and_sends_the_welcome_email(
    as_admin, world, mailoutbox, django_capture_on_commit_callbacks
):
    # when an admin creates a resident for a new person
    with django_capture_on_commit_callbacks(execute=True):
        response = as_admin.post("/api/tenants/", new_resident(world.apartment), format="json")

    # then the CLIENT account and the profile exist, linked
    assert response.status_code == 201, response.json()
    user = User.objects.get(document="CC-7700112")
    tenant = Tenant.objects.get(user=user)
    assert (user.role, user.email, user.must_change_password) == (Role.CLIENT, "paula.rojas@example.com", True)
    assert (tenant.apartment_id, tenant.phone) == (world.apartment.pk, "+57 601 555 0000")
    body = response.json()
    assert body["id"] == tenant.pk
    assert body["user"]["document"] == "CC-7700112"
    assert body["building_name"] == "Torres del Parque"
    # and the welcome e-mail carries a random password that works
    assert [mail.to for mail in mailoutbox] == [["paula.rojas@example.com"]]
    user.refresh_from_db()
    assert user.has_usable_password()


def test_a_refused_profile_rolls_back_the_new_account(
    as_admin, world, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    # given a profile the model refuses after the account was created in the same transaction
    def refuse(self, *args, **kwargs):
        raise DjangoValidationError({"phone": ["Rechazado."]})

    monkeypatch.setattr(Tenant, "full_clean", refuse)

    # when the resident is created
    with django_capture_on_commit_callbacks(execute=True):
        response = as_admin.post("/api/tenants/", new_resident(world.apartment), format="json")

    # then 400 naming the field, no account and no welcome e-mail
    assert response.status_code == 400
    assert response.json() == {"phone": ["Rechazado."]}
    assert not User.objects.filter(document="CC-7700112").exists()
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"document": "no valido!"}, "document"),
        ({"email": "no-es-correo"}, "email"),
        ({"number": "abc"}, "number"),
        ({"first_name": ""}, "first_name"),
        ({"photo": "no es url"}, "photo"),
        ({"apartment": "x"}, "apartment"),
    ],
)
def test_tenant_create_validation_errors_name_the_field(as_admin, world, overrides, field):
    response = as_admin.post("/api/tenants/", new_resident(world.apartment, **overrides), format="json")

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert Tenant.objects.count() == 2


@pytest.mark.parametrize("field", ["document", "email", "first_name"])
def test_new_user_fields_are_required_without_user_document(as_admin, world, field):
    body = new_resident(world.apartment)
    del body[field]

    response = as_admin.post("/api/tenants/", body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]


@pytest.mark.parametrize("field", ["document", "email", "number"])
def test_taken_user_fields_are_400_naming_the_field(as_admin, world, field):
    taken = {"document": world.tenant.user.document, "email": world.tenant.user.email}
    taken["number"] = world.tenant.user.number

    response = as_admin.post("/api/tenants/", new_resident(world.apartment, **{field: taken[field]}), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Tenant.objects.count() == 2


def test_attaching_a_profile_to_an_existing_client_user(as_admin, world, mailoutbox):
    client = UserFactory(role=Role.CLIENT, document="CC-5551234")

    response = as_admin.post(
        "/api/tenants/", {"user_document": "CC-5551234", "apartment": world.apartment.pk}, format="json"
    )

    assert response.status_code == 201, response.json()
    assert Tenant.objects.get(user=client).apartment == world.apartment
    assert response.json()["user"]["id"] == client.pk
    assert mailoutbox == []


@pytest.mark.parametrize("role", [Role.ADMIN, Role.TECH])
def test_a_user_of_another_role_cannot_be_a_tenant(as_admin, world, role):
    staff = UserFactory(role=role, document="CC-5559999")

    response = as_admin.post(
        "/api/tenants/", {"user_document": "CC-5559999", "apartment": world.apartment.pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "user_not_client"
    assert "user_document" in response.json()
    assert not Tenant.objects.filter(user=staff).exists()


@pytest.mark.parametrize(
    ("user_document", "code"),
    [("CC-0000000", "user_not_found"), ("{existing}", "tenant_exists")],
)
def test_attach_errors_name_user_document(as_admin, world, user_document, code):
    document = world.tenant.user.document if user_document == "{existing}" else user_document

    response = as_admin.post(
        "/api/tenants/", {"user_document": document, "apartment": world.apartment.pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert "user_document" in response.json()
    assert Tenant.objects.count() == 2


def test_user_document_and_new_user_fields_are_exclusive(as_admin, world):
    response = as_admin.post(
        "/api/tenants/",
        {"user_document": "CC-1", "email": "x@example.com", "apartment": world.apartment.pk},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["email"]


def test_tenant_update_moves_the_profile_and_edits_the_account(as_admin, world):
    other = ApartmentFactory(name="808")

    response = as_admin.patch(
        f"/api/tenants/{world.tenant.pk}/",
        {"apartment": other.pk, "phone": "+57 1 234", "first_name": "Rosa", "email": "ROSA@example.com"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    world.tenant.refresh_from_db()
    world.tenant.user.refresh_from_db()
    assert (world.tenant.apartment_id, world.tenant.phone) == (other.pk, "+57 1 234")
    assert (world.tenant.user.first_name, world.tenant.user.email) == ("Rosa", "rosa@example.com")
    assert response.json()["apartment_name"] == "808"


def test_tenant_put_requires_the_apartment(as_admin, world):
    response = as_admin.put(f"/api/tenants/{world.tenant.pk}/", {"phone": "1"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["apartment"]


def test_tenant_update_to_a_taken_email_is_400_and_changes_nothing(as_admin, world):
    response = as_admin.patch(
        f"/api/tenants/{world.tenant.pk}/", {"email": world.roommate.user.email, "phone": "9"}, format="json"
    )

    assert response.status_code == 400
    assert "email" in response.json()
    world.tenant.refresh_from_db()
    assert world.tenant.phone != "9"


@pytest.mark.parametrize("field", ["role", "is_active", "password", "must_change_password", "user"])
def test_account_permission_fields_are_refused_not_ignored(as_admin, world, field):
    value = {"role": "ADMIN", "is_active": False, "password": "x-Secreta-123", "user": 1}.get(field, False)

    patched = as_admin.patch(f"/api/tenants/{world.tenant.pk}/", {field: value, "phone": "7"}, format="json")
    created = as_admin.post("/api/tenants/", new_resident(world.apartment, **{field: value}), format="json")

    assert patched.status_code == 400
    assert list(patched.json()) == [field]
    assert created.status_code == 400
    assert list(created.json()) == [field]
    world.tenant.refresh_from_db()
    world.tenant.user.refresh_from_db()
    assert world.tenant.phone != "7"
    assert world.tenant.user.role == Role.CLIENT
    assert world.tenant.user.is_active is True
    assert not User.objects.filter(document="CC-7700112").exists()


def test_deleting_a_tenant_removes_the_profile_and_device_links_but_keeps_the_account(as_admin, world):
    response = as_admin.delete(f"/api/tenants/{world.roommate.pk}/")

    assert response.status_code == 204
    assert not Tenant.objects.filter(pk=world.roommate.pk).exists()
    assert User.objects.filter(pk=world.roommate.user_id, role=Role.CLIENT).exists()
    assert list(Device.objects.get(pk=world.device.pk).shared_with.all()) == []


def test_tenant_filters(as_admin, world):
    elsewhere = TenantFactory(user=UserFactory(first_name="Zacarías", last_name="Zuluaga"))

    by_apartment = as_admin.get(f"/api/tenants/?apartment={world.apartment.pk}")
    by_building = as_admin.get(f"/api/tenants/?building={elsewhere.apartment.building_id}")
    searched = as_admin.get("/api/tenants/?search=zulu")
    by_document = as_admin.get(f"/api/tenants/?search={world.tenant.user.document}")

    assert {row["id"] for row in by_apartment.json()} == {world.tenant.pk, world.roommate.pk}
    assert [row["id"] for row in by_building.json()] == [elsewhere.pk]
    assert [row["id"] for row in searched.json()] == [elsewhere.pk]
    assert [row["id"] for row in by_document.json()] == [world.tenant.pk]
