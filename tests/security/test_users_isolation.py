"""Cross-user isolation of the "Usuarios" section (PRODUCT §2: identity comes from the token).

A CLIENT or a TECH can neither read nor modify another user through any endpoint, path or
query parameter; an ADMIN may *read* another user through `?user_document=` but never write
through it. Every refused write leaves both the target's and the caller's rows unchanged.
"""

import pytest

from tests.conftest import client_for
from tests.factories import UserFactory
from tests.users.conftest import expected_user, snapshot
from users.models import Role, User

pytestmark = pytest.mark.django_db

IMPERSONATION_DENIED = {
    "detail": "No puedes actuar ni consultar datos de otro usuario.",
    "code": "impersonation_denied",
}
NOT_YOURS = {"detail": "Solo puedes consultar o modificar tu propio usuario.", "code": "permission_denied"}
NEW_PASSWORD = "Aislada-clave-segura-55"
NON_ADMINS = [Role.CLIENT, Role.TECH]


@pytest.fixture(params=NON_ADMINS)
def actor(request, db):
    """A non-admin caller."""
    return UserFactory(role=request.param)


@pytest.fixture(params=[Role.CLIENT, Role.TECH, Role.ADMIN])
def victim(request, db):
    """Another user, of any role."""
    return UserFactory(role=request.param, profile_picture="https://cdn.example.com/original.png")


def rows(*users) -> dict:
    return {user.pk: snapshot(user) for user in users}


# --- ?user_document= -----------------------------------------------------------------------


def test_non_admin_cannot_read_another_user_via_user_document(actor, victim):
    # given a non-admin and another user
    # when the non-admin reads /api/me/ with the other's document
    response = client_for(actor).get("/api/me/", {"user_document": victim.document})

    # then 403, nothing of the other user is disclosed
    assert response.status_code == 403
    assert response.json() == IMPERSONATION_DENIED


def test_non_admin_cannot_write_another_user_via_user_document(actor, victim):
    # given a non-admin and another user
    before = rows(actor, victim)

    # when the non-admin patches /api/me/ with the other's document
    response = client_for(actor).patch(
        f"/api/me/?user_document={victim.document}",
        {"first_name": "Suplantado", "profile_picture": "https://evil.example.com/x.png"},
        format="json",
    )

    # then 403 and neither user changed
    assert response.status_code == 403
    assert response.json() == IMPERSONATION_DENIED
    assert rows(actor, victim) == before


def test_user_document_of_an_unknown_user_is_403_for_non_admins(actor):
    # given a non-admin
    # when they ask about a document nobody has
    response = client_for(actor).get("/api/me/", {"user_document": "NOPE-404"})

    # then 403 as for an existing user: existence is not disclosed
    assert response.status_code == 403
    assert response.json() == IMPERSONATION_DENIED


def test_user_document_equal_to_own_document_is_allowed(actor):
    # given a non-admin
    # when they pass their own document
    response = client_for(actor).get("/api/me/", {"user_document": actor.document})

    # then they get their own data
    assert response.status_code == 200
    assert response.json() == expected_user(actor)


def test_admin_may_read_another_user_via_user_document(as_admin, victim):
    # given an admin and another user
    # when the admin reads /api/me/ with that document
    response = as_admin.get("/api/me/", {"user_document": victim.document})

    # then the other user's data
    assert response.status_code == 200
    assert response.json() == expected_user(victim)


def test_admin_reading_an_unknown_user_via_user_document_is_404(as_admin):
    # given an admin
    # when they ask about a document nobody has
    response = as_admin.get("/api/me/", {"user_document": "NOPE-404"})

    # then 404
    assert response.status_code == 404


def test_admin_may_not_write_via_user_document(as_admin, admin_user, victim):
    # given an admin and another user
    before = rows(admin_user, victim)

    # when the admin patches /api/me/ with that document
    response = as_admin.patch(
        f"/api/me/?user_document={victim.document}", {"first_name": "Suplantado", "role": "ADMIN"}, format="json"
    )

    # then 403 and neither user changed
    assert response.status_code == 403
    assert response.json() == IMPERSONATION_DENIED
    assert rows(admin_user, victim) == before


@pytest.mark.parametrize("caller_role", [Role.CLIENT, Role.TECH, Role.ADMIN])
def test_nobody_changes_another_users_password_via_user_document(caller_role, victim):
    # given a caller of any role and another user
    caller = UserFactory(role=caller_role)
    before = rows(caller, victim)

    # when /api/me/change-password/ is called with the other's document
    response = client_for(caller).post(
        f"/api/me/change-password/?user_document={victim.document}", {"new_password": NEW_PASSWORD}, format="json"
    )

    # then 403 and neither password changed
    assert response.status_code == 403
    assert response.json() == IMPERSONATION_DENIED
    assert rows(caller, victim) == before


@pytest.mark.parametrize("url", ["/api/users/auth/user-data/", "/api/users/auth/validate-token/"])
def test_auth_endpoints_ignore_user_document(actor, victim, url):
    # given a non-admin and another user
    # when an auth endpoint is called with the other's document
    response = client_for(actor).get(url, {"user_document": victim.document})

    # then it still answers about the caller only
    assert response.status_code == 200
    body = response.json()
    user = body.get("user", body)
    assert user["document"] == actor.document
    assert victim.document not in response.content.decode()


