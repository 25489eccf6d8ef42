"""Idempotent retries of creates: the `Idempotency-Key` request header.

A client that lost the answer to a create (a phone between cells) sends it again with the
same key: within IDEMPOTENCY_TTL the first answer comes back (same status and body, plus
`Idempotent-Replayed: true`) and nothing new is created. The same key with another body is
a 422 naming the header. Keys are per user: another user's key never replays this one's
answer.

How: the key's row (tickethelp.models.IdempotencyKey) is inserted first, in the same
transaction as the create, and filled with the answer before the commit. A concurrent
duplicate's insert waits on the unique (user, key) index until the first commits, then
fails and replays the committed answer; if the first failed (any answer outside 2xx, or an
exception) its transaction rolls back, the row with it, and the duplicate runs as a new
request: failed requests are never stored, so a retry may succeed.

The body's fingerprint is a sha256 over the method, the path (without trailing slash) and
the canonical body: JSON with sorted keys; multipart fields sorted, each file by the sha256
of its bytes and its name.
"""

import functools
import hashlib
import json
import re
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from tickethelp.exceptions import DomainError, is_tenant_path
from tickethelp.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
IDEMPOTENCY_TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255
# Visible ASCII and inner spaces (a UUID, a ULID, any client's random string).
_VALID_KEY = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")

PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Optional, 1 to 255 printable ASCII characters, unique per create (a UUID). A retry with the "
    "same key and body within 24 h answers the first (successful) result again, with the header "
    "`Idempotent-Replayed: true`, and creates nothing; the same key with another body is a 422.",
)

MESSAGES = {
    "en": {
        "invalid": "The Idempotency-Key header must be 1 to 255 printable ASCII characters.",
        "mismatch": "This Idempotency-Key was already used with a different request body.",
        "summary": "The given data was invalid.",
    },
    "es": {
        "invalid": "La cabecera Idempotency-Key debe tener de 1 a 255 caracteres ASCII imprimibles.",
        "mismatch": "Esta Idempotency-Key ya se usó con otro cuerpo de solicitud.",
        "summary": "La cabecera Idempotency-Key no es válida.",
    },
}


def _messages(request) -> dict[str, str]:
    return MESSAGES["en" if is_tenant_path(request.path) else "es"]


def _refusal(request, kind: str, status_code: int) -> DomainError:
    """A DomainError naming the header: 422 `{message, errors}` on the tenant API, the staff
    API's `{detail, code, "Idempotency-Key": [...]}` with `status_code` there."""
    words = _messages(request)
    return DomainError(
        words["summary"],
        code=f"idempotency_key_{kind}",
        status_code=status_code,
        field_errors={HEADER: [words[kind]]},
    )


def _canonical_value(value):
    if hasattr(value, "chunks"):  # an uploaded file: its bytes count, not its object
        digest = hashlib.sha256()
        value.seek(0)
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file": digest.hexdigest(), "name": getattr(value, "name", "")}
    return value


def request_fingerprint(request) -> str:
    """sha256 of the method, the path (trailing slash ignored) and the canonical body."""
    data = request.data
    if hasattr(data, "getlist"):  # multipart / form: every value of every field, files by digest
        body = {name: [_canonical_value(value) for value in data.getlist(name)] for name in sorted(data.keys())}
    else:
        body = data
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    digest = hashlib.sha256()
    digest.update(f"{request.method}\n{request.path.rstrip('/')}\n".encode())
    digest.update(canonical.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


class _KeyTaken(Exception):
    pass


class _NotStored(Exception):
    def __init__(self, response):
        super().__init__()
        self.response = response


def _replay(request, row: IdempotencyKey, fingerprint: str) -> Response:
    if row.fingerprint != fingerprint:
        raise _refusal(request, "mismatch", 422)
    return Response(row.response, status=row.status_code, headers={REPLAYED_HEADER: "true"})


def _live_row(user, key: str) -> IdempotencyKey | None:
    cutoff = timezone.now() - IDEMPOTENCY_TTL
    return IdempotencyKey.objects.filter(user=user, key=key, created_at__gte=cutoff).first()


def run_idempotent(request, key: str, create):
    """`create()` once per (user, key, body) within the TTL; see the module docstring."""
    if len(key) > MAX_KEY_LENGTH or not _VALID_KEY.fullmatch(key):
        raise _refusal(request, "invalid", 400)
    user = request.user
    fingerprint = request_fingerprint(request)
    cutoff = timezone.now() - IDEMPOTENCY_TTL
    for _attempt in range(2):
        row = IdempotencyKey.objects.filter(user=user, key=key).first()
        if row is not None:
            if row.created_at >= cutoff:
                return _replay(request, row, fingerprint)
            # Expired: the key may be used afresh (purged on write).
            IdempotencyKey.objects.filter(pk=row.pk, created_at__lt=cutoff).delete()
        try:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        row = IdempotencyKey.objects.create(
                            user=user, key=key, fingerprint=fingerprint, status_code=0, response=None
                        )
                except IntegrityError:
                    raise _KeyTaken from None
                response = create()
                if not 200 <= response.status_code < 300:
                    raise _NotStored(response)
                row.status_code = response.status_code
                row.response = response.data
                row.save(update_fields=["status_code", "response"])
                return response
        except _NotStored as refused:
            return refused.response
        except _KeyTaken:
            # A concurrent request with this key committed first: its answer, if still live.
            row = _live_row(user, key)
            if row is not None:
                return _replay(request, row, fingerprint)
    # Taken twice by rows that expired in between: practically unreachable.
    raise _refusal(request, "mismatch", 422)


def idempotent(method):
    """Decorate a create's `post(self, request, ...)`: honour an `Idempotency-Key` header."""

    @functools.wraps(method)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return method(self, request, *args, **kwargs)
        return run_idempotent(request, key, lambda: method(self, request, *args, **kwargs))

    return wrapper


def purge_expired(*, now=None) -> int:
    """Delete the rows older than IDEMPOTENCY_TTL; the number deleted."""
    cutoff = (now or timezone.now()) - IDEMPOTENCY_TTL
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
