"""Permission matrix of the "Usuarios" section: every endpoint x anonymous / CLIENT / TECH / ADMIN.

Anonymous callers get 401 on protected endpoints, a wrong role gets 403, an allowed role
succeeds; a refused call changes nothing. Every path also answers with and without its
trailing slash (PRODUCT §7), whatever the method.
"""

from dataclasses import dataclass, field

import pytest

from tests.factories import TEST_PASSWORD, UserFactory
from tests.users.conftest import snapshot
from users.models import Role, User
from users.tokens import issue_tokens

ROLES = ("anonymous", "CLIENT", "TECH", "ADMIN")
AUTHENTICATED = ("CLIENT", "TECH", "ADMIN")
ADMIN = ("ADMIN",)
NEW_PASSWORD = "Matriz-clave-segura-31"

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # placeholders: {target} {self} {admin} {tech} {client}
    allowed: tuple[str, ...]
    success: int
    body: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


ENDPOINTS = [
    # authentication
    Endpoint("post", "/api/users/auth/login/", ROLES, 200, {"email": "{target_email}", "password": TEST_PASSWORD}),
    Endpoint("post", "/api/users/auth/refresh/", ROLES, 200, {"refresh": "{target_refresh}"}),
    Endpoint("post", "/api/users/auth/logout/", AUTHENTICATED, 200, {"refresh": "{self_refresh}"}),
    Endpoint(
        "post",
        "/api/users/auth/change-password/",
        AUTHENTICATED,
        200,
        {"old_password": TEST_PASSWORD, "new_password": NEW_PASSWORD},
    ),
    Endpoint("get", "/api/users/auth/validate-token/", AUTHENTICATED, 200),
    Endpoint("get", "/api/users/auth/user-data/", AUTHENTICATED, 200),
    # users administration
    Endpoint("get", "/api/users/", ADMIN, 200),
    Endpoint(
        "post",
        "/api/users/create/",
        ADMIN,
        201,
        {"document": "MATRIX-1", "email": "matrix@example.com", "first_name": "Matriz", "role": "CLIENT"},
    ),
    Endpoint("get", "/api/users/{target}/", ADMIN, 200),
    Endpoint("delete", "/api/users/delete/{target}", ADMIN, 204),
    Endpoint("post", "/api/users/deactivate/{target}", ADMIN, 200),
    Endpoint("post", "/api/users/activate/{target}/", ADMIN, 200),
    Endpoint(
        "patch",
        "/api/users/update-profile-picture/{target}/",
        ADMIN,
        200,
        {"profile_picture": "https://cdn.example.com/x.png"},
    ),
    Endpoint(
        "patch",
        "/api/users/update-profile-picture/{self}/",
        AUTHENTICATED,
        200,
        {"profile_picture": "https://cdn.example.com/x.png"},
    ),
    Endpoint("patch", "/api/users/update-user/{target}/", ADMIN, 200, {"first_name": "Cambiado"}),
    Endpoint("get", "/api/admins/", ADMIN, 200),
    Endpoint("get", "/api/admins/{admin}/", ADMIN, 200),
    Endpoint("get", "/api/technicians/", ADMIN, 200),
    Endpoint("get", "/api/technicians/{tech}/", ADMIN, 200),
    Endpoint("get", "/api/clients/", ADMIN, 200),
    Endpoint("get", "/api/clients/{target}/", ADMIN, 200),
    # own profile
    Endpoint("get", "/api/me/", AUTHENTICATED, 200),
    Endpoint("patch", "/api/me/", AUTHENTICATED, 200, {"first_name": "Cambiado"}),
    # Tokens of no recent password login: the current password is needed.
    Endpoint(
        "post",
        "/api/me/change-password/",
        AUTHENTICATED,
        200,
        {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD},
    ),
    Endpoint("get", "/api/me/{self}/", AUTHENTICATED, 200),
    Endpoint("patch", "/api/me/{self}/", AUTHENTICATED, 200, {"first_name": "Cambiado"}),
    Endpoint("get", "/api/me/{target}/", ADMIN, 200),
    Endpoint("patch", "/api/me/{target}/", ADMIN, 200, {"first_name": "Cambiado"}),
    Endpoint("post", "/api/me/change-password/{target}/", ADMIN, 200, {"new_password": NEW_PASSWORD}),
]


@pytest.fixture
def people(admin_user, tech_user, client_user):
    return {"ADMIN": admin_user, "TECH": tech_user, "CLIENT": client_user}


@pytest.fixture
def target(db):
    """The CLIENT whom the by-document endpoints are about."""
    return UserFactory(role=Role.CLIENT)


def resolve(endpoint: Endpoint, *, actor, target, people, slash: str = "as documented") -> tuple[str, dict]:
    values = {
        "target": target.document,
        "self": (actor or target).document,
        "admin": people["ADMIN"].document,
        "tech": people["TECH"].document,
        "client": people["CLIENT"].document,
    }
    path = endpoint.path.format(**values)
    if slash == "twin":
        path = path[:-1] if path.endswith("/") else path + "/"
    body = {}
    for key, value in endpoint.body.items():
        if value == "{target_email}":
            value = target.email
        elif value == "{target_refresh}":
            value = str(issue_tokens(target))
        elif value == "{self_refresh}":
            value = str(issue_tokens(actor or target))
        body[key] = value
    return path, body


def call(client, endpoint: Endpoint, path: str, body: dict):
    method = getattr(client, endpoint.method)
    if endpoint.method in ("get", "delete"):
        return method(path)
    return method(path, body, format="json")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_permission_matrix(role_clients, people, target, endpoint, role):
    # given a caller of `role` and the users the endpoint may touch
    actor = people.get(role)
    path, body = resolve(endpoint, actor=actor, target=target, people=people)
    everyone = list(User.objects.all())
    before = {user.pk: snapshot(user) for user in everyone}

    # when the endpoint is called
    response = call(role_clients[role], endpoint, path, body)

    # then it answers according to the role
    if role in endpoint.allowed:
        assert response.status_code == endpoint.success, response.content
        return
    expected = 401 if role == "anonymous" else 403
    assert response.status_code == expected, response.content
    assert "detail" in response.json()
    # and a refused call changes nothing
    assert User.objects.count() == len(everyone)
    assert {user.pk: snapshot(user) for user in everyone} == before


@pytest.mark.parametrize("slash", ["as documented", "twin"])
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_every_path_answers_with_and_without_its_trailing_slash(role_clients, people, target, endpoint, slash):
    # given a caller the endpoint allows (an admin when it is restricted)
    role = "ADMIN" if "ADMIN" in endpoint.allowed and "anonymous" not in endpoint.allowed else "anonymous"
    path, body = resolve(endpoint, actor=people.get(role), target=target, people=people, slash=slash)

    # when the path is called as documented and with the slash toggled
    response = call(role_clients[role], endpoint, path, body)

    # then both spellings reach the view: no redirect, no 404
    assert response.status_code == endpoint.success, (path, response.status_code, response.content)