# --- /api/me/{document}/ and update-profile-picture ----------------------------------------


def test_non_admin_cannot_read_another_user_by_document(actor, victim):
    # given a non-admin and another user
    # when they read /api/me/{other}/
    response = client_for(actor).get(f"/api/me/{victim.document}/")

    # then 403
    assert response.status_code == 403
    assert response.json() == NOT_YOURS


@pytest.mark.parametrize(
    "payload",
    [{"first_name": "Intruso"}, {"profile_picture": "https://evil.example.com/x.png"}, {"role": "ADMIN"}, {}],
)
def test_non_admin_cannot_modify_another_user_by_document(actor, victim, payload):
    # given a non-admin and another user
    before = rows(actor, victim)

    # when they patch /api/me/{other}/
    response = client_for(actor).patch(f"/api/me/{victim.document}/", payload, format="json")

    # then 403 and neither user changed
    assert response.status_code == 403
    assert response.json() == NOT_YOURS
    assert rows(actor, victim) == before


def test_non_admin_cannot_change_another_users_profile_picture(actor, victim):
    # given a non-admin and another user
    before = rows(actor, victim)

    # when they patch the other's picture
    response = client_for(actor).patch(
        f"/api/users/update-profile-picture/{victim.document}/",
        {"profile_picture": "https://evil.example.com/x.png"},
        format="json",
    )

    # then 403 and neither user changed
    assert response.status_code == 403
    assert response.json() == NOT_YOURS
    assert rows(actor, victim) == before


@pytest.mark.parametrize("path", ["/api/me/NOPE-404/", "/api/users/update-profile-picture/NOPE-404/"])
def test_unknown_documents_are_403_for_non_admins(actor, path):
    # given a non-admin
    # when they address a document nobody has
    response = client_for(actor).patch(path, {"profile_picture": "https://x.example.com/a.png"}, format="json")

    # then 403 as for an existing user: existence is not disclosed
    assert response.status_code == 403


def test_a_body_cannot_redirect_a_write_to_another_user(actor, victim):
    # given a non-admin and another user
    before_victim = snapshot(victim)

    # when they patch themselves with the other's identifiers in the body
    response = client_for(actor).patch(
        "/api/me/",
        {"id": victim.pk, "user_id": victim.pk, "user_document": victim.document, "last_name": "Propio"},
        format="json",
    )

    # then only the caller changes
    assert response.status_code == 200
    assert response.json()["user"]["document"] == actor.document
    assert User.objects.get(pk=actor.pk).last_name == "Propio"
    assert snapshot(victim) == before_victim


# --- admin-only endpoints ------------------------------------------------------------------


ADMIN_ONLY_READS = [
    "/api/users/",
    "/api/users/{doc}/",
    "/api/admins/",
    "/api/admins/{doc}/",
    "/api/technicians/",
    "/api/technicians/{doc}/",
    "/api/clients/",
    "/api/clients/{doc}/",
    "/api/users/?search={doc}",
]

ADMIN_ONLY_WRITES = [
    ("patch", "/api/users/update-user/{doc}/", {"first_name": "Intruso", "role": "CLIENT"}),
    ("delete", "/api/users/delete/{doc}", None),
    ("post", "/api/users/deactivate/{doc}", None),
    ("post", "/api/users/activate/{doc}/", None),
    ("post", "/api/me/change-password/{doc}/", {"new_password": NEW_PASSWORD}),
    (
        "post",
        "/api/users/create/",
        {"document": "{doc}-X", "email": "x@example.com", "first_name": "X", "role": "ADMIN"},
    ),
]


@pytest.mark.parametrize("path", ADMIN_ONLY_READS)
def test_non_admin_cannot_read_users_through_admin_endpoints(actor, victim, path):
    # given a non-admin and another user
    # when an admin-only read is requested
    response = client_for(actor).get(path.format(doc=victim.document))

    # then 403 and nothing about the other user is disclosed
    assert response.status_code == 403
    assert response.json() == {"detail": "Solo un administrador puede realizar esta acción."}
    assert victim.email not in response.content.decode()


@pytest.mark.parametrize(("method", "path", "payload"), ADMIN_ONLY_WRITES)
@pytest.mark.parametrize("target", ["victim", "self"])
def test_non_admin_cannot_write_users_through_admin_endpoints(actor, victim, method, path, payload, target):
    # given a non-admin, another user (one of them deactivated, to see activate refused)
    subject = victim if target == "victim" else actor
    User.objects.filter(pk=victim.pk).update(is_active=False)
    count = User.objects.count()
    before = rows(actor, victim)
    body = {k: v.format(doc=subject.document) for k, v in (payload or {}).items()}

    # when an admin-only write is attempted on the other user or on themselves
    client = client_for(actor)
    url = path.format(doc=subject.document)
    response = client.delete(url) if method == "delete" else getattr(client, method)(url, body, format="json")

    # then 403 and nothing changed
    assert response.status_code == 403
    assert response.json() == {"detail": "Solo un administrador puede realizar esta acción."}
    assert User.objects.count() == count
    assert rows(actor, victim) == before
