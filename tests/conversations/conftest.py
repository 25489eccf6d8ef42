"""A resident's ticket with its technician and an admin: the conversation's participants."""

from types import SimpleNamespace

import pytest

from conversations import services
from tests.conftest import client_for
from tests.factories import DeviceFactory, TenantFactory, TicketFactory, UserFactory
from tests.media_files import image_bytes
from users.models import Role

# A real (decodable) PNG: uploads are decoded whole and stored re-encoded.
PNG = image_bytes("PNG")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def desk(db):
    """`ticket`: open, of `resident` (a tenant), assigned to `tech`, opened by `admin`;
    `other_tech` and `other_admin` take no part in it (yet)."""
    resident = TenantFactory(user__first_name="Ana", user__last_name="Residente")
    tech = UserFactory(role=Role.TECH, first_name="Tomás", last_name="Técnico")
    admin = UserFactory(role=Role.ADMIN, first_name="Ada", last_name="Admin")
    ticket = TicketFactory(
        cliente=resident.user, tecnico=tech, administrador=admin, device=DeviceFactory(owners=[resident])
    )
    return SimpleNamespace(
        ticket=ticket,
        resident=resident,
        client=resident.user,
        tech=tech,
        admin=admin,
        other_tech=UserFactory(role=Role.TECH),
        other_admin=UserFactory(role=Role.ADMIN),
        other_client=UserFactory(role=Role.CLIENT),
    )


def send(ticket, author, body="Hola", *, internal=False):
    return services.message_send(ticket_id=ticket.pk, actor=author, body=body, internal=internal)


@pytest.fixture
def as_user():
    return client_for
