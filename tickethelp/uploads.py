"""Upload checks shared by the staff and tenant APIs: the real type comes from the bytes.

Neither the file name nor the client's declared content type is trusted. The file is read
in chunks, so an oversized upload is refused without ever holding it in memory. Storing goes
through `store_upload`, which turns a storage failure into a 503 and leaves no partial file.
"""

import logging
import os
from contextlib import suppress
from dataclasses import dataclass

from tickethelp.exceptions import StorageUnavailable

logger = logging.getLogger(__name__)

MAX_UPLOAD_SIZE = 20 * 1024 * 1024  # 20 MB per file

IMAGE_MIME_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
VIDEO_MIME_TYPES = frozenset({"video/mp4", "video/quicktime", "video/x-msvideo", "video/x-ms-wmv"})
ALLOWED_MIME_TYPES = IMAGE_MIME_TYPES | VIDEO_MIME_TYPES

EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
    "video/x-msvideo": ".avi",
    "video/x-ms-wmv": ".wmv",
}

# Bytes needed to recognise every supported format.
SNIFF_LENGTH = 32

ASF_HEADER_GUID = bytes.fromhex("3026B2758E66CF11A6D900AA0062CE6C")
# ISO base media "major brands" of MP4 video (audio-only M4A, HEIF images, ... are not).
MP4_BRANDS = frozenset(
    {
        b"isom",
        b"iso2",
        b"iso3",
        b"iso4",
        b"iso5",
        b"iso6",
        b"mp41",
        b"mp42",
        b"avc1",
        b"M4V ",
        b"M4VP",
        b"M4VH",
        b"dash",
        b"mmp4",
        b"f4v ",
        b"MSNV",
        b"NDAS",
    }
)


def sniff_mime_type(head: bytes) -> str | None:
    """The MIME type announced by a file's first bytes, if it is one we accept, else None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if len(head) >= 12 and head.startswith(b"RIFF"):
        form = head[8:12]
        if form == b"WEBP":
            return "image/webp"
        if form == b"AVI ":
            return "video/x-msvideo"
        return None
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand == b"qt  ":
            return "video/quicktime"
        if brand in MP4_BRANDS:
            return "video/mp4"
        return None
    if head.startswith(ASF_HEADER_GUID):
        return "video/x-ms-wmv"
    return None


class UploadRejected(ValueError):
    """The upload is not acceptable; `message` says why (for the field's error list)."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class CheckedUpload:
    mime_type: str
    size: int
    extension: str


def _human_size(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def check_upload(
    uploaded_file, *, max_size: int = MAX_UPLOAD_SIZE, allowed: frozenset[str] = ALLOWED_MIME_TYPES
) -> CheckedUpload:
    """Sniff the type from the first bytes and count the size chunk by chunk.

    Raises UploadRejected for an empty, oversized or unrecognised file; leaves the file
    rewound so that it can be stored afterwards."""
    declared = getattr(uploaded_file, "size", None)
    if declared is not None and declared > max_size:
        raise UploadRejected(f"El archivo supera el tamaño máximo de {_human_size(max_size)}.", code="file_too_large")
    uploaded_file.seek(0)
    head = b""
    size = 0
    for chunk in uploaded_file.chunks():
        if len(head) < SNIFF_LENGTH:
            head += chunk[: SNIFF_LENGTH - len(head)]
        size += len(chunk)
        if size > max_size:
            raise UploadRejected(
                f"El archivo supera el tamaño máximo de {_human_size(max_size)}.", code="file_too_large"
            )
    uploaded_file.seek(0)
    if size == 0:
        raise UploadRejected("El archivo está vacío.", code="file_empty")
    mime_type = sniff_mime_type(head)
    if mime_type is None or mime_type not in allowed:
        raise UploadRejected(
            "Tipo de archivo no permitido: solo imágenes (JPEG, PNG, GIF, WebP) o videos (MP4, MOV, AVI, WMV).",
            code="file_type_not_allowed",
        )
    return CheckedUpload(mime_type=mime_type, size=size, extension=EXTENSIONS[mime_type])


def _storage_errors() -> tuple[type[BaseException], ...]:
    """What a failing storage raises: OSError (disk full, I/O error, refused connection) and,
    with django-storages' S3 backend, botocore's errors (endpoint unreachable, S3 error)."""
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover - botocore ships with django-storages[s3]
        return (OSError,)
    return (OSError, BotoCoreError, ClientError)


STORAGE_ERRORS = _storage_errors()


def _local_path(storage, name: str) -> str | None:
    try:
        return storage.path(name)
    except NotImplementedError:  # object storage: a failed PUT leaves no object
        return None


def store_upload(field_file, filename: str, content) -> str:
    """Save `content` through the file field's storage under the name its `upload_to` gives,
    and point the field at it (like `FieldFile.save(..., save=False)`).

    A storage failure raises StorageUnavailable (503) instead of an unhandled error, after
    removing the partial file a local disk that filled up half-way leaves behind."""
    field, instance, storage = field_file.field, field_file.instance, field_file.storage
    name = field.generate_filename(instance, filename)
    path = _local_path(storage, name)
    # Only a file this call created may be removed (upload_to names are random: never taken).
    preexisting = path is not None and os.path.lexists(path)
    try:
        stored = storage.save(name, content, max_length=field.max_length)
    except STORAGE_ERRORS as exc:
        if path is not None and not preexisting:
            with suppress(OSError):
                os.remove(path)
        logger.error("Storing upload %s failed: %s: %s", name, type(exc).__name__, exc)
        raise StorageUnavailable() from exc
    setattr(instance, field.attname, stored)
    return stored
