"""ADMIN endpoints of the "Usuarios" section: listing, creating, editing and removing users."""

import re

import pytest

from tests.conftest import client_for
from tests.factories import UserFactory
from tests.users.conftest import expected_user, snapshot
from users.models import Role, User

pytestmark = pytest.mark.django_db

USERS_URL = "/api/users/"
CREATE_URL = "/api/users/create/"
VALIDATE_URL = "/api/users/auth/validate-token/"


def ordered_documents(queryset=None) -> list[str]:
    queryset = User.objects.all() if queryset is None else queryset
    return list(queryset.order_by("last_name", "first_name", "id").values_list("document", flat=True))


def new_user_payload(**overrides) -> dict:
    return {
        "document": "CC-1020304",
        "email": "Laura.Gomez@Example.com",
        "number": "+57 300 1112233",
        "role": "TECH",
        "first_name": "Laura",
        "last_name": "Gómez",
        **overrides,
    }


# --- list ----------------------------------------------------------------------------------


def test_list_is_an_array_of_every_user_with_the_total_in_a_header(as_admin, admin_user):
    # given three more users
    others = [UserFactory(role=role) for role in (Role.ADMIN, Role.TECH, Role.CLIENT)]

    # when the list is requested
    response = as_admin.get(USERS_URL)

    # then a plain array of every user, in name order
    assert response.status_code == 200
    assert response["X-Total-Count"] == "4"
    expected = sorted(
        [expected_user(u) for u in [admin_user, *others]], key=lambda u: (u["last_name"], u["first_name"], u["id"])
    )
    assert response.json() == expected
    assert "Link" not in response


def test_list_paginates_with_page_and_page_size(as_admin):
    # given seven users in all
    UserFactory.create_batch(6)
    documents = ordered_documents()

    # when the second page of three is requested
    response = as_admin.get(USERS_URL, {"page": 2, "page_size": 3})

    # then it holds the 4th to 6th users, and the total counts them all
    assert response.status_code == 200
    assert [u["document"] for u in response.json()] == documents[3:6]
    assert response["X-Total-Count"] == "7"
    assert 'rel="next"' in response["Link"]
    assert 'rel="prev"' in response["Link"]


def test_list_paginates_with_limit_and_offset(as_admin):
    # given seven users in all
    UserFactory.create_batch(6)
    documents = ordered_documents()

    # when a window is requested by limit/offset
    response = as_admin.get(USERS_URL, {"limit": 2, "offset": 5})

    # then it holds exactly that window
    assert response.status_code == 200
    assert [u["document"] for u in response.json()] == documents[5:7]
    assert response["X-Total-Count"] == "7"
    assert 'rel="next"' not in response["Link"]


def test_a_page_past_the_end_is_an_empty_array(as_admin):
    # given one user (the admin)
    # when page 5 is requested
    response = as_admin.get(USERS_URL, {"page": 5})

    # then an empty array with the real total
    assert response.status_code == 200
    assert response.json() == []
    assert response["X-Total-Count"] == "1"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "0"}, "page"),
        ({"page": "abc"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "1.5"}, "page_size"),
        ({"limit": "0"}, "limit"),
        ({"limit": "x"}, "limit"),
        ({"offset": "-3"}, "offset"),
    ],
)
def test_bad_pagination_values_are_400_naming_the_parameter(as_admin, params, field):
    # given an admin
    # when the list is requested with a bad pagination value
    response = as_admin.get(USERS_URL, params)

    # then 400 names the parameter
    assert response.status_code == 400
    assert set(response.json()) == {field}


def test_list_filters_by_role(as_admin):
    # given users of every role
    techs = UserFactory.create_batch(2, role=Role.TECH)
    UserFactory.create_batch(2, role=Role.CLIENT)

    # when filtered by role
    response = as_admin.get(USERS_URL, {"role": "TECH"})

    # then only technicians
    assert response.status_code == 200
    assert [u["document"] for u in response.json()] == ordered_documents(
        User.objects.filter(pk__in=[t.pk for t in techs])
    )
    assert response["X-Total-Count"] == "2"


