"""A real HTTP server on loopback that plays both Google endpoints FCM HTTP v1 needs: the
OAuth2 token endpoint (the service account's signed JWT in, an access token out) and FCM's
`messages:send`. The service-account JSON the tests write points `token_uri` here; its RSA
key is generated in the test, and the fake checks the JWT's RS256 signature with it.

Sends answer as scripted (a queue first, then `mode`): "ok", "500", "503", "429:<seconds>",
"401", "hang" (and the token endpoint as `token_script` says: "hang", else a token); tokens
in `unregistered` get FCM's 404 UNREGISTERED, tokens in `invalid` its 400 INVALID_ARGUMENT
about `message.token`. `accepted` (per token) is what phones received; `requests` counts
every send whatever the answer."""

import base64
import functools
import json
import threading
from collections import Counter
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.notifications.expo_server import JsonHandler
from tests.processes import free_port

TOKEN_PATH = "/oauth2/token"
FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


@functools.cache
def _key() -> rsa.RSAPrivateKey:
    """The service account's RSA key, made once per test run (making one takes a moment)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class _Handler(JsonHandler):
    server: "_Server"

    def _error(self, status: int, google_status: str, message: str, details: list | None = None, headers=None):
        self._answer(
            status,
            {"error": {"code": status, "message": message, "status": google_status, "details": details or []}},
            headers,
        )

    def do_POST(self) -> None:
        fake = self.server.fake
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == TOKEN_PATH:
            self._token(fake, parse_qs(raw.decode()))
            return
        if self.path != f"/v1/projects/{fake.project_id}/messages:send":
            self._error(404, "NOT_FOUND", f"No such path {self.path}")
            return
        body = json.loads(raw or b"null")
        mode = fake.next_mode()
        with fake.lock:
            fake.requests += 1
            fake.bodies.append(body)
            fake.authorizations.append(self.headers.get("Authorization"))
        if self.headers.get("Authorization") != f"Bearer {fake.current_token}" or mode == "401":
            self._error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
            return
        token = body["message"]["token"]
        if mode == "hang":
            fake.release.wait(timeout=60)
            self.close_connection = True
            return
        if mode in ("500", "503"):
            self._error(int(mode), "INTERNAL" if mode == "500" else "UNAVAILABLE", "boom")
            return
        if mode.startswith("429"):
            retry_after = mode.partition(":")[2] or "1"
            details = [{"@type": FCM_ERROR, "errorCode": "QUOTA_EXCEEDED"}]
            self._error(429, "RESOURCE_EXHAUSTED", "Quota exceeded", details, {"Retry-After": retry_after})
            return
        if token in fake.unregistered:
            details = [{"@type": FCM_ERROR, "errorCode": "UNREGISTERED"}]
            self._error(404, "NOT_FOUND", "Requested entity was not found.", details)
            return
        if token in fake.invalid:
            details = [
                {"@type": FCM_ERROR, "errorCode": "INVALID_ARGUMENT"},
                {
                    "@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [{"field": "message.token", "description": "Invalid registration token"}],
                },
            ]
            self._error(
                400, "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token", details
            )
            return
        with fake.lock:
            fake.accepted[token] += 1
            fake.messages.append(body["message"])
            name = f"projects/{fake.project_id}/messages/0:{len(fake.messages)}%fake"
        self._answer(200, {"name": name})

    def _token(self, fake: "FakeFcm", form: dict[str, list[str]]) -> None:
        """Google's token endpoint for a service account: a JWT signed with its key."""
        with fake.lock:
            mode = fake.token_script.pop(0) if fake.token_script else "ok"
        if mode == "hang":
            fake.release.wait(timeout=60)
            self.close_connection = True
            return
        assertion = form.get("assertion", [""])[0]
        header, claims, signature = assertion.split(".")
        try:
            fake.public_key.verify(
                _b64decode(signature), f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except Exception:
            self._answer(400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
            return
        with fake.lock:
            fake.token_requests.append(
                {"grant_type": form.get("grant_type", [""])[0], "claims": json.loads(_b64decode(claims))}
            )
            fake.current_token = f"ya29.fake-{len(fake.token_requests)}"
        self._answer(200, {"access_token": fake.current_token, "expires_in": 3599, "token_type": "Bearer"})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: "FakeFcm"


class FakeFcm:
    def __init__(self, project_id: str = "tickethelp-test") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token_uri = self.url + TOKEN_PATH
        self.project_id = project_id
        self.lock = threading.Lock()
        self.script: list[str] = []
        self.mode = "ok"
        self.unregistered: set[str] = set()
        self.invalid: set[str] = set()
        self.release = threading.Event()
        self.accepted: Counter[str] = Counter()
        self.messages: list[dict] = []
        self.bodies: list[dict] = []
        self.authorizations: list[str | None] = []
        self.requests = 0
        self.token_requests: list[dict] = []  # access tokens issued
        self.token_script: list[str] = []  # "hang": the token endpoint's next answer
        self.current_token = ""
        self.private_key = _key()
        self.public_key = self.private_key.public_key()
        self._server = _Server(("127.0.0.1", self.port), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def next_mode(self) -> str:
        with self.lock:
            if self.script:
                return self.script.pop(0)
        return self.mode

    def service_account(self) -> dict:
        """A service-account key as Google issues it, pointing at this fake."""
        pem = self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        return {
            "type": "service_account",
            "project_id": self.project_id,
            "private_key_id": "fake-key-1",
            "private_key": pem,
            "client_email": f"push@{self.project_id}.iam.gserviceaccount.com",
            "client_id": "1234567890",
            "token_uri": self.token_uri,
        }

    def stop(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
