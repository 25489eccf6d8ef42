"""Issue 17 (security round two), findings 2, 4 and 9, through a real gunicorn started with
gunicorn.conf.py (2 workers x 4 threads) and production settings on the test database.

2. The per-e-mail login counter cannot be evicted by junk logins, and concurrent attempts
   for one e-mail are counted exactly (tickethelp.throttle_store).
4. Clients that stall mid-request do not hold the worker threads (tickethelp.gunicorn_worker).
9. No control socket at the per-user path every instance on the host would share.
"""

import contextlib
import http.client
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings

from tests.factories import TEST_PASSWORD, TicketFactory, UserFactory
from tests.media_files import mp4_head_of_size
from tests.processes import free_port, gunicorn_serving, production_env
from tickethelp.models import ThrottleCounter
from tickethelp.uploads import MAX_UPLOAD_SIZE
from users.models import Role
from users.tokens import issue_tokens

# Its SHA-256 starts with 000: its counter sorts first among the per-e-mail keys, the first
# a key-ordered cull (Django's database cache) would have dropped.
VICTIM_EMAIL = "victim964@example.com"


@contextlib.contextmanager
def gunicorn(tmp_path: Path, *args: str, **env: str):
    """gunicorn.conf.py's server (2 workers, 4 threads unless args say otherwise) on the test
    database: its port and process."""
    port = free_port()
    home = tmp_path / "home"
    home.mkdir()
    child_env = production_env(DB_CONN_MAX_AGE="0", LOG_FORMAT="plain", HOME=str(home), **env)
    child_env.pop("XDG_RUNTIME_DIR", None)
    command = ("--workers", "2", "--threads", "4", *args)
    with gunicorn_serving(port, *command, env=child_env, stdout=tmp_path / "gunicorn.log", seconds=60) as process:
        yield SimpleNamespace(port=port, process=process)


def _request(port: int, method: str, path: str, body: bytes | None = None, headers=None, timeout=60):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=body,
        headers={"Connection": "close", **(headers or {})},
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback only
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


WRONG_PASSWORD = "not-the-password"


def _login(port: int, email: str, password: str = WRONG_PASSWORD, client_ip: str = "203.0.113.1"):
    # NUM_PROXIES=1: the last X-Forwarded-For address is the client's, as behind the platform's proxy
    status, headers, _ = _request(
        port,
        "POST",
        "/api/users/auth/login/",
        json.dumps({"email": email, "password": password}).encode(),
        {"Content-Type": "application/json", "X-Forwarded-For": client_ip},
    )
    return status, headers


def _victim_counter() -> ThrottleCounter:
    return next(
        counter
        for counter in ThrottleCounter.objects.filter(scope="login_email")
        if counter.key.endswith("_00060ddd11e76f8074a425c169bc42d7f77c804284156c99fa103d783256a6fe")
    )


# --- Finding 2: the per-e-mail login limit --------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_junk_logins_from_a_throttled_address_do_not_wipe_the_victims_counter(tmp_path):
    # given a victim whose e-mail got five wrong passwords (the limit) from one address
    UserFactory(email=VICTIM_EMAIL)
    with gunicorn(tmp_path, NUM_PROXIES="1", LOGIN_RATE_PER_EMAIL="5/hour", LOGIN_RATE_PER_IP="5/hour") as server:
        port = server.port
        guesses = [_login(port, VICTIM_EMAIL, client_ip="203.0.113.1")[0] for _ in range(5)]

        # when another address sends 325 logins for as many e-mails: 5 within its limit,
        # then 320 refused
        junk = [_login(port, f"junk{n}@example.com", client_ip="203.0.113.2")[0] for n in range(325)]

        # then the victim's right password, from a third address, is still refused (evaluated, it
        # would be a 401: the factory's test-speed hash is not one production settings accept)
        right_status, right_headers = _login(port, VICTIM_EMAIL, TEST_PASSWORD, client_ip="203.0.113.3")

    assert guesses == [401] * 5
    assert junk == [401] * 5 + [429] * 320
    assert right_status == 429
    assert 3500 < int(right_headers["Retry-After"]) <= 3601
    # and the counter is where it was; the refused junk left no per-e-mail counters behind
    assert _victim_counter().count == 5
    assert ThrottleCounter.objects.filter(scope="login_email").count() == 1 + 5
    assert ThrottleCounter.objects.filter(scope="login_ip").count() == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_attempts_for_one_email_are_counted_exactly(tmp_path):
    # given gunicorn's 8 threads and 16 attempts for one e-mail, each from its own address
    UserFactory(email=VICTIM_EMAIL)
    attempts = 16
    statuses: list[int] = []
    barrier = threading.Barrier(attempts)

    def attempt(n: int) -> None:
        barrier.wait()
        statuses.append(_login(port, VICTIM_EMAIL, client_ip=f"198.51.100.{n}")[0])

    with gunicorn(tmp_path, NUM_PROXIES="1", LOGIN_RATE_PER_EMAIL="5/hour", LOGIN_RATE_PER_IP="5/hour") as server:
        port = server.port
        # when they all arrive at once
        threads = [threading.Thread(target=attempt, args=(n,)) for n in range(attempts)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    # then exactly the limit was evaluated, the rest refused
    assert sorted(statuses) == [401] * 5 + [429] * 11
    assert _victim_counter().count == 5


# --- Finding 4: stalled clients -------------------------------------------------------------


def _stalled_socket(port: int, head_only: bool = False) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port))
    if head_only:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    else:
        sock.sendall(
            b"POST /api/users/auth/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100000\r\n\r\n{"email":'
        )
    return sock


