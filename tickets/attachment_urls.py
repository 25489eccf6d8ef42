"""Expiring links to ticket attachments for clients that cannot send a Bearer header
(an `<img src>` in the tenant app).

Files on local disk are never served publicly: the link points at
`/api/files/attachments/{id}?sig=...`, whose signature (a `TimestampSigner` over the
attachment id) is checked for authenticity and age before the file is streamed. Object
storage that presigns its own URLs (django-storages' S3 with `querystring_auth`) hands out
its presigned URL instead, with the same lifetime.
"""

from django.conf import settings
from django.core import signing
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from tickethelp.openapi import staff_errors
from tickets.models import TicketAttachment

SIGNING_SALT = "tickets.attachment-url"
# One answer for a bad, expired or foreign signature, a missing row and a missing file.
NOT_FOUND = "No encontrado."
# A real signature is "<timestamp>:<hash>", well under this; longer input is not even parsed.
MAX_SIGNATURE_LENGTH = 200


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SIGNING_SALT)


def max_age_seconds() -> int:
    return int(settings.ATTACHMENT_URL_MAX_AGE_SECONDS)


def attachment_signature(attachment_id: int) -> str:
    """The `sig` query value for one attachment: timestamp and HMAC, without the id itself."""
    return _signer().sign(str(attachment_id)).split(":", 1)[1]


def signature_is_valid(*, attachment_id: int, signature) -> bool:
    """Authentic for this attachment id and younger than ATTACHMENT_URL_MAX_AGE_SECONDS."""
    if not isinstance(signature, str) or not signature or len(signature) > MAX_SIGNATURE_LENGTH:
        return False
    try:
        value = _signer().unsign(f"{attachment_id}:{signature}", max_age=max_age_seconds())
    except signing.BadSignature:  # SignatureExpired is a BadSignature too
        return False
    return value == str(attachment_id)


def storage_presigns(storage) -> bool:
    """Does the storage itself hand out expiring URLs (S3 with query-string auth)?"""
    return bool(getattr(storage, "querystring_auth", False))


def attachment_url(attachment: TicketAttachment, *, request=None) -> str:
    """A URL the holder can fetch the file with, for a limited time."""
    storage = attachment.file.storage
    if storage_presigns(storage):
        return storage.url(attachment.file.name, expire=max_age_seconds())
    path = reverse("attachment-signed-download", kwargs={"attachment_id": attachment.pk})
    url = f"{path}?sig={attachment_signature(attachment.pk)}"
    return request.build_absolute_uri(url) if request is not None else url


class SignedAttachmentDownloadView(APIView):
    """Streams an attachment to whoever holds a valid, fresh link; anything else is a 404."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="files_attachments_download",
        tags=["Tickets · adjuntos"],
        parameters=[
            OpenApiParameter(
                "sig", OpenApiTypes.STR, required=True, description="Firma con caducidad emitida junto al enlace."
            )
        ],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="El archivo"),
            **staff_errors(404),
        },
        auth=[],
    )
    def get(self, request, attachment_id: int):
        if not signature_is_valid(attachment_id=attachment_id, signature=request.query_params.get("sig")):
            raise NotFound(NOT_FOUND)
        attachment = TicketAttachment.objects.filter(pk=attachment_id).first()
        if attachment is None:
            raise NotFound(NOT_FOUND)
        try:
            handle = attachment.file.open("rb")
        except OSError:
            raise NotFound(NOT_FOUND) from None
        response = FileResponse(handle, filename=attachment.original_name, content_type=attachment.mime_type)
        response["Cache-Control"] = "private, no-store"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