def test_list_filters_by_is_active(as_admin):
    # given an inactive user among active ones
    inactive = UserFactory(is_active=False)
    UserFactory.create_batch(2)

    # when filtered by is_active=false
    response = as_admin.get(USERS_URL, {"is_active": "false"})

    # then only the inactive one
    assert response.status_code == 200
    assert [u["document"] for u in response.json()] == [inactive.document]


@pytest.mark.parametrize("term", ["zuluaga", "ZULUAGA", "8877", "MARIELA.Z@"])
def test_list_searches_names_email_and_document(as_admin, term):
    # given a user matching, among others
    match = UserFactory(first_name="Mariela", last_name="Zuluaga", document="DOC-887766", email="mariela.z@example.com")
    UserFactory.create_batch(3, first_name="Pedro", last_name="Pérez")

    # when searched
    response = as_admin.get(USERS_URL, {"search": term})

    # then only the match
    assert response.status_code == 200
    assert [u["document"] for u in response.json()] == [match.document]


@pytest.mark.parametrize(("params", "field"), [({"role": "BOSS"}, "role"), ({"is_active": "maybe"}, "is_active")])
def test_list_with_an_invalid_filter_is_400(as_admin, params, field):
    # given an admin
    # when a filter value is invalid
    response = as_admin.get(USERS_URL, params)

    # then 400 names the filter
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("url", [USERS_URL, "/api/admins/", "/api/technicians/", "/api/clients/"])
@pytest.mark.parametrize("rows", [1, 50])
def test_list_queries_do_not_grow_with_rows(as_admin, django_assert_max_num_queries, url, rows):
    # given `rows` users of every role
    for role in Role.values:
        UserFactory.create_batch(rows, role=role)

    # when a list is requested
    with django_assert_max_num_queries(3):
        response = as_admin.get(url, {"page_size": 500})

    # then it answers in a constant number of queries
    assert response.status_code == 200
    assert len(response.json()) >= rows


# --- create --------------------------------------------------------------------------------


def test_create_user_sends_a_welcome_email_with_a_working_password(
    as_admin, api_client, mailoutbox, django_capture_on_commit_callbacks
):
    # given an admin
    # when a user is created
    with django_capture_on_commit_callbacks(execute=True):
        response = as_admin.post(CREATE_URL, new_user_payload(), format="json")

    # then 201 with the documented message and the new user
    assert response.status_code == 201
    created = User.objects.get(document="CC-1020304")
    assert response.json() == {"message": "Usuario creado exitosamente", "user": expected_user(created)}
    assert created.email == "laura.gomez@example.com"
    assert created.role == Role.TECH
    assert created.number == "+57 300 1112233"
    assert created.must_change_password is True
    assert created.is_active is True
    # and one welcome e-mail with a temporary password went to the user
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["laura.gomez@example.com"]
    assert mail.subject == "[TicketHelp] Bienvenido a TicketHelp"
    password = re.search(r"Contraseña temporal: (\S+)", mail.body).group(1)
    assert password not in ("CC-1020304", "laura.gomez@example.com")
    assert created.check_password(password)
    # and that password logs in, with must_change_password true
    login = api_client.post("/api/users/auth/login/", {"email": created.email, "password": password}, format="json")
    assert login.status_code == 200
    assert login.json()["must_change_password"] is True


def test_created_user_cannot_log_in_before_the_welcome_email_is_sent(as_admin):
    # given an admin, and a transaction whose on-commit work has not run
    # when a user is created
    response = as_admin.post(CREATE_URL, new_user_payload(), format="json")

    # then the account exists without any usable password yet
    assert response.status_code == 201
    assert User.objects.get(document="CC-1020304").has_usable_password() is False


