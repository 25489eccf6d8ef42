"""Attachment uploads while the storage fails: the disk is full (before or half-way through the
write) or the S3-compatible object store is unreachable. Both APIs answer a handled 503 in
their own error shape, and nothing is left behind: no row, no history, no file."""

import errno
import os
import time
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile

from notifications.models import Notification
from tests.conftest import client_for
from tests.factories import DeviceFactory, TenantFactory, TicketFactory, UserFactory
from tests.media_files import noise_png
from tests.processes import free_port
from tickets.models import Ticket, TicketAttachment, TicketHistory
from users.models import Role

pytestmark = pytest.mark.django_db

# A real picture of about 200 KB (uploaded images are decoded and re-encoded before storing).
PNG = noise_png()
STAFF_MESSAGE = "No se pudo guardar el archivo: el almacenamiento no está disponible. Inténtalo de nuevo más tarde."
TENANT_MESSAGE = "The file could not be stored: storage is unavailable. Please try again later."


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def _files_in(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def disk_full_on_save(monkeypatch, settings, media_root):
    """The disk is full before anything is written: saving raises ENOSPC."""

    def full(self, name, content):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(FileSystemStorage, "_save", full)


def disk_full_mid_write(monkeypatch, settings, media_root):
    """The disk fills up while the file is written: Django's own FileSystemStorage creates the
    file and writes, but only part of the bytes fit before the write raises ENOSPC."""
    real_fdopen = os.fdopen
    media = str(media_root.resolve())

    class FillingFile:
        def __init__(self, handle) -> None:
            self._handle = handle

        def write(self, data):
            self._handle.write(data[: len(data) // 2])
            self._handle.flush()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __getattr__(self, name):
            return getattr(self._handle, name)

    def fdopen(fd, *args, **kwargs):
        handle = real_fdopen(fd, *args, **kwargs)
        return FillingFile(handle) if os.readlink(f"/proc/self/fd/{fd}").startswith(media) else handle

    monkeypatch.setattr("django.core.files.storage.filesystem.os.fdopen", fdopen)


def object_store_down(monkeypatch, settings, media_root):
    """Uploads go to an S3-compatible bucket whose endpoint refuses connections."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **settings.STORAGES["default"].get("OPTIONS", {}),
                "bucket_name": "th-h5-faults",
                "endpoint_url": f"http://127.0.0.1:{free_port()}",
                "region_name": "us-east-1",
                "access_key": "faults-access-key",
                "secret_key": "faults-secret-key",
                "signature_version": "s3v4",
                "querystring_auth": True,
                "default_acl": None,
                "file_overwrite": False,
            },
        },
    }


FAULTS = {
    "disk full on save": disk_full_on_save,
    "disk full mid-write": disk_full_mid_write,
    "object store down": object_store_down,
}


@pytest.fixture(params=list(FAULTS))
def storage_fault(request, monkeypatch, settings, media_root):
    media_root.mkdir(parents=True, exist_ok=True)
    FAULTS[request.param](monkeypatch, settings, media_root)
    return request.param


def test_staff_upload_answers_503_and_leaves_nothing(storage_fault, media_root, print_figures):
    # given an open ticket and its assigned technician
    tech = UserFactory(role=Role.TECH)
    ticket = TicketFactory(tecnico=tech)
    history_before = TicketHistory.objects.filter(ticket=ticket).count()
    notifications_before = Notification.objects.count()

    # when the technician uploads a photo while the storage fails
    started = time.monotonic()
    response = client_for(tech).post(
        f"/api/tickets/{ticket.pk}/attachments/",
        {"file": SimpleUploadedFile("foto.png", PNG, content_type="image/png")},
        format="multipart",
    )
    elapsed = time.monotonic() - started

    # then a handled 503 in the staff API's shape
    assert response.status_code == 503, response.content[:300]
    assert response.json() == {"detail": STAFF_MESSAGE, "code": "storage_unavailable"}
    assert response["Retry-After"] == "30"
    # and no attachment row, no history or notification about it, no file on disk
    assert not TicketAttachment.objects.exists()
    assert TicketHistory.objects.filter(ticket=ticket).count() == history_before
    assert Notification.objects.count() == notifications_before
    assert _files_in(media_root) == []
    print_figures(
        f"Staff upload, {storage_fault}", {"status": response.status_code, "answered in (s)": f"{elapsed:.2f}"}
    )


def test_tenant_ticket_with_photo_answers_503_and_leaves_nothing(storage_fault, media_root, print_figures):
    # given a resident with a device
    tenant = TenantFactory()
    device = DeviceFactory(owners=[tenant])
    UserFactory(role=Role.TECH)
    notifications_before = Notification.objects.count()

    # when they open a ticket with a photo while the storage fails
    started = time.monotonic()
    response = client_for(tenant.user).post(
        "/api/tenant/tickets",
        {
            "device_id": device.pk,
            "category": "Hardware",
            "title": "Pantalla rota",
            "description": "Se ve una franja negra.",
            "attachments[]": [SimpleUploadedFile("pantalla.png", PNG, content_type="image/png")],
        },
        format="multipart",
    )
    elapsed = time.monotonic() - started

    # then a handled 503 in the portal's shape
    assert response.status_code == 503, response.content[:300]
    assert response.json() == {"error": "Service Unavailable", "message": TENANT_MESSAGE}
    assert response["Retry-After"] == "30"
    # and the ticket was not opened: no ticket, attachment, history or notification; no file
    assert not Ticket.objects.exists()
    assert not TicketAttachment.objects.exists()
    assert not TicketHistory.objects.exists()
    assert Notification.objects.count() == notifications_before
    assert _files_in(media_root) == []
    print_figures(
        f"Tenant ticket with photo, {storage_fault}",
        {"status": response.status_code, "answered in (s)": f"{elapsed:.2f}"},
    )
