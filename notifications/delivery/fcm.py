"""A small client of FCM HTTP v1 (https://firebase.google.com/docs/cloud-messaging/send/v1-api)
for `fcm` push tokens: one POST per message, authorised by an OAuth2 access token of a
Google service account.

`google-auth` makes the access token (it signs the service account's JWT with RS256 through
`cryptography`, exchanges it at the JSON's `token_uri` and refreshes it shortly before it
expires): that is the part worth a well-kept library. The send itself is plain `requests`,
like the Expo client, for the same reasons — the raw status, `Retry-After`, our timeout and
back-off, and a base URL from settings (the tests point it and `token_uri` at a fake).
"""

import json
import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import requests
from django.conf import settings

from notifications.delivery.expo import PushServiceUnavailable, http_session, retry_after_seconds

if TYPE_CHECKING:
    from google.oauth2.service_account import Credentials

# google-auth (and cryptography under it) is imported when FCM is first used: ~90 ms and
# some memory that the web processes, which import this module too, never need.

logger = logging.getLogger(__name__)

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
# FCM's error codes meaning the token will never receive anything again.
UNREGISTERED = "UNREGISTERED"
INVALID_ARGUMENT = "INVALID_ARGUMENT"


class CredentialsRejected(Exception):
    """Our credentials are unusable (the key file missing or malformed, no project id) or
    refused (401/403 on the send, no access token from the token endpoint): not the token's
    fault; the push is retried later."""


class TokenGone(Exception):
    """FCM says this registration token is dead or invalid: the token is retired."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


class MessageRejected(Exception):
    """FCM refused this message for a reason retrying cannot fix (a 4xx about the payload)."""


def _token_transport():
    """google-auth's transport on our session, with our timeout (its default is 120 s: a
    hanging token endpoint would outlast the batch's claim)."""
    from google.auth.transport.requests import Request

    google_request = Request(session=http_session())

    def request(*args, timeout=None, **kwargs):
        return google_request(*args, timeout=timeout or settings.PUSH_TIMEOUT_SECONDS, **kwargs)

    return request


@dataclass
class _Account:
    credentials: "Credentials"
    project_id: str


_accounts: dict[str, _Account] = {}
_lock = threading.Lock()


def configured() -> bool:
    return bool(settings.FCM_CREDENTIALS_FILE)


def _account() -> _Account:
    """The service account of FCM_CREDENTIALS_FILE, loaded once per file (its access token
    lives in the credentials object and is refreshed only when near expiry)."""
    from google.oauth2 import service_account

    path = settings.FCM_CREDENTIALS_FILE
    with _lock:
        account = _accounts.get(path)
        if account is None:
            try:
                with open(path, encoding="utf-8") as handle:
                    info = json.load(handle)
                credentials = service_account.Credentials.from_service_account_info(info, scopes=[SCOPE])
            except (OSError, ValueError, KeyError, AttributeError) as exc:  # MalformedError is a ValueError
                raise CredentialsRejected(f"FCM_CREDENTIALS_FILE {path}: {exc}"[:500]) from exc
            project_id = settings.FCM_PROJECT_ID or info.get("project_id", "")
            if not project_id:
                raise CredentialsRejected("FCM: set FCM_PROJECT_ID or a project_id in FCM_CREDENTIALS_FILE")
            account = _accounts[path] = _Account(credentials, project_id)
        return account


def _access_token(account: _Account) -> str:
    from google.auth import exceptions as google_exceptions

    with _lock:
        credentials = account.credentials
        if not credentials.valid:
            try:
                credentials.refresh(_token_transport())
            except google_exceptions.TransportError as exc:
                raise PushServiceUnavailable(f"FCM OAuth: {exc}"[:500]) from exc
            except google_exceptions.RefreshError as exc:
                retryable = getattr(exc, "retryable", False)
                if retryable:
                    raise PushServiceUnavailable(f"FCM OAuth: {exc}"[:500]) from exc
                raise CredentialsRejected(f"FCM OAuth: {exc}"[:500]) from exc
        return credentials.token


def _forget_token(account: _Account) -> None:
    """After a 401 the cached access token is not trusted: the next send gets a new one."""
    with _lock:
        account.credentials.token = None


def _error(response: requests.Response) -> tuple[str, str, list[dict]]:
    """(status, message, details) of a Google API error body; empty when not one."""
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        return "", response.text[:300], []
    if not isinstance(error, dict):
        return "", str(error)[:300], []
    details = error.get("details")
    details = details if isinstance(details, list) else []
    return str(error.get("status", "")), str(error.get("message", ""))[:300], details


def _fcm_code(details: list[dict]) -> str:
    for detail in details:
        if isinstance(detail, dict) and detail.get("errorCode"):
            return str(detail["errorCode"])
    return ""


def _about_the_token(message: str, details: list[dict]) -> bool:
    for detail in details:
        for violation in (detail.get("fieldViolations") or []) if isinstance(detail, dict) else []:
            if isinstance(violation, dict) and violation.get("field") == "message.token":
                return True
    return "registration token" in message.lower()


def send_message(message: dict) -> str:
    """Send one message (`{"token", "notification", "data"}`); returns FCM's message name.
    Raises PushServiceUnavailable (retry later, Retry-After kept), CredentialsRejected,
    TokenGone or MessageRejected."""
    account = _account()
    token = _access_token(account)
    url = f"{settings.FCM_BASE_URL.rstrip('/')}/v1/projects/{account.project_id}/messages:send"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json; UTF-8"}
    try:
        response = http_session().post(
            url, json={"message": message}, headers=headers, timeout=settings.PUSH_TIMEOUT_SECONDS
        )
    except requests.Timeout as exc:
        raise PushServiceUnavailable(f"FCM timeout: no answer within {settings.PUSH_TIMEOUT_SECONDS} s") from exc
    except requests.RequestException as exc:
        raise PushServiceUnavailable(f"FCM {type(exc).__name__}: {exc}"[:500]) from exc
    status = response.status_code
    if status == 200:
        try:
            return str(response.json().get("name", ""))
        except (ValueError, AttributeError):
            return ""
    google_status, text, details = _error(response)
    code = _fcm_code(details) or google_status
    error = f"FCM HTTP {status} {code}: {text}".strip()
    if status == 429 or status >= 500:
        raise PushServiceUnavailable(error, retry_after=retry_after_seconds(response))
    if status in (401, 403):
        if status == 401:
            _forget_token(account)
        raise CredentialsRejected(error)
    # Only FCM's own code retires a token: a bare 404 may be a wrong project id (ours).
    if code == UNREGISTERED:
        raise TokenGone(error, code=UNREGISTERED)
    if status == 400 and code == INVALID_ARGUMENT and _about_the_token(text, details):
        raise TokenGone(error, code=INVALID_ARGUMENT)
    raise MessageRejected(error)