@pytest.mark.parametrize(
    ("duplicate", "field"),
    [
        ({"document": "CC-DUP-1"}, "document"),
        ({"email": "DUP@example.com"}, "email"),
        ({"number": "+57 311 0000001"}, "number"),
    ],
)
def test_create_with_a_taken_document_email_or_number_is_400_naming_the_field(
    as_admin, mailoutbox, django_capture_on_commit_callbacks, duplicate, field
):
    # given an existing user
    UserFactory(document="CC-DUP-1", email="dup@example.com", number="+57 311 0000001")
    count = User.objects.count()

    # when a user with one of its unique values is created
    with django_capture_on_commit_callbacks(execute=True):
        response = as_admin.post(CREATE_URL, new_user_payload(**duplicate), format="json")

    # then 400 names the field; nothing created and no e-mail sent
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert User.objects.count() == count
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"role": "SUPERUSER"}, "role"),
        ({"role": "admin"}, "role"),
        ({"email": "no-es-correo"}, "email"),
        ({"document": ""}, "document"),
        ({"document": "a b"}, "document"),
        ({"document": "x" * 21}, "document"),
        ({"first_name": ""}, "first_name"),
        ({"number": "llámame"}, "number"),
    ],
)
def test_create_with_an_invalid_field_is_400_naming_it(as_admin, overrides, field):
    # given an admin
    count = User.objects.count()

    # when a user is created with an invalid field
    response = as_admin.post(CREATE_URL, new_user_payload(**overrides), format="json")

    # then 400 names the field and nothing is created
    assert response.status_code == 400
    assert field in response.json()
    assert User.objects.count() == count


def test_create_without_required_fields_is_400(as_admin):
    # given an admin
    # when an empty body is posted
    response = as_admin.post(CREATE_URL, {}, format="json")

    # then 400 names every required field
    assert response.status_code == 400
    assert set(response.json()) == {"document", "email", "first_name", "role"}


# --- detail / delete -----------------------------------------------------------------------


def test_user_detail_by_document(as_admin):
    # given a user
    user = UserFactory(document="DET-001")

    # when requested by document
    response = as_admin.get("/api/users/DET-001/")

    # then that user
    assert response.status_code == 200
    assert response.json() == expected_user(user)


def test_user_detail_of_an_unknown_document_is_404(as_admin):
    # given no such user
    # when requested
    response = as_admin.get("/api/users/NOPE-404/")

    # then 404
    assert response.status_code == 404
    assert response.json() == {"detail": "Usuario no encontrado.", "code": "user_not_found"}


def test_delete_user(as_admin):
    # given a user
    user = UserFactory()

    # when deleted
    response = as_admin.delete(f"/api/users/delete/{user.document}")

    # then 204 and the row is gone
    assert response.status_code == 204
    assert response.content == b""
    assert not User.objects.filter(pk=user.pk).exists()


def test_delete_unknown_user_is_404(as_admin):
    # given no such user
    count = User.objects.count()

    # when deleted
    response = as_admin.delete("/api/users/delete/NOPE-404")

    # then 404, nothing deleted
    assert response.status_code == 404
    assert User.objects.count() == count


def test_an_admin_cannot_delete_themselves(as_admin, admin_user):
    # given an admin
    # when they delete their own user
    response = as_admin.delete(f"/api/users/delete/{admin_user.document}")

    # then 400 and they still exist
    assert response.status_code == 400
    assert response.json() == {"detail": "No puedes eliminar tu propio usuario.", "code": "cannot_delete_self"}
    assert User.objects.filter(pk=admin_user.pk).exists()


# --- deactivate / activate -----------------------------------------------------------------


def test_deactivate_user_refuses_their_tokens(as_admin, login):
    # given a user with a session
    user = UserFactory()
    session = client_for(user)

    # when deactivated
    response = as_admin.post(f"/api/users/deactivate/{user.document}")

    # then the documented message, the row is inactive and the session is refused
    assert response.status_code == 200
    assert response.json() == {"detail": "Usuario desactivado."}
    user.refresh_from_db()
    assert user.is_active is False
    assert session.get(VALIDATE_URL).status_code == 401
    assert login(user.email).status_code == 401


