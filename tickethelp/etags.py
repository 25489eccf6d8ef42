"""`ETag` / `If-None-Match` for the GETs the residents' app polls: a 304 without a body when
nothing the answer shows has changed.

The ETag is weak (`W/"..."`) and computed from the rendered body itself, so it changes
exactly when the answer does; no validator query could promise that for answers that show
rows of several tables (a technician's phone, a device's name, a message). The 304 runs the
answer's own queries and nothing more (it is the same request, minus the body on the wire).
If-None-Match (a list of tags or `*`, weak comparison) and If-Match are evaluated by
Django's `django.utils.cache.get_conditional_response` (RFC 9110 §13.2.2).

Signed attachment URLs carry a timestamp and would change the body every second: the
hash leaves URL query strings out and takes instead the half-lifetime window the answer was
made in, so a cached answer is replaced while its links still have at least half their
ATTACHMENT_URL_MAX_AGE_SECONDS to live.
"""

import hashlib
import re
import time

from django.conf import settings
from django.utils.cache import get_conditional_response
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.response import Response

# The query string of a signed URL inside a JSON string (ours: `sig=`; S3's presigned:
# `X-Amz-Signature=` or `Signature=`), up to the string's closing quote.
_SIGNED_QUERY = re.compile(rb'\?(?=[^"\s]*(?:\bsig=|Signature=))[^"\s]*')

IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description="The `ETag` of an earlier answer (or several, comma-separated, or `*`): 304 without a body "
    "when the answer is still the same.",
)
NOT_MODIFIED = {304: OpenApiResponse(description="Not modified: the `ETag` sent in If-None-Match is current.")}


def _url_window() -> int:
    half_life = max(int(getattr(settings, "ATTACHMENT_URL_MAX_AGE_SECONDS", 3600)) // 2, 1)
    return int(time.time()) // half_life


def body_etag(content: bytes, *, media_type: str = "") -> str:
    """A weak ETag for a rendered body (see the module docstring for URL query strings)."""
    stable, signed_urls = _SIGNED_QUERY.subn(b"", content)
    digest = hashlib.sha256()
    digest.update(media_type.encode())
    digest.update(b"\n")
    if signed_urls:
        digest.update(f"urls:{_url_window()}\n".encode())
    digest.update(stable)
    return f'W/"{digest.hexdigest()[:40]}"'


class ConditionalGetMixin:
    """For an APIView: its successful GET answers carry a weak ETag, and a matching
    If-None-Match turns them into a 304 (headers kept: ETag, Cache-Control, Vary)."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200 or not isinstance(response, Response):
            return response
        response.render()  # once: the body that is hashed is the body that is sent
        etag = body_etag(response.content, media_type=response.get("Content-Type", ""))
        response["ETag"] = etag
        if "Cache-Control" not in response:
            # Per user, and to be revalidated before each use.
            response["Cache-Control"] = "private, no-cache"
        return get_conditional_response(request, etag=etag, response=response)
