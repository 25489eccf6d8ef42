"""Files sent inside a JSON body as base64 (the residents' Android app), turned into ordinary
uploaded files so that the same checks as a multipart upload apply (tickethelp.uploads).

A value is either plain base64 or a data URL (`data:image/jpeg;base64,...`); the declared
type is ignored (the real type comes from the bytes). The decoded size is known from the
encoded length before anything is decoded, so an oversized file is refused without decoding
it; a valid one is decoded chunk by chunk (stdlib `base64.b64decode(validate=True)`) into
memory when small, into a temporary file otherwise, as Django's upload handlers do.
"""

import base64
import binascii
import re

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from tickethelp.uploads import MAX_UPLOAD_SIZE, UploadRejected

# `data:[<media type>][;param=value]*;base64,` (case-insensitive scheme and marker).
_DATA_URL_PREFIX = re.compile(r"data:[^,;]*(?:;[^,;=]+=[^,;]*)*;base64,", re.IGNORECASE)
# Characters decoded per step: a multiple of 4, so every step is whole base64 quanta.
DECODE_CHUNK_CHARS = 4 * 256 * 1024


class MalformedBase64(ValueError):
    """The value is not base64 (or not a base64 data URL)."""


def base64_payload(value: str) -> str:
    """The base64 text of a plain value or of a `data:...;base64,` URL."""
    if value[:5].lower() == "data:":
        match = _DATA_URL_PREFIX.match(value)
        if match is None:
            raise MalformedBase64("a data URL must be of the form data:<type>;base64,<data>")
        return value[match.end() :]
    return value


def decoded_size(payload: str) -> int:
    """The size in bytes `payload` decodes to, from its length and padding alone; raises
    MalformedBase64 when the length or the padding cannot be base64."""
    if len(payload) % 4:
        raise MalformedBase64("its length is not a multiple of 4")
    first_pad = payload.find("=")
    if first_pad != -1 and first_pad < len(payload) - 2:
        raise MalformedBase64("padding may only end the data")
    padding = len(payload) - first_pad if first_pad != -1 else 0
    return len(payload) // 4 * 3 - padding


def decode_base64_upload(value: str, *, name: str, max_size: int = MAX_UPLOAD_SIZE):
    """An uploaded file holding the decoded bytes of `value` (plain base64 or a data URL).

    Raises MalformedBase64 for text that is not base64, UploadRejected("file_too_large")
    when the decoded size exceeds `max_size` (decided before decoding anything) and
    UploadRejected("file_empty") for no data. The caller closes the file."""
    payload = base64_payload(value)
    size = decoded_size(payload)
    if size == 0:
        raise UploadRejected("El archivo está vacío.", code="file_empty")
    if size > max_size:
        raise UploadRejected("El archivo supera el tamaño máximo.", code="file_too_large")
    in_memory = size <= settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    upload = (
        SimpleUploadedFile(name, b"", "application/octet-stream")
        if in_memory
        else TemporaryUploadedFile(name, "application/octet-stream", size, None)
    )
    try:
        for start in range(0, len(payload), DECODE_CHUNK_CHARS):
            try:
                upload.file.write(base64.b64decode(payload[start : start + DECODE_CHUNK_CHARS], validate=True))
            except (binascii.Error, ValueError):  # ValueError: characters outside ASCII
                raise MalformedBase64("it holds characters that are not base64") from None
    except BaseException:
        upload.close()
        raise
    upload.file.seek(0)
    upload.size = size
    return upload