def test_activate_user_lets_them_log_in_again(as_admin, login):
    # given a deactivated user
    user = UserFactory()
    session = client_for(user)
    as_admin.post(f"/api/users/deactivate/{user.document}")

    # when activated
    response = as_admin.post(f"/api/users/activate/{user.document}/")

    # then the documented message, the row is active and they can log in again
    assert response.status_code == 200
    assert response.json() == {"detail": "Usuario activado."}
    user.refresh_from_db()
    assert user.is_active is True
    assert login(user.email).status_code == 200
    # while the session from before the deactivation stays revoked
    assert session.get(VALIDATE_URL).status_code == 401


def test_an_admin_cannot_deactivate_themselves(as_admin, admin_user):
    # given an admin
    # when they deactivate their own user
    response = as_admin.post(f"/api/users/deactivate/{admin_user.document}")

    # then 400, they stay active and their session works
    assert response.status_code == 400
    assert response.json() == {"detail": "No puedes desactivar tu propio usuario.", "code": "cannot_deactivate_self"}
    admin_user.refresh_from_db()
    assert admin_user.is_active is True
    assert as_admin.get(VALIDATE_URL).status_code == 200


@pytest.mark.parametrize("action", ["deactivate/NOPE-404", "activate/NOPE-404/"])
def test_activating_or_deactivating_an_unknown_user_is_404(as_admin, action):
    # given no such user
    # when (de)activated
    response = as_admin.post(f"/api/users/{action}")

    # then 404
    assert response.status_code == 404
    assert response.json()["code"] == "user_not_found"


# --- update-profile-picture ----------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CLIENT, Role.TECH, Role.ADMIN])
def test_users_update_their_own_profile_picture(role):
    # given a user of any role
    user = UserFactory(role=role)

    # when they set their picture
    response = client_for(user).patch(
        f"/api/users/update-profile-picture/{user.document}/",
        {"profile_picture": "https://cdn.example.com/me.png"},
        format="json",
    )

    # then the documented message and the stored picture
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.profile_picture == "https://cdn.example.com/me.png"
    assert response.json() == {"message": "Foto de perfil actualizada correctamente.", "user": expected_user(user)}


def test_admin_updates_another_users_profile_picture(as_admin):
    # given another user
    user = UserFactory()

    # when an admin sets their picture
    response = as_admin.patch(
        f"/api/users/update-profile-picture/{user.document}/",
        {"profile_picture": "https://cdn.example.com/u.jpg"},
        format="json",
    )

    # then it is stored
    assert response.status_code == 200
    assert response.json()["message"] == "Foto de perfil actualizada correctamente."
    user.refresh_from_db()
    assert user.profile_picture == "https://cdn.example.com/u.jpg"


@pytest.mark.parametrize(
    "payload",
    [{"profile_picture": "not a url"}, {"profile_picture": "javascript:alert(1)"}, {}, {"profile_picture": None}],
)
def test_update_profile_picture_with_an_invalid_url_is_400(payload):
    # given a user
    user = UserFactory(profile_picture="https://cdn.example.com/old.png")
    before = snapshot(user)

    # when an invalid picture is sent
    response = client_for(user).patch(f"/api/users/update-profile-picture/{user.document}/", payload, format="json")

    # then 400 names the field and nothing changed
    assert response.status_code == 400
    assert set(response.json()) == {"profile_picture"}
    assert snapshot(user) == before


def test_update_profile_picture_of_an_unknown_user_is_404_for_an_admin(as_admin):
    # given no such user
    # when an admin updates their picture
    response = as_admin.patch(
        "/api/users/update-profile-picture/NOPE-404/", {"profile_picture": "https://x.example.com/a.png"}, format="json"
    )

    # then 404
    assert response.status_code == 404


def test_update_profile_picture_cannot_change_other_fields():
    # given a client
    user = UserFactory()
    before = snapshot(user)

    # when they send other fields along with the picture
    response = client_for(user).patch(
        f"/api/users/update-profile-picture/{user.document}/",
        {"profile_picture": "https://cdn.example.com/p.png", "role": "ADMIN", "first_name": "Hacker"},
        format="json",
    )

    # then the role change is refused, naming the field, and nothing at all changes
    assert response.status_code == 400
    assert response.json()["role"] == ["Este campo no se puede modificar."]
    assert snapshot(user) == before


