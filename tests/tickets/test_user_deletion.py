"""The users app's 409 rule: a user taking part in a non-final ticket cannot be deleted."""

import pytest

from tests.factories import TicketFactory, UserFactory, estado
from tickets.services import user_deletion_guard
from users.models import Role, User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field", ["administrador", "tecnico", "cliente"])
def test_user_with_a_non_final_ticket_cannot_be_deleted(as_admin, field):
    user = UserFactory(role={"administrador": Role.ADMIN, "tecnico": Role.TECH, "cliente": Role.CLIENT}[field])
    TicketFactory(**{field: user}, estado=estado("diagnosis"))

    response = as_admin.delete(f"/api/users/delete/{user.document}")

    assert response.status_code == 409
    assert response.json()["detail"] == "El usuario tiene tickets activos (no finalizados) y no puede eliminarse."
    assert User.objects.filter(pk=user.pk).exists()


def test_user_whose_tickets_are_all_final_is_still_protected_by_the_records(as_admin):
    client = UserFactory(role=Role.CLIENT)
    TicketFactory(cliente=client, estado=estado("finalized"))

    assert user_deletion_guard(client) is None
    response = as_admin.delete(f"/api/users/delete/{client.document}")

    # PROTECT foreign keys keep the ticket's history intact
    assert response.status_code == 409
    assert response.json()["code"] == "user_has_records"
    assert User.objects.filter(pk=client.pk).exists()


def test_user_without_tickets_is_deleted(as_admin):
    client = UserFactory(role=Role.CLIENT)

    assert as_admin.delete(f"/api/users/delete/{client.document}").status_code == 204
    assert not User.objects.filter(pk=client.pk).exists()
