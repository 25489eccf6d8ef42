"""tickethelp.uploads: the type comes from the bytes, the size is counted chunk by chunk."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from tests.tickets.conftest import AVI, GIF, JPEG, MOV, MP4, PNG, WEBP, WMV
from tickethelp.uploads import UploadRejected, check_upload, sniff_mime_type


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (JPEG, "image/jpeg"),
        (PNG, "image/png"),
        (GIF, "image/gif"),
        (b"GIF87a" + b"\x00" * 10, "image/gif"),
        (WEBP, "image/webp"),
        (MP4, "video/mp4"),
        (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", "video/mp4"),
        (MOV, "video/quicktime"),
        (AVI, "video/x-msvideo"),
        (WMV, "video/x-ms-wmv"),
        (b"", None),
        (b"RIFF", None),
        (b"RIFF\x00\x00\x00\x00WAVE", None),
        (b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00", None),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", None),
        (b"%PDF-1.4", None),
        (b"PK\x03\x04", None),
        (b"\x89PNG", None),
    ],
)
def test_sniff_mime_type(head, expected):
    assert sniff_mime_type(head) == expected


class CountingFile(SimpleUploadedFile):
    """Records the chunks read, to prove the file is never read whole."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reads = 0

    def chunks(self, chunk_size=None):
        self.file.seek(0)
        while chunk := self.file.read(4):
            self.reads += 1
            yield chunk


def test_check_upload_stops_reading_once_the_limit_is_passed():
    upload = CountingFile("a.png", PNG + b"\x00" * 100, content_type="image/png")
    upload.size = None  # as if the size were unknown: only the chunk count can tell

    with pytest.raises(UploadRejected) as excinfo:
        check_upload(upload, max_size=20)

    assert excinfo.value.code == "file_too_large"
    assert upload.reads == 6  # 24 bytes read of 172


def test_check_upload_refuses_by_declared_size_without_reading():
    upload = CountingFile("a.png", PNG, content_type="image/png")
    upload.size = 10**9

    with pytest.raises(UploadRejected):
        check_upload(upload)
    assert upload.reads == 0


def test_check_upload_reads_temporary_files_and_rewinds():
    upload = TemporaryUploadedFile("v.mp4", "video/mp4", len(MP4), None)
    upload.write(MP4)
    upload.flush()

    checked = check_upload(upload)

    assert (checked.mime_type, checked.size, checked.extension) == ("video/mp4", len(MP4), ".mp4")
    assert upload.tell() == 0
    upload.close()


def test_check_upload_refuses_empty_files():
    upload = SimpleUploadedFile("a.jpg", b"", content_type="image/jpeg")

    with pytest.raises(UploadRejected) as excinfo:
        check_upload(upload)
    assert excinfo.value.code == "file_empty"


def test_check_upload_ignores_name_and_declared_type():
    upload = SimpleUploadedFile("evil.exe", GIF, content_type="application/x-msdownload")

    assert check_upload(upload).mime_type == "image/gif"