def test_update_profile_picture_ignores_harmless_extra_fields():
    # given a client
    user = UserFactory()
    before = snapshot(user)

    # when a non-protected field travels along with the picture
    response = client_for(user).patch(
        f"/api/users/update-profile-picture/{user.document}/",
        {"profile_picture": "https://cdn.example.com/p.png", "first_name": "Otro"},
        format="json",
    )

    # then only the picture changes
    assert response.status_code == 200
    assert snapshot(user) == {**before, "profile_picture": "https://cdn.example.com/p.png"}


# --- update-user ---------------------------------------------------------------------------


def test_admin_updates_a_user(as_admin):
    # given a client
    user = UserFactory(role=Role.CLIENT)
    before = snapshot(user)

    # when an admin changes their names, e-mail, number and role
    response = as_admin.patch(
        f"/api/users/update-user/{user.document}/",
        {
            "first_name": "  Rosa ",
            "last_name": "Vélez",
            "email": "ROSA.VELEZ@Example.com",
            "number": "+57 320 9998877",
            "role": "TECH",
        },
        format="json",
    )

    # then the documented message and the stored changes
    assert response.status_code == 200
    assert response.json() == {"message": "Datos actualizados correctamente.", "user": expected_user(user)}
    assert snapshot(user) == {
        **before,
        "first_name": "Rosa",
        "last_name": "Vélez",
        "email": "rosa.velez@example.com",
        "number": "+57 320 9998877",
        "role": "TECH",
    }


def test_admin_changes_a_users_document(as_admin):
    # given a user
    user = UserFactory(document="OLD-123")

    # when their document is changed
    response = as_admin.patch("/api/users/update-user/OLD-123/", {"document": "NEW-456"}, format="json")

    # then it is found under the new document only
    assert response.status_code == 200
    assert response.json()["user"]["document"] == "NEW-456"
    assert User.objects.get(pk=user.pk).document == "NEW-456"
    assert as_admin.get("/api/users/OLD-123/").status_code == 404
    assert as_admin.get("/api/users/NEW-456/").status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"document": "TAKEN-1"}, "document"),
        ({"email": "Taken@Example.com"}, "email"),
        ({"number": "+57 315 5554433"}, "number"),
    ],
)
def test_update_user_with_a_taken_unique_value_is_400(as_admin, change, field):
    # given two users
    UserFactory(document="TAKEN-1", email="taken@example.com", number="+57 315 5554433")
    user = UserFactory()
    before = snapshot(user)

    # when one gets the other's unique value
    response = as_admin.patch(f"/api/users/update-user/{user.document}/", change, format="json")

    # then 400 names the field and nothing changed
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert snapshot(user) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"role": "ROOT"}, "role"),
        ({"email": "bad"}, "email"),
        ({"first_name": ""}, "first_name"),
        ({"document": "¿?"}, "document"),
        ({"profile_picture": "nope"}, "profile_picture"),
    ],
)
def test_update_user_with_an_invalid_value_is_400(as_admin, change, field):
    # given a user
    user = UserFactory()
    before = snapshot(user)

    # when updated with an invalid value
    response = as_admin.patch(f"/api/users/update-user/{user.document}/", change, format="json")

    # then 400 names the field and nothing changed
    assert response.status_code == 400
    assert field in response.json()
    assert snapshot(user) == before


@pytest.mark.parametrize("field", ["is_active", "password", "must_change_password"])
def test_update_user_refuses_non_editable_fields(as_admin, field):
    # given a user
    user = UserFactory()
    before = snapshot(user)

    # when a field this endpoint cannot change is sent (activation and passwords have their own)
    value = {"is_active": False, "password": "Hackeada-123456", "must_change_password": True}[field]
    response = as_admin.patch(f"/api/users/update-user/{user.document}/", {field: value}, format="json")

    # then 400 names the field and the row keeps every value
    assert response.status_code == 400
    assert response.json()["code"] == "field_not_editable"
    assert response.json()[field] == ["Este campo no se puede modificar."]
    assert snapshot(user) == before


