"""The users admin: activate/deactivate actions go through the services."""

import pytest

from tests.factories import UserFactory
from users.models import Role, User

pytestmark = pytest.mark.django_db


def test_deactivate_action_deactivates_the_selected_users_but_never_the_admin_himself(admin_site, admin_user):
    # given two active users
    first, second = UserFactory(role=Role.TECH), UserFactory(role=Role.CLIENT)

    # when the admin deactivates them, with himself in the selection
    response = admin_site.post(
        "/admin/users/user/",
        {"action": "deactivate_users", "_selected_action": [first.pk, second.pk, admin_user.pk]},
        follow=True,
    )

    # then both are inactive and the admin is still active
    assert response.status_code == 200
    assert set(User.objects.filter(is_active=False).values_list("pk", flat=True)) == {first.pk, second.pk}
    assert User.objects.get(pk=admin_user.pk).is_active


def test_activate_action_activates_the_selected_users(admin_site):
    inactive = UserFactory(role=Role.TECH, is_active=False)

    response = admin_site.post(
        "/admin/users/user/", {"action": "activate_users", "_selected_action": [inactive.pk]}, follow=True
    )

    assert response.status_code == 200
    assert User.objects.get(pk=inactive.pk).is_active


def test_user_audit_fields_are_read_only(admin_site):
    user = UserFactory()

    response = admin_site.get(f"/admin/users/user/{user.pk}/change/")

    content = response.content.decode()
    assert response.status_code == 200
    for field in ("date_joined", "last_login", "is_active"):
        assert f'name="{field}"' not in content
