"""A real HTTP server on loopback that plays Expo's push API (send + getReceipts), for the
push tests: it accepts (one ticket per message), rejects single messages with
DeviceNotRegistered, answers 500 / 429 (with Retry-After) or hangs without answering.

What it was sent is recorded: `accepted` (messages answered with an "ok" ticket, per token)
is what a phone would have received; `requests` counts every send request whatever the
answer, and `sizes` the number of messages in each."""

import json
import threading
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.processes import free_port

SEND_PATH = "/--/api/v2/push/send"
RECEIPTS_PATH = "/--/api/v2/push/getReceipts"


class JsonHandler(BaseHTTPRequestHandler):
    """What the fake push services (this one, fcm_server) share: quiet, JSON answers."""

    def log_message(self, *args) -> None:  # quiet
        pass

    def _answer(self, status: int, body: dict, headers: dict | None = None) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


class _Handler(JsonHandler):
    server: "_Server"

    def do_POST(self) -> None:
        fake = self.server.fake
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"null")
        fake.authorizations.append(self.headers.get("Authorization"))
        if self.path == RECEIPTS_PATH:
            self._answer(200, {"data": fake.receipts_for(body["ids"])})
            return
        if self.path != SEND_PATH:
            self._answer(404, {"errors": [{"code": "NOT_FOUND"}]})
            return
        mode = fake.next_mode()
        with fake.lock:
            fake.requests += 1
            fake.sizes.append(len(body))
            fake.bodies.append(body)
            fake.modes.append(mode)
        if mode == "hang":
            fake.hanging.append([message["to"] for message in body])
            fake.release.wait(timeout=60)
            self.close_connection = True
            return
        if mode == "500":
            self._answer(500, {"errors": [{"code": "INTERNAL_SERVER_ERROR", "message": "boom"}]})
            return
        if mode == "503":
            self._answer(503, {"errors": [{"code": "UNAVAILABLE", "message": "down"}]})
            return
        if mode.startswith("429"):
            retry_after = mode.partition(":")[2] or "1"
            self._answer(429, {"errors": [{"code": "TOO_MANY_REQUESTS"}]}, {"Retry-After": retry_after})
            return
        self._answer(200, {"data": [fake.ticket_for(message) for message in body]})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: "FakeExpo"


class FakeExpo:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.lock = threading.Lock()
        # The answer to each send request: a scripted queue first, then `mode` (or
        # `mode_now()` when set, e.g. "down" until a simulated clock passes a moment).
        self.script: list[str] = []
        self.mode = "ok"
        self.mode_now: Callable[[], str] | None = None
        self.dead_tokens: set[str] = set()  # rejected per message at send time
        self.dead_at_receipt: set[str] = set()  # accepted, then DeviceNotRegistered in the receipt
        self.release = threading.Event()  # lets hanging requests go (without an answer)
        self.accepted: Counter[str] = Counter()
        self.messages: list[dict] = []
        self.hanging: list[list[str]] = []
        self.requests = 0
        self.sizes: list[int] = []
        self.bodies: list[list[dict]] = []  # every send request's messages, whatever the answer
        self.modes: list[str] = []
        self.authorizations: list[str | None] = []
        self._tickets: dict[str, str] = {}
        self._server = _Server(("127.0.0.1", self.port), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def next_mode(self) -> str:
        with self.lock:
            if self.script:
                return self.script.pop(0)
        return self.mode_now() if self.mode_now is not None else self.mode

    def ticket_for(self, message: dict) -> dict:
        token = message["to"]
        if token in self.dead_tokens:
            return {
                "status": "error",
                "message": f'"{token}" is not a registered push notification recipient',
                "details": {"error": "DeviceNotRegistered"},
            }
        with self.lock:
            ticket_id = f"receipt-{len(self._tickets) + 1}"
            self._tickets[ticket_id] = token
            self.accepted[token] += 1
            self.messages.append(message)
        return {"status": "ok", "id": ticket_id}

    def receipts_for(self, ids: list[str]) -> dict:
        receipts = {}
        for ticket_id in ids:
            token = self._tickets.get(ticket_id)
            if token is None:
                continue
            if token in self.dead_at_receipt:
                receipts[ticket_id] = {
                    "status": "error",
                    "message": "The device cannot receive push notifications anymore",
                    "details": {"error": "DeviceNotRegistered"},
                }
            else:
                receipts[ticket_id] = {"status": "ok"}
        return receipts

    def stop(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


def expo_settings(settings, fake: FakeExpo) -> None:
    settings.EXPO_PUSH_URL = fake.url + SEND_PATH
    settings.EXPO_RECEIPTS_URL = fake.url + RECEIPTS_PATH
