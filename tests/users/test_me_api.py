"""Own-profile endpoints (/api/me/...) of the "Usuarios" section."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import client_for
from tests.factories import TEST_PASSWORD, UserFactory
from tests.users.conftest import bearer, expected_user, snapshot
from users.models import Role, User

pytestmark = pytest.mark.django_db

ME_URL = "/api/me/"
ME_PASSWORD_URL = "/api/me/change-password/"
VALIDATE_URL = "/api/users/auth/validate-token/"
NEW_PASSWORD = "Nueva-clave-segura-77"
OWN_PASSWORD_CHANGED = {"message": "Contraseña actualizada correctamente, vuelve a iniciar sesión."}
ADMIN_PASSWORD_CHANGED = {"message": "Contraseña actualizada. Vuelve a iniciar sesión."}
NOT_YOURS = {"detail": "Solo puedes consultar o modificar tu propio usuario.", "code": "permission_denied"}


# --- /api/me/ ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", Role.values)
def test_me_returns_the_callers_own_data(role):
    # given a user of any role
    user = UserFactory(role=role)

    # when they read /api/me/
    response = client_for(user).get(ME_URL)

    # then their own data
    assert response.status_code == 200
    assert response.json() == expected_user(user)


@pytest.mark.parametrize("role", Role.values)
def test_me_patch_updates_own_profile_fields(role):
    # given a user of any role
    user = UserFactory(role=role)
    before = snapshot(user)

    # when they change their profile fields
    response = client_for(user).patch(
        ME_URL,
        {
            "first_name": " Camila ",
            "last_name": "Ríos",
            "number": "+57 301 4445566",
            "profile_picture": "https://cdn.example.com/camila.png",
        },
        format="json",
    )

    # then the documented message and the stored changes
    assert response.status_code == 200
    assert response.json() == {"message": "Datos actualizados correctamente.", "user": expected_user(user)}
    assert snapshot(user) == {
        **before,
        "first_name": "Camila",
        "last_name": "Ríos",
        "number": "+57 301 4445566",
        "profile_picture": "https://cdn.example.com/camila.png",
    }


def test_me_patch_can_clear_the_number():
    # given a user with a number
    user = UserFactory(number="+57 301 0000000")

    # when they send an empty number
    response = client_for(user).patch(ME_URL, {"number": ""}, format="json")

    # then it is stored as "no number"
    assert response.status_code == 200
    assert User.objects.get(pk=user.pk).number is None


@pytest.mark.parametrize(
    "forbidden",
    [
        {"role": "ADMIN"},
        {"is_active": False},
        {"document": "NEW-DOC-1"},
        {"email": "otro@example.com"},
        {"password": "Hackeada-123456"},
        {"role": "ADMIN", "first_name": "Colado"},
    ],
)
@pytest.mark.parametrize("role", [Role.CLIENT, Role.TECH])
def test_me_patch_refuses_fields_a_non_admin_may_not_change(role, forbidden):
    # given a non-admin user
    user = UserFactory(role=role)
    before = snapshot(user)

    # when they try to change a protected field (alone or with an allowed one)
    response = client_for(user).patch(ME_URL, forbidden, format="json")

    # then 400 names the refused field and nothing changes
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "field_not_editable"
    assert {key for key in body if key not in ("detail", "code")} == set(forbidden) - {"first_name"}
    assert snapshot(user) == before


@pytest.mark.parametrize(
    "unchanged",
    [
        {"email": "  {email_upper}  "},  # e-mails match case-insensitively, as stored
        {"document": " {document} "},
        {"role": "CLIENT"},
        {"is_active": True},
        {"is_active": "true"},
        {"must_change_password": False},
        {"email": "{email}", "role": "CLIENT", "is_active": 1, "document": "{document}"},
    ],
)
def test_me_patch_accepts_protected_fields_sent_with_their_stored_value(unchanged):
    # given a client
    user = UserFactory()
    before = snapshot(user)
    values = {"email": user.email, "email_upper": user.email.upper(), "document": user.document}
    body = {key: value.format(**values) if isinstance(value, str) else value for key, value in unchanged.items()}

    # when they send protected fields back unchanged, along with a new first name
    response = client_for(user).patch(ME_URL, {**body, "first_name": "Renata"}, format="json")

    # then accepted: only the first name changed
    assert response.status_code == 200
    assert snapshot(user) == {**before, "first_name": "Renata"}


@pytest.mark.parametrize(
    "changed",
    [
        {"is_active": "quizás"},  # not a boolean: it cannot equal the stored value
        {"role": None},
        {"document": 12345},
        {"password": "{password}"},  # never compared, always refused
        {"is_staff": False},
    ],
)
def test_me_patch_refuses_protected_fields_that_cannot_equal_the_stored_value(changed):
    # given a client
    user = UserFactory()
    before = snapshot(user)
    body = {
        key: value.format(password=user.password) if isinstance(value, str) else value for key, value in changed.items()
    }

    # when such a value is sent
    response = client_for(user).patch(ME_URL, {**body, "first_name": "Renata"}, format="json")

    # then 400 names the field and nothing changes
    assert response.status_code == 400
    assert response.json()[next(iter(changed))] == ["Este campo no se puede modificar."]
    assert snapshot(user) == before


def test_me_patch_with_nothing_changed_writes_nothing():
    # given a client
    user = UserFactory(number=None)
    before = snapshot(user)
    session = client_for(user)
    record = {"first_name": user.first_name, "last_name": user.last_name, "number": "", "role": "CLIENT"}

    # when they save their record as it is
    with CaptureQueriesContext(connection) as captured:
        response = session.patch(ME_URL, record, format="json")

    # then 200, the same data, and no UPDATE ran
    assert response.status_code == 200
    assert response.json()["user"] == expected_user(user)
    assert snapshot(user) == before
    assert not [query for query in captured.captured_queries if query["sql"].startswith("UPDATE")]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"number": "abc"}, "number"),
        ({"first_name": ""}, "first_name"),
        ({"profile_picture": "no-url"}, "profile_picture"),
        ({"last_name": "x" * 151}, "last_name"),
    ],
)
def test_me_patch_with_an_invalid_value_is_400(change, field):
    # given a client
    user = UserFactory()
    before = snapshot(user)

    # when an invalid value is sent
    response = client_for(user).patch(ME_URL, change, format="json")

    # then 400 names the field and nothing changes
    assert response.status_code == 400
    assert field in response.json()
    assert snapshot(user) == before


def test_me_patch_with_a_number_already_taken_is_400():
    # given two users
    UserFactory(number="+57 302 1231234")
    user = UserFactory()
    before = snapshot(user)

    # when one takes the other's number
    response = client_for(user).patch(ME_URL, {"number": "+57 302 1231234"}, format="json")

    # then 400 names the field and nothing changes
    assert response.status_code == 400
    assert list(response.json()) == ["number"]
    assert snapshot(user) == before


def test_me_patch_with_a_json_array_is_400():
    # given a client
    user = UserFactory()
    before = snapshot(user)

    # when the body is an array
    response = client_for(user).patch(ME_URL, '[{"first_name": "X"}]', content_type="application/json")

    # then 400 and nothing changes
    assert response.status_code == 400
    assert snapshot(user) == before


def test_admin_may_change_own_email_via_me():
    # given an admin
    admin = UserFactory(role=Role.ADMIN)

    # when they change their e-mail through /api/me/
    response = client_for(admin).patch(ME_URL, {"email": "Nueva.Jefa@Example.com"}, format="json")

    # then it is stored lower-cased
    assert response.status_code == 200
    assert User.objects.get(pk=admin.pk).email == "nueva.jefa@example.com"


def test_me_requires_authentication(api_client):
    # given no credentials
    # when /api/me/ is read
    response = api_client.get(ME_URL)

    # then 401
    assert response.status_code == 401


# --- /api/me/change-password/ --------------------------------------------------------------


def test_change_own_password_with_current_password(login, api_client):
    # given a logged-in user who must change their password
    user = UserFactory(must_change_password=True)
    tokens = login(user.email).json()
    session = client_for(user)

    # when they change it, giving the current one
    response = session.post(
        ME_PASSWORD_URL, {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD}, format="json"
    )

    # then the documented message; stored; the old sessions are refused
    assert response.status_code == 200
    assert response.json() == OWN_PASSWORD_CHANGED
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user.must_change_password is False
    assert session.get(VALIDATE_URL).status_code == 401
    assert api_client.post("/api/users/auth/refresh/", {"refresh": tokens["refresh"]}, format="json").status_code == 401
    # and they log in with the new password only
    assert login(user.email).status_code == 401
    assert login(user.email, NEW_PASSWORD).status_code == 200


def test_change_own_password_with_only_the_documented_body(login):
    # given a user who just logged in with their password
    user = UserFactory()
    session = bearer(login(user.email).json()["access"])

    # when they send only the documented `new_password`
    response = session.post(ME_PASSWORD_URL, {"new_password": NEW_PASSWORD}, format="json")

    # then the password is changed
    assert response.status_code == 200
    assert response.json() == OWN_PASSWORD_CHANGED
    assert User.objects.get(pk=user.pk).check_password(NEW_PASSWORD)


def test_change_own_password_with_a_wrong_current_password_is_400():
    # given a logged-in user
    user = UserFactory()
    session = client_for(user)
    before = snapshot(user)

    # when the current password is wrong
    response = session.post(
        ME_PASSWORD_URL, {"current_password": "no-es-esta", "new_password": NEW_PASSWORD}, format="json"
    )

    # then 400 names it; nothing changes and the session still works
    assert response.status_code == 400
    assert response.json()["current_password"] == ["La contraseña actual es incorrecta."]
    assert snapshot(user) == before
    assert session.get(VALIDATE_URL).status_code == 200


@pytest.mark.parametrize("new_password", ["abc", "qwertyuiop", "1234567890", "user-doc"])
def test_change_own_password_to_a_weak_one_is_400(new_password):
    # given a logged-in user
    user = UserFactory(document="user-doc")
    before = snapshot(user)

    # when the new password is weak
    response = client_for(user).post(
        ME_PASSWORD_URL, {"current_password": TEST_PASSWORD, "new_password": new_password}, format="json"
    )

    # then 400 names the field and nothing changes
    assert response.status_code == 400
    assert response.json()["new_password"]
    assert snapshot(user) == before


def test_change_own_password_without_a_new_password_is_400():
    # given a logged-in user
    user = UserFactory()
    before = snapshot(user)

    # when no new password is sent
    response = client_for(user).post(ME_PASSWORD_URL, {"current_password": TEST_PASSWORD}, format="json")

    # then 400 names the field
    assert response.status_code == 400
    assert set(response.json()) == {"new_password"}
    assert snapshot(user) == before


# --- /api/me/{document}/ -------------------------------------------------------------------


@pytest.mark.parametrize("role", Role.values)
def test_me_by_own_document(role):
    # given a user of any role
    user = UserFactory(role=role)
    session = client_for(user)

    # when they read and patch themselves by document
    read = session.get(f"/api/me/{user.document}/")
    write = session.patch(f"/api/me/{user.document}/", {"last_name": "Quintero"}, format="json")

    # then both succeed
    assert read.status_code == 200
    assert read.json()["document"] == user.document
    assert write.status_code == 200
    assert write.json()["message"] == "Datos actualizados correctamente."
    assert User.objects.get(pk=user.pk).last_name == "Quintero"


def test_admin_reads_and_updates_another_user_by_document(as_admin):
    # given a client
    user = UserFactory(role=Role.CLIENT)
    as_stored = expected_user(user)

    # when an admin reads and patches them
    read = as_admin.get(f"/api/me/{user.document}/")
    write = as_admin.patch(f"/api/me/{user.document}/", {"role": "TECH", "first_name": "Óscar"}, format="json")

    # then both succeed on that user
    assert read.status_code == 200
    assert read.json() == as_stored
    assert write.status_code == 200
    user.refresh_from_db()
    assert (user.role, user.first_name) == (Role.TECH, "Óscar")
    assert write.json() == {"message": "Datos actualizados correctamente.", "user": expected_user(user)}


@pytest.mark.parametrize(("actor_role", "target_role"), [("CLIENT", "CLIENT"), ("CLIENT", "TECH"), ("TECH", "CLIENT")])
def test_me_by_another_users_document_is_403_for_non_admins(actor_role, target_role):
    # given a non-admin and another user
    actor, target = UserFactory(role=actor_role), UserFactory(role=target_role)
    before = snapshot(target)
    session = client_for(actor)

    # when they read or patch the other user
    read = session.get(f"/api/me/{target.document}/")
    write = session.patch(f"/api/me/{target.document}/", {"first_name": "Intruso"}, format="json")

    # then both are refused and the target is unchanged
    assert read.status_code == 403
    assert read.json() == NOT_YOURS
    assert write.status_code == 403
    assert write.json() == NOT_YOURS
    assert snapshot(target) == before


def test_me_by_unknown_document_is_404_for_an_admin(as_admin):
    # given no such user
    # when an admin reads it
    response = as_admin.get("/api/me/NOPE-404/")

    # then 404
    assert response.status_code == 404


# --- /api/me/change-password/{document}/ ---------------------------------------------------


def test_admin_sets_another_users_password(as_admin, login):
    # given a user with a session
    user = UserFactory(must_change_password=False)
    session = client_for(user)

    # when an admin sets their password
    response = as_admin.post(f"/api/me/change-password/{user.document}/", {"new_password": NEW_PASSWORD}, format="json")

    # then the documented message; the target must change it and their sessions end
    assert response.status_code == 200
    assert response.json() == ADMIN_PASSWORD_CHANGED
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user.must_change_password is True
    assert session.get(VALIDATE_URL).status_code == 401
    # and the new password logs in, saying it must be changed
    response = login(user.email, NEW_PASSWORD)
    assert response.status_code == 200
    assert response.json()["must_change_password"] is True
    # while the admin's own session is untouched
    assert as_admin.get(VALIDATE_URL).status_code == 200


def test_admin_setting_own_password_by_document_does_not_force_a_change(admin_user, login):
    # given an admin who just logged in
    as_admin = bearer(login(admin_user.email).json()["access"])

    # when they set their own password through the admin endpoint
    response = as_admin.post(
        f"/api/me/change-password/{admin_user.document}/", {"new_password": NEW_PASSWORD}, format="json"
    )

    # then it is theirs: no forced change
    assert response.status_code == 200
    admin_user.refresh_from_db()
    assert admin_user.check_password(NEW_PASSWORD)
    assert admin_user.must_change_password is False


def test_admin_setting_a_weak_password_is_400(as_admin):
    # given a user
    user = UserFactory(document="DOC-555777")
    before = snapshot(user)

    # when the admin picks the user's document as the password
    response = as_admin.post(f"/api/me/change-password/{user.document}/", {"new_password": "DOC-555777"}, format="json")

    # then 400 and nothing changes
    assert response.status_code == 400
    assert "La contraseña no puede ser igual al correo ni al documento." in response.json()["new_password"]
    assert snapshot(user) == before


def test_admin_setting_the_password_of_an_unknown_user_is_404(as_admin):
    # given no such user
    # when the admin sets its password
    response = as_admin.post("/api/me/change-password/NOPE-404/", {"new_password": NEW_PASSWORD}, format="json")

    # then 404
    assert response.status_code == 404


@pytest.mark.parametrize("actor_role", [Role.CLIENT, Role.TECH])
def test_non_admins_cannot_set_passwords_by_document(actor_role):
    # given a non-admin and a target (themselves or another user)
    actor, other = UserFactory(role=actor_role), UserFactory()
    session = client_for(actor)
    before = {u.pk: snapshot(u) for u in (actor, other)}

    # when they use the admin endpoint
    responses = [
        session.post(f"/api/me/change-password/{u.document}/", {"new_password": NEW_PASSWORD}, format="json")
        for u in (other, actor)
    ]

    # then 403, nothing changes
    assert [r.status_code for r in responses] == [403, 403]
    assert {u.pk: snapshot(u) for u in (actor, other)} == before
