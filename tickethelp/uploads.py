"""Upload checks shared by the staff and tenant APIs: the real type comes from the bytes, and
the whole file must be what its first bytes announce.

Neither the file name nor the client's declared content type is trusted. The file is read
in chunks, so an oversized upload is refused without ever holding it in memory. Then:

* images are decoded whole (Pillow) and what is stored is a clean re-encoding in the same
  format: nothing after the image data (a JPEG header followed by HTML/PHP, a GIF/JS
  polyglot), no metadata (EXIF with the GPS position of the resident's home, XMP, comments),
  the EXIF orientation applied to the pixels; animations keep their frames. A file that does
  not decode (truncated, corrupt) is refused, and so is one whose pixels (all frames) exceed
  MAX_IMAGE_PIXELS before they are decoded (decompression bombs);
* videos are walked box by box (MP4/MOV), chunk by chunk (AVI) or object by object (WMV/ASF)
  to the end of the file: the sizes must tile the file exactly, so a payload appended after
  the container, or a file that is only a header, is refused. Videos are stored as sent.

Storing goes through `store_upload`, which turns a storage failure into a 503 and leaves no
partial file. The stored name is random with the extension of the sniffed type.
"""

from __future__ import annotations

import io
import logging
import os
import struct
import zlib
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile, File

from tickethelp.exceptions import StorageUnavailable

if TYPE_CHECKING:
    from PIL import Image

# Pillow is imported where an image is decoded, not here: most web workers never receive an
# upload, and importing it costs every worker ~3-5 MB of resident memory (bench/RESULTS.md,
# "Worker memory").

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

PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP"}
DEFAULT_MAX_IMAGE_PIXELS = 50_000_000
# Frames of an animation (GIF, WebP, APNG) that are re-encoded; more is refused.
MAX_ANIMATION_FRAMES = 1000
JPEG_QUALITY = 90
# What a clean re-encoding keeps of the decoder's `info`: how to draw the pixels, nothing else
# (no "exif", "xmp", "comment", text chunks...).
KEPT_IMAGE_INFO = ("transparency", "icc_profile")

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
    """An accepted upload: its sniffed type, the bytes to store (`content`: the clean
    re-encoding of an image, the walked file itself for a video) and their size."""

    mime_type: str
    size: int
    extension: str
    content: File


def _human_size(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def check_upload(
    uploaded_file, *, max_size: int = MAX_UPLOAD_SIZE, allowed: frozenset[str] = ALLOWED_MIME_TYPES
) -> CheckedUpload:
    """Sniff the type from the first bytes, count the size chunk by chunk, then decode an
    image whole (and re-encode it clean) or walk a video's structure to its end.

    Raises UploadRejected for an empty, oversized, unrecognised, corrupt or padded file;
    leaves the file rewound."""
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
    if mime_type in IMAGE_MIME_TYPES:
        content = clean_image(uploaded_file, mime_type)
        size = content.size
        if size > max_size:
            raise UploadRejected(
                f"El archivo supera el tamaño máximo de {_human_size(max_size)}.", code="file_too_large"
            )
    else:
        check_video_structure(uploaded_file, mime_type, size)
        content = uploaded_file
    uploaded_file.seek(0)
    return CheckedUpload(mime_type=mime_type, size=size, extension=EXTENSIONS[mime_type], content=content)


# --- Images ---------------------------------------------------------------------------------------

CORRUPT_IMAGE = "La imagen está dañada o incompleta: no se pudo leer entera."
CORRUPT_VIDEO = "El video está dañado, incompleto o lleva datos ajenos al video: su estructura no es válida."
# What Pillow raises on hostile or broken input (besides its own errors, all OSError/SyntaxError).
DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    TypeError,
    EOFError,
    IndexError,
    KeyError,
    struct.error,
    zlib.error,
)


