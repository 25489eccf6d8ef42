"""The users lists answer byte for byte what DRF's UserSerializer answers on model instances.

`GET /api/users/` (and the admins/technicians/clients lists) serialize their rows through a
row plan (tickethelp/rows.py: one statement, the tuples turned into dicts by a function
compiled once), not through DRF's field objects. The web front end reads these lists whole
(REAL-CLIENTS.md §1), so the bytes are compared, on users that differ in every way a column
can: roles, no number, no last name, no picture, accents and characters outside the BMP,
dates with and without microseconds, inactive accounts."""

from datetime import UTC, datetime

import pytest
from rest_framework import serializers

from tests.conftest import client_for
from tests.factories import UserFactory
from tickethelp import rows
from tickethelp.serializers import FastOutputMixin
from users.models import Role, User

pytestmark = pytest.mark.django_db

LISTS = ("/api/users/", "/api/admins/", "/api/technicians/", "/api/clients/")


@pytest.fixture
def varied_users(admin_user):
    UserFactory(role=Role.TECH, first_name="Ñandú", last_name="Pérez-Øster", number=None)
    UserFactory(role=Role.CLIENT, first_name="Zoë", last_name="", number="", is_active=False)
    UserFactory(
        role=Role.CLIENT, first_name="李", last_name="小龍 🐉", profile_picture="https://cdn.example.com/a b.png"
    )
    UserFactory(
        role=Role.ADMIN, first_name='Comillas "dobles"', last_name="Barra \\ invertida", must_change_password=True
    )
    UserFactory(role=Role.TECH, first_name="Ana", last_name="Ana")  # same names: ordered by id
    UserFactory(role=Role.TECH, first_name="Ana", last_name="Ana")
    # dates: whole seconds (no fraction written), microseconds, an old one
    for moment in (
        datetime(2024, 1, 15, 10, 30, tzinfo=UTC),
        datetime(2025, 6, 30, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(1999, 12, 31, 0, 0, 0, 1, tzinfo=UTC),
    ):
        User.objects.filter(pk=UserFactory(role=Role.CLIENT).pk).update(date_joined=moment)
    return client_for(admin_user)


def answers(client) -> dict[str, bytes]:
    bodies = {}
    for path in LISTS:
        for query in ("", "?page=2&page_size=3", "?limit=4&offset=1"):
            response = client.get(path + query)
            assert response.status_code == 200, response.content
            bodies[path + query] = response.content
    return bodies


@pytest.mark.sqlite
def test_the_users_lists_are_byte_identical_to_drf_output(varied_users, monkeypatch):
    # given every users list (whole and paged) read through the row plans
    fast = answers(varied_users)
    assert len(fast["/api/users/"]) > 1000  # all ten users are in it

    # when DRF's own serialization of model instances answers instead
    monkeypatch.setattr(FastOutputMixin, "to_representation", serializers.Serializer.to_representation)
    monkeypatch.setattr(rows, "ROWS_ENABLED", False)
    drf = answers(varied_users)

    # then every body is the same, byte for byte
    assert fast == drf


def test_the_users_list_is_read_through_a_row_plan(varied_users, monkeypatch):
    # given the row plans' page reader, watched
    pages = []
    page = rows.RowPlan._page

    def watched(plan, queryset, offset, limit, context, **kwargs):
        output, total = page(plan, queryset, offset, limit, context, **kwargs)
        pages.append((plan.model, len(output)))
        return output, total

    monkeypatch.setattr(rows.RowPlan, "_page", watched)

    # when the users list is read
    response = varied_users.get("/api/users/")

    # then every user came from one row-plan page of users
    assert response.status_code == 200
    assert pages == [(User, User.objects.count())]