def test_update_unknown_user_is_404(as_admin):
    # given no such user
    # when updated
    response = as_admin.patch("/api/users/update-user/NOPE-404/", {"first_name": "X"}, format="json")

    # then 404
    assert response.status_code == 404


# --- lists and details by role -------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "role"), [("/api/admins/", "ADMIN"), ("/api/technicians/", "TECH"), ("/api/clients/", "CLIENT")]
)
def test_role_lists_return_only_that_role(as_admin, url, role):
    # given two users of every role (plus the requesting admin)
    for each in Role.values:
        UserFactory.create_batch(2, role=each)
    expected = ordered_documents(User.objects.filter(role=role))

    # when the role's list is requested
    response = as_admin.get(url)

    # then it holds exactly that role's users
    assert response.status_code == 200
    assert [u["document"] for u in response.json()] == expected
    assert {u["role"] for u in response.json()} == {role}
    assert response["X-Total-Count"] == str(len(expected))


@pytest.mark.parametrize(("prefix", "role"), [("admins", Role.ADMIN), ("technicians", Role.TECH)])
def test_role_detail_returns_a_user_of_that_role(as_admin, prefix, role):
    # given a user of that role
    user = UserFactory(role=role)

    # when requested by document
    response = as_admin.get(f"/api/{prefix}/{user.document}/")

    # then that user
    assert response.status_code == 200
    assert response.json() == expected_user(user)


@pytest.mark.parametrize(
    ("prefix", "other_role"),
    [
        ("admins", Role.TECH),
        ("admins", Role.CLIENT),
        ("technicians", Role.ADMIN),
        ("technicians", Role.CLIENT),
    ],
)
def test_role_detail_of_a_user_of_another_role_is_404(as_admin, prefix, other_role):
    # given a user of another role
    user = UserFactory(role=other_role)

    # when requested under the wrong role
    response = as_admin.get(f"/api/{prefix}/{user.document}/")

    # then 404
    assert response.status_code == 404
    assert response.json() == {"detail": "Usuario no encontrado.", "code": "user_not_found"}


def test_client_lookup_returns_the_documented_200_body(as_admin):
    # given a client
    client = UserFactory(role=Role.CLIENT, document="CLI-9090")

    # when looked up
    response = as_admin.get("/api/clients/CLI-9090/")

    # then the documented body
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "message": "Cliente encontrado exitosamente",
        "data": expected_user(client),
    }


@pytest.mark.parametrize("existing_role", [None, Role.TECH, Role.ADMIN])
def test_client_lookup_returns_the_documented_404_body(as_admin, existing_role):
    # given no client with that document (maybe a non-client user has it)
    if existing_role:
        UserFactory(role=existing_role, document="X-12345")

    # when looked up
    response = as_admin.get("/api/clients/X-12345/")

    # then the documented not-found body
    assert response.status_code == 404
    assert response.json() == {
        "success": False,
        "message": "El cliente con documento X-12345 no existe en el sistema",
        "suggestion": "Debe crear el cliente antes de continuar",
        "code": "CLIENT_NOT_FOUND",
        "data": None,
    }


@pytest.mark.parametrize("document", ["create", "change-password", "auth", "ab"])
def test_create_refuses_documents_that_are_not_document_numbers(as_admin, document):
    # given a document with no digit (it could spell a route word) or too short
    payload = {"document": document, "email": "ruta@example.com", "first_name": "R", "role": Role.CLIENT}

    # when an admin creates the user
    response = as_admin.post("/api/users/create/", payload, format="json")

    # then 400 names the document and no user exists
    assert response.status_code == 400
    assert "document" in response.json()
    assert not User.objects.filter(email="ruta@example.com").exists()
