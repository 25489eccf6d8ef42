"""Expiring links to ticket attachments for clients that cannot send a Bearer header
(an `<img src>` in the tenant app).

Files on local disk are never served publicly: the link points at
`/api/files/attachments/{id}?sig=...`, whose signature (a `TimestampSigner` over the
attachment id and the id of the user the link was issued to) is checked for authenticity
and age, and the user for still being active and still taking part in the ticket (the API's
own rule, `tickets.selectors.is_participant`), before the file is streamed: a link dies with
the access it was issued under. Object storage that presigns its own URLs (django-storages'
S3 with `querystring_auth`) hands out its presigned URL instead, with the same lifetime.
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
from tickets.selectors import is_participant
from users.models import User

# v2: the signed value names the holder too (links of the first version are all refused).
SIGNING_SALT = "tickets.attachment-url.v2"
# One answer for a bad, expired or foreign signature, a holder who lost access, a missing
# row and a missing file.
NOT_FOUND = "No encontrado."
# A real signature is "<timestamp>:<hash>", well under this; longer input is not even parsed.
MAX_SIGNATURE_LENGTH = 200


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SIGNING_SALT)


def max_age_seconds() -> int:
    return int(settings.ATTACHMENT_URL_MAX_AGE_SECONDS)


def attachment_signature(attachment_id: int, *, user_id: int) -> str:
    """The `sig` query value for one attachment and one holder: "<user id>:<timestamp>:<hmac>"
    (the attachment id is signed too, but travels in the path)."""
    return _signer().sign(f"{attachment_id}/{user_id}").split("/", 1)[1]


def signature_holder(*, attachment_id: int, signature) -> int | None:
    """The id of the user a signature was issued to, when it is authentic for this
    attachment and younger than ATTACHMENT_URL_MAX_AGE_SECONDS; else None."""
    if not isinstance(signature, str) or not signature or len(signature) > MAX_SIGNATURE_LENGTH:
        return None
    try:
        value = _signer().unsign(f"{attachment_id}/{signature}", max_age=max_age_seconds())
    except signing.BadSignature:  # SignatureExpired is a BadSignature too
        return None
    signed_attachment, _, user_id = value.partition("/")
    if signed_attachment != str(attachment_id) or not user_id.isdigit():
        return None
    return int(user_id)


def _holder_may_read(attachment: TicketAttachment, user_id: int) -> bool:
    """Is the holder still an active user who takes part in the attachment's ticket?"""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    return user is not None and is_participant(ticket=attachment.ticket, user=user)


def storage_presigns(storage) -> bool:
    """Does the storage itself hand out expiring URLs (S3 with query-string auth)?"""
    return bool(getattr(storage, "querystring_auth", False))


def attachment_url(attachment: TicketAttachment, *, request=None, user=None) -> str:
    """A URL `user` (by default the request's) can fetch the file with, for a limited time
    and as long as they may see the ticket."""
    storage = attachment.file.storage
    if storage_presigns(storage):
        return storage.url(attachment.file.name, expire=max_age_seconds())
    holder = user if user is not None else getattr(request, "user", None)
    if holder is None or not holder.is_authenticated:
        raise ValueError("A signed attachment link is issued to a signed-in user.")
    path = reverse("attachment-signed-download", kwargs={"attachment_id": attachment.pk})
    url = f"{path}?sig={attachment_signature(attachment.pk, user_id=holder.pk)}"
    return request.build_absolute_uri(url) if request is not None else url


class SignedAttachmentDownloadView(APIView):
    """Streams an attachment to whoever holds a valid, fresh link, while the user it was issued
    to is active and takes part in the ticket; anything else is the same 404."""

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
        user_id = signature_holder(attachment_id=attachment_id, signature=request.query_params.get("sig"))
        if user_id is None:
            raise NotFound(NOT_FOUND)
        attachment = TicketAttachment.objects.select_related("ticket").filter(pk=attachment_id).first()
        if attachment is None or not _holder_may_read(attachment, user_id):
            raise NotFound(NOT_FOUND)
        try:
            handle = attachment.file.open("rb")
        except OSError:
            raise NotFound(NOT_FOUND) from None
        response = FileResponse(handle, filename=attachment.download_name, content_type=attachment.mime_type)
        response["Cache-Control"] = "private, no-store"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
