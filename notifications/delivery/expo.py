"""A small client of Expo's push service (https://docs.expo.dev/push-notifications/sending-notifications/).

Plain HTTP with `requests` rather than `exponent-server-sdk`: the worker needs what the SDK
hides or decides for us — the raw status code and `Retry-After` of a 429/5xx (our back-off,
not the SDK's), a timeout per request, the per-message tickets as Expo returns them, and
base URLs from settings (the tests point them at a fake server on loopback). That is two
POSTs and their error cases; `requests` is already installed and pinned.
"""

from email.utils import parsedate_to_datetime

import requests
from django.conf import settings
from django.utils import timezone

# Expo's documented limits: 100 messages per send, 1000 ids per receipts request.
SEND_BATCH = 100
RECEIPTS_BATCH = 1000


class PushServiceUnavailable(Exception):
    """The push service could not take the request now (5xx, 429, timeout, connection
    error): the whole batch is retried later. `retry_after` is Expo's hint, in seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PushRequestRejected(Exception):
    """The push service refused the request itself (a 4xx other than 429, e.g. bad
    credentials): retrying the same request cannot succeed."""


_session: requests.Session | None = None


def http_session() -> requests.Session:
    """The worker's one HTTP session (kept-alive connections), shared with the FCM client."""
    global _session
    if _session is None:
        _session = requests.Session()
    return _session


def retry_after_seconds(response: requests.Response) -> float | None:
    """A 429/503's `Retry-After` (seconds or an HTTP date) in seconds; None without one."""
    raw = response.headers.get("Retry-After", "").strip()
    if not raw:
        return None
    if raw.isdigit():
        return float(raw)
    try:
        return max((parsedate_to_datetime(raw) - timezone.now()).total_seconds(), 0.0)
    except (TypeError, ValueError):
        return None


def _post(url: str, payload) -> dict:
    headers = {"Accept": "application/json", "Accept-Encoding": "gzip, deflate", "Content-Type": "application/json"}
    if settings.EXPO_ACCESS_TOKEN:
        headers["Authorization"] = f"Bearer {settings.EXPO_ACCESS_TOKEN}"
    try:
        response = http_session().post(url, json=payload, headers=headers, timeout=settings.PUSH_TIMEOUT_SECONDS)
    except requests.Timeout as exc:
        raise PushServiceUnavailable(f"Timeout: no answer within {settings.PUSH_TIMEOUT_SECONDS} s") from exc
    except requests.RequestException as exc:
        raise PushServiceUnavailable(f"{type(exc).__name__}: {exc}"[:500]) from exc
    if response.status_code == 429 or response.status_code >= 500:
        raise PushServiceUnavailable(
            f"HTTP {response.status_code}: {response.text[:300]}", retry_after=retry_after_seconds(response)
        )
    try:
        body = response.json()
    except ValueError as exc:
        if response.status_code >= 400:
            raise PushRequestRejected(f"HTTP {response.status_code}: {response.text[:300]}") from exc
        raise PushServiceUnavailable(f"HTTP {response.status_code}: not JSON: {response.text[:300]}") from exc
    if response.status_code >= 400 or "data" not in body:
        errors = body.get("errors") if isinstance(body, dict) else None
        raise PushRequestRejected(f"HTTP {response.status_code}: {errors or response.text[:300]}")
    return body


def send_messages(messages: list[dict]) -> list[dict]:
    """Send up to SEND_BATCH messages; returns Expo's ticket for each, in order
    (`{"status": "ok", "id": ...}` or `{"status": "error", "message": ..., "details": {"error": ...}}`)."""
    if len(messages) > SEND_BATCH:
        raise ValueError(f"Expo takes at most {SEND_BATCH} messages per request.")
    tickets = _post(settings.EXPO_PUSH_URL, messages)["data"]
    if not isinstance(tickets, list) or len(tickets) != len(messages):
        raise PushServiceUnavailable(f"Expo answered {len(tickets) if isinstance(tickets, list) else '?'} tickets")
    return tickets


def get_receipts(receipt_ids: list[str]) -> dict[str, dict]:
    """Expo's receipts for up to RECEIPTS_BATCH ticket ids; ids not ready yet are absent."""
    if len(receipt_ids) > RECEIPTS_BATCH:
        raise ValueError(f"Expo takes at most {RECEIPTS_BATCH} receipt ids per request.")
    receipts = _post(settings.EXPO_RECEIPTS_URL, {"ids": receipt_ids})["data"]
    return receipts if isinstance(receipts, dict) else {}


def error_code(answer: dict) -> str:
    """Expo's machine-readable error of a ticket or receipt (e.g. DeviceNotRegistered)."""
    details = answer.get("details")
    return (details or {}).get("error", "") if isinstance(details, dict) else ""