def max_image_pixels() -> int:
    return int(getattr(settings, "MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS))


def _too_many_pixels(limit: int) -> UploadRejected:
    return UploadRejected(
        f"La imagen es demasiado grande: supera los {limit:,} píxeles.".replace(",", "."), code="image_too_large"
    )


def _clean_copy(frame: Image.Image) -> Image.Image:
    """The frame's pixels with only the drawing information kept (see KEPT_IMAGE_INFO)."""
    clean = frame.copy()
    clean.info = {key: frame.info[key] for key in KEPT_IMAGE_INFO if key in frame.info}
    return clean


def _reencode_still(image: Image.Image, pillow_format: str) -> bytes:
    from PIL import ImageOps

    upright = ImageOps.exif_transpose(image)  # orientation into the pixels (a copy)
    clean = _clean_copy(upright)
    output = io.BytesIO()
    if pillow_format == "JPEG":
        if clean.mode not in ("L", "RGB", "CMYK"):
            clean = clean.convert("RGB")
        clean.save(output, "JPEG", quality=JPEG_QUALITY, icc_profile=clean.info.get("icc_profile"))
    elif pillow_format == "WEBP":
        clean.save(output, "WEBP", quality=JPEG_QUALITY, icc_profile=clean.info.get("icc_profile", ""))
    else:
        clean.save(output, pillow_format)
    return output.getvalue()


def _reencode_animation(image: Image.Image, pillow_format: str, limit: int) -> bytes:
    """Every frame (RGBA, metadata dropped) with its duration, written as a new animation."""
    from PIL import ImageSequence

    width, height = image.size
    frames, durations = [], []
    for frame in ImageSequence.Iterator(image):
        if len(frames) == MAX_ANIMATION_FRAMES:
            raise UploadRejected(f"La animación tiene más de {MAX_ANIMATION_FRAMES} cuadros.", code="image_too_large")
        if (len(frames) + 1) * width * height > limit:
            raise _too_many_pixels(limit)
        frames.append(_clean_copy(frame.convert("RGBA")))
        durations.append(int(frame.info.get("duration") or 100))
    options = {"loop": int(image.info["loop"])} if "loop" in image.info else {}
    output = io.BytesIO()
    first, *rest = frames
    first.save(output, pillow_format, save_all=True, append_images=rest, duration=durations, disposal=2, **options)
    return output.getvalue()


def clean_image(uploaded_file, mime_type: str) -> ContentFile:
    """The image decoded whole and written again in its own format, free of anything that
    is not its pixels; UploadRejected when it does not decode or has too many pixels."""
    from PIL import Image

    pillow_format = PILLOW_FORMATS[mime_type]
    limit = max_image_pixels()
    uploaded_file.seek(0)
    try:
        with Image.open(uploaded_file, formats=[pillow_format]) as image:
            width, height = image.size
            if width * height > limit:  # known from the header, before any pixel is decoded
                raise _too_many_pixels(limit)
            if getattr(image, "is_animated", False):
                data = _reencode_animation(image, pillow_format, limit)
            else:
                data = _reencode_still(image, pillow_format)
    except UploadRejected:
        raise
    except Image.DecompressionBombError:  # Pillow's own cap (twice Image.MAX_IMAGE_PIXELS)
        raise _too_many_pixels(limit) from None
    except DECODE_ERRORS as exc:
        logger.info("Refused an image upload that does not decode: %s: %s", type(exc).__name__, exc)
        raise UploadRejected(CORRUPT_IMAGE, code="file_corrupt") from None
    finally:
        uploaded_file.seek(0)
    return ContentFile(data, name=f"upload{EXTENSIONS[mime_type]}")


# --- Videos ---------------------------------------------------------------------------------------


class _Malformed(Exception):
    pass


def _read_exactly(handle, position: int, length: int) -> bytes:
    handle.seek(position)
    data = handle.read(length)
    if len(data) != length:
        raise _Malformed(f"cut short at {position}")
    return data


def _is_fourcc(code: bytes) -> bool:
    return len(code) == 4 and all(0x20 <= byte <= 0x7E for byte in code)


# ISO base media boxes whose content is only boxes (walked too); any other box is opaque.
ISO_CONTAINER_BOXES = frozenset({b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"mvex"})
MAX_BOX_DEPTH = 8


def _iso_boxes(handle, start: int, end: int, depth: int = 0) -> list[bytes]:
    """The types of the boxes that tile [start, end) exactly, container boxes walked inside."""
    if depth > MAX_BOX_DEPTH:
        raise _Malformed("boxes nested too deep")
    kinds, position = [], start
    while position < end:
        if end - position < 8:
            raise _Malformed(f"{end - position} stray bytes at {position}")
        size, kind = struct.unpack(">I4s", _read_exactly(handle, position, 8))
        header = 8
        if size == 1:  # 64-bit size after the type
            (size,) = struct.unpack(">Q", _read_exactly(handle, position + 8, 8))
            header = 16
        elif size == 0 and depth == 0 and kind == b"mdat":  # the media data runs to the end
            size = end - position
        if not _is_fourcc(kind) or size < header or position + size > end:
            raise _Malformed(f"bad box {kind!r} of {size} bytes at {position}")
        if kind in ISO_CONTAINER_BOXES:
            _iso_boxes(handle, position + header, position + size, depth + 1)
        kinds.append(kind)
        position += size
    return kinds


def _check_iso_media(handle, size: int) -> None:
    kinds = _iso_boxes(handle, 0, size)
    if kinds[0] != b"ftyp" or b"moov" not in kinds:
        raise _Malformed("no ftyp first or no moov")


def _riff_chunks(handle, start: int, end: int) -> list[tuple[bytes, bytes]]:
    """(id, list type or b"") of the chunks that tile [start, end) exactly (even-padded)."""
    chunks, position = [], start
    while position < end:
        if end - position < 8:
            raise _Malformed(f"{end - position} stray bytes at {position}")
        chunk_id, length = struct.unpack("<4sI", _read_exactly(handle, position, 8))
        if not _is_fourcc(chunk_id) or position + 8 + length > end:
            raise _Malformed(f"bad chunk {chunk_id!r} of {length} bytes at {position}")
        list_type = _read_exactly(handle, position + 8, 4) if chunk_id == b"LIST" and length >= 4 else b""
        chunks.append((chunk_id, list_type))
        position += 8 + length + (length & 1)
    if position > end + 1:  # only the pad byte of the very last chunk may be missing
        raise _Malformed("last chunk overruns its RIFF")
    return chunks


def _check_avi(handle, size: int) -> None:
    """One RIFF 'AVI ' (then, for OpenDML files, RIFF 'AVIX' ones) tiling the whole file."""
    position, first = 0, True
    while position < size:
        tag, length, form = struct.unpack("<4sI4s", _read_exactly(handle, position, 12))
        end = position + 8 + length
        if tag != b"RIFF" or form != (b"AVI " if first else b"AVIX") or length < 4 or end > size:
            raise _Malformed(f"bad RIFF at {position}")
        chunks = _riff_chunks(handle, position + 12, end)
        if first and (not chunks or chunks[0] != (b"LIST", b"hdrl") or (b"LIST", b"movi") not in chunks):
            raise _Malformed("no hdrl first or no movi list")
        position, first = end + (length & 1), False
    if position != size and position != size + 1:
        raise _Malformed("trailing bytes")


ASF_DATA_GUID = bytes.fromhex("3626B2758E66CF11A6D900AA0062CE6C")


def _asf_objects(handle, start: int, end: int) -> list[bytes]:
    """The GUIDs of the ASF objects (GUID, 64-bit size) that tile [start, end) exactly."""
    guids, position = [], start
    while position < end:
        if end - position < 24:
            raise _Malformed(f"{end - position} stray bytes at {position}")
        guid, length = struct.unpack("<16sQ", _read_exactly(handle, position, 24))
        if length < 24 or position + length > end:
            raise _Malformed(f"bad object of {length} bytes at {position}")
        guids.append(guid)
        position += length
    return guids


def _check_asf(handle, size: int) -> None:
    """A Header Object (its sub-objects as many as it says, tiling it), a Data Object, then
    index objects: to the last byte of the file."""
    guids = _asf_objects(handle, 0, size)
    if guids[0] != ASF_HEADER_GUID or ASF_DATA_GUID not in guids:
        raise _Malformed("no header first or no data object")
    header_size, count = struct.unpack("<QI", _read_exactly(handle, 16, 12))
    if header_size < 30 or len(_asf_objects(handle, 30, header_size)) != count:
        raise _Malformed("header objects do not match their count")


VIDEO_CHECKS = {
    "video/mp4": _check_iso_media,
    "video/quicktime": _check_iso_media,
    "video/x-msvideo": _check_avi,
    "video/x-ms-wmv": _check_asf,
}


def check_video_structure(uploaded_file, mime_type: str, size: int) -> None:
    """Walk the container to the end of the file; UploadRejected unless it tiles it exactly."""
    uploaded_file.seek(0)
    try:
        VIDEO_CHECKS[mime_type](uploaded_file, size)
    except (_Malformed, struct.error) as exc:
        logger.info("Refused a %s upload: %s", mime_type, exc)
        raise UploadRejected(CORRUPT_VIDEO, code="file_corrupt") from None
    finally:
        uploaded_file.seek(0)


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


def served_name(stored_name: str, mime_type: str, *, fallback: str) -> str:
    """The name a stored upload is served under: its stored (random) stem with the extension
    of its sniffed type. The client's name is for display only and is never served."""
    stem = os.path.splitext(os.path.basename(stored_name))[0] or fallback
    return f"{stem}{EXTENSIONS.get(mime_type, '')}"


def private_download(stored_file, *, filename: str, content_type: str):
    """A private, uncached download of a stored upload; a file gone from storage is a 404."""
    from django.http import FileResponse

    from tickethelp.exceptions import NotFound

    try:
        handle = stored_file.open("rb")
    except OSError:  # FileNotFoundError included
        raise NotFound("El archivo ya no está disponible.", code="file_missing") from None
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response