def _upload(port: int, token: str, ticket_id: int, content: bytes) -> tuple[int, dict]:
    boundary = "round-two-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="grande.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(
            "POST",
            f"/api/tickets/{ticket_id}/attachments/",
            body=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "Authorization": f"Bearer {token}"},
        )
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def _expect_continue(port: int) -> tuple[bytes, bytes]:
    body = json.dumps({"email": "nadie@example.com", "password": WRONG_PASSWORD}).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(
            b"POST /api/users/auth/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Expect: 100-continue\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(body)
        )
        interim = sock.recv(100)
        sock.sendall(body)
        return interim, sock.recv(100)


def _pipelined(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(
            b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


@pytest.mark.django_db(transaction=True)
def test_stalled_request_bodies_and_heads_do_not_starve_the_server(tmp_path):
    # given an ADMIN's ticket, and gunicorn as configured, with a 3 s stall timeout
    admin = UserFactory(role=Role.ADMIN)
    ticket = TicketFactory()
    token = issue_tokens(admin).access_token
    with gunicorn(
        tmp_path, GUNICORN_BODY_TIMEOUT="3", SECRET_KEY=settings.SECRET_KEY, MEDIA_ROOT=str(tmp_path / "media")
    ) as server:
        port = server.port
        # when 64 sockets announce a 100000-byte body, send 9 bytes and wait, and 16 more
        # send half a request head
        stalled = [_stalled_socket(port) for _ in range(64)]
        stalled += [_stalled_socket(port, head_only=True) for _ in range(16)]
        try:
            time.sleep(0.5)
            started = time.monotonic()
            health = [_request(port, "GET", "/healthz", timeout=5)[0] for _ in range(9)]
            health_seconds = time.monotonic() - started
            # and a 20 MB upload comes in meanwhile
            head = mp4_head_of_size(MAX_UPLOAD_SIZE)
            upload_status, upload = _upload(port, token, ticket.pk, head + b"\x00" * (MAX_UPLOAD_SIZE - len(head)))

            # and requests read ahead still follow HTTP/1.1: Expect: 100-continue, pipelining
            continued = _expect_continue(port)
            pipelined = _pipelined(port)

            # then the health check answers every time, at once
            assert health == [200] * 9
            assert health_seconds < 5
            # and the upload is stored whole
            assert upload_status == 201
            assert upload["attachment"]["size"] == MAX_UPLOAD_SIZE

            assert continued[0] == b"HTTP/1.1 100 Continue\r\n\r\n"
            assert continued[1].startswith(b"HTTP/1.1 401 ")
            assert pipelined.count(b"HTTP/1.1 200 OK") == 2

            # and the stalled clients are answered 408 and disconnected after the timeout
            for sock in stalled:
                sock.settimeout(15)
            answers = [sock.recv(100) for sock in stalled]
            stalled_seconds = time.monotonic() - started
        finally:
            for sock in stalled:
                sock.close()
        # and the control socket was not created at the per-user default (finding 9)
        assert not (tmp_path / "home" / ".gunicorn").exists()

    assert {answer.split(b"\r\n")[0] for answer in answers} == {b"HTTP/1.1 408 Request Timeout"}
    assert stalled_seconds < 15


@pytest.mark.django_db(transaction=True)
def test_a_request_read_ahead_is_served_while_the_worker_stops(tmp_path):
    # given a client connected to gunicorn's one worker
    with (
        gunicorn(tmp_path, "--workers", "1") as server,
        socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock,
    ):
        time.sleep(0.5)
        # when gunicorn is asked to stop (graceful: its workers serve what they hold)
        server.process.terminate()
        time.sleep(0.5)
        # and only then the client sends its request head, and later its body
        body = json.dumps({"email": "nadie@example.com", "password": WRONG_PASSWORD}).encode()
        sock.sendall(
            b"POST /api/users/auth/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)
        )
        time.sleep(0.5)
        sock.sendall(body)
        answer = sock.recv(100)

    # then it is answered, not dropped
    assert answer.startswith(b"HTTP/1.1 401 ")
