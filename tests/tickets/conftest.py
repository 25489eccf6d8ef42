"""Fixtures of the tickets tests."""

import pytest

from tests.factories import TicketFactory, estado
from tests.media_files import avi, image_bytes, mov, mp4, wmv
from tickets.models import Estado

# Small real files of each accepted format: images decode whole, video containers tile the file.
JPEG = image_bytes("JPEG", quality=90)
PNG = image_bytes("PNG")
GIF = image_bytes("GIF")
WEBP = image_bytes("WEBP", quality=90)
MP4 = mp4()
MOV = mov()
AVI = avi()
WMV = wmv()


@pytest.fixture(autouse=True)
def estados(db):
    """The seeded catalog (tests/conftest.py restores it after transactional flushes)."""
    return {state.codigo: state for state in Estado.objects.all()}


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def ticket(admin_user, tech_user, client_user):
    """An open ticket of `client_user`, assigned to `tech_user`, opened by `admin_user`."""
    return TicketFactory(administrador=admin_user, tecnico=tech_user, cliente=client_user)


@pytest.fixture
def ticket_in_repair(admin_user, tech_user, client_user):
    return TicketFactory(administrador=admin_user, tecnico=tech_user, cliente=client_user, estado=estado("in_repair"))
