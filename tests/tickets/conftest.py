"""Fixtures of the tickets tests."""

import pytest

from tests.factories import TicketFactory, estado
from tickets.models import Estado

# Smallest valid headers of each accepted format (the rest of the file does not matter).
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
GIF = b"GIF89a" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00" + b"\x00" * 64
MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00" + b"\x00" * 64
AVI = b"RIFF\x24\x00\x00\x00AVI LIST" + b"\x00" * 64
WMV = bytes.fromhex("3026B2758E66CF11A6D900AA0062CE6C") + b"\x00" * 64


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
