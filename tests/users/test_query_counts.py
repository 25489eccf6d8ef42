"""Users endpoints run the same number of SQL queries for 1 and for 50 rows.

Lists grow with users; a detail or the caller's own data must not cost more when the user
takes part in many tickets and has many notifications.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Notification, NotificationType
from tests.conftest import client_for
from tests.factories import TicketFactory, UserFactory
from tests.query_counts import assert_constant
from users.models import Role

pytestmark = pytest.mark.django_db


def add_users(role: str | None):
    def add(n):
        for _ in range(n):
            for each in [role] if role else Role.values:
                UserFactory(role=each)

    return add


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("/api/users/?page_size=500", None),
        ("/api/users/?role=TECH&is_active=true&page_size=500", Role.TECH),
        ("/api/users/?search=user&joined_from=2000-01-01T00:00:00Z&page_size=500", None),
        ("/api/admins/?page_size=500", Role.ADMIN),
        ("/api/technicians/?page_size=500", Role.TECH),
        ("/api/clients/?page_size=500", Role.CLIENT),
        # Unpaged: the complete array the web front end reads.
        ("/api/users/", None),
        ("/api/users/?role=TECH", Role.TECH),
        ("/api/admins/", Role.ADMIN),
        ("/api/technicians/", Role.TECH),
        ("/api/clients/", Role.CLIENT),
    ],
)
def test_user_lists(as_admin, path, role):
    response = assert_constant(as_admin, path, add_users(role))

    assert len(response.json()) >= 50


def test_a_paged_user_list_reads_the_rows_and_their_count_in_one_statement(as_admin):
    # given 60 technicians
    UserFactory.create_batch(60, role=Role.TECH)

    # when a page is read
    with CaptureQueriesContext(connection) as captured:
        response = as_admin.get("/api/users/?page_size=20&page=2")

    # then two statements: the caller's authentication, and the page's rows with the COUNT
    assert response.status_code == 200
    assert response["X-Total-Count"] == "61"
    statements = [query["sql"] for query in captured.captured_queries]
    assert len(statements) == 2, statements
    assert 'FROM "users_user" u WHERE u."id"' in statements[0]
    assert "COUNT(*)" in statements[1]


@pytest.mark.parametrize("path", ["/api/users/", "/api/technicians/"])
def test_an_unpaged_user_list_reads_every_row_in_one_statement_without_a_count(as_admin, path):
    # given 60 technicians
    UserFactory.create_batch(60, role=Role.TECH)

    # when the whole list is read
    with CaptureQueriesContext(connection) as captured:
        response = as_admin.get(path)

    # then two statements: the caller's authentication and every row at once (no COUNT of
    # its own: on PostgreSQL the page's statement counts up to the limit itself)
    assert response.status_code == 200
    assert len(response.json()) >= 60
    statements = [query["sql"] for query in captured.captured_queries]
    assert len(statements) == 2, statements
    assert 'FROM "users_user" u WHERE u."id"' in statements[0]
    assert not statements[1].upper().startswith("SELECT COUNT(")


def busy_user(role: str):
    """A user and a function that gives them n more tickets and notifications."""
    user = UserFactory(role=role)
    field = {Role.ADMIN: "administrador", Role.TECH: "tecnico", Role.CLIENT: "cliente"}[role]
    tipo = NotificationType.objects.get(codigo="estado_cambiado")

    def add(n):
        for _ in range(n):
            ticket = TicketFactory(**{field: user})
            Notification.objects.create(usuario=user, ticket=ticket, tipo=tipo, titulo="Aviso", mensaje="Texto")

    return user, add


@pytest.mark.parametrize(
    ("prefix", "role"),
    [
        ("/api/users/", Role.CLIENT),
        ("/api/users/", Role.TECH),
        ("/api/admins/", Role.ADMIN),
        ("/api/technicians/", Role.TECH),
        ("/api/clients/", Role.CLIENT),
        ("/api/me/", Role.CLIENT),
    ],
)
def test_user_details_as_admin(as_admin, prefix, role):
    user, add = busy_user(role)

    response = assert_constant(as_admin, f"{prefix}{user.document}/", add)

    body = response.json()
    assert (body.get("data") or body)["document"] == user.document


@pytest.mark.parametrize(
    "path",
    ["/api/me/", "/api/me/{document}/", "/api/users/auth/user-data/", "/api/users/auth/validate-token/"],
)
@pytest.mark.parametrize("role", [Role.ADMIN, Role.TECH, Role.CLIENT])
def test_own_data(path, role):
    user, add = busy_user(role)

    response = assert_constant(client_for(user), path.format(document=user.document), add)

    body = response.json()
    assert (body.get("user") or body)["document"] == user.document


def test_me_of_another_user_as_admin(as_admin):
    user, add = busy_user(Role.CLIENT)

    response = assert_constant(as_admin, f"/api/me/?user_document={user.document}", add)

    assert response.json()["document"] == user.document
