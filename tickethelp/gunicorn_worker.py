"""gunicorn's threaded worker, with no thread handed to a client that is still sending.

The stock gthread worker gives a connection to a pool thread as soon as its first bytes
arrive; the thread then reads the rest of the request head and, inside the application,
the body, with blocking reads that never time out. A client that announces
`Content-Length: 100000`, sends 9 bytes and waits holds that thread for good: 8 such
sockets stall a 2 x 4 instance (issue 17, finding 4).

Here the worker's own event loop (one selector, no thread) reads a request until it is
complete: the head up to its blank line, then a body of known length, kept in memory up to
1 MiB and in a temporary file past that. Only then does a pool thread parse and serve it,
with every byte already at hand. A client that sends nothing for `body_timeout` seconds
is answered 408 and disconnected, having cost a socket and a selector entry, never a
thread. What cannot be read ahead (a chunked body, a body above `max_buffered_body`, HTTPS
or HTTP/2 terminated by gunicorn itself) is still read in the thread, but every read there
waits at most `body_timeout` seconds for data.

Connections are also spread over the workers (`Siblings`, below): the workers of an instance
share one listening socket, and whichever wakes first accepts, so a client that opens a few
kept-alive connections at once often found them all on one worker, with the other idle and
half the throughput gone (bench/RESULTS.md, round five).
"""

import contextlib
import ctypes
import errno
import multiprocessing
import os
import selectors
import tempfile
import time
from functools import partial

from gunicorn.http.body import Body, LengthReader
from gunicorn.http.unreader import SocketUnreader, Unreader
from gunicorn.workers import gthread

HEAD_END = b"\r\n\r\n"
READ_SIZE = 256 * 1024
SPOOL_IN_MEMORY = 1024 * 1024
TIMEOUT_RESPONSE = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"

# What the thread tells the event loop: "this request's body is still on its way".
_AWAIT_BODY = object()


class ClientStalled(TimeoutError):
    """A client sent nothing for `body_timeout` seconds in the middle of a request (raised
    with ECONNRESET, so that gthread closes the connection without logging a stack trace)."""


class _IdleTimeoutSocketUnreader(SocketUnreader):
    """The parser's socket reads, each waiting at most `timeout` seconds for data."""

    def __init__(self, sock, timeout: float):
        super().__init__(sock)
        self.timeout = timeout

    def chunk(self, size_hint=None):
        with selectors.DefaultSelector() as selector:
            selector.register(self.sock, selectors.EVENT_READ)
            if not selector.select(self.timeout):
                raise ClientStalled(errno.ECONNRESET, "client stalled")
        return super().chunk(size_hint)


class _FileUnreader(Unreader):
    """A body that arrived whole, read back from its spool."""

    def __init__(self, spool):
        super().__init__()
        self.spool = spool
        self.spool.seek(0)

    def chunk(self, size_hint=None):
        return self.spool.read(min(max(size_hint or 0, 8192), READ_SIZE))


class _Conn(gthread.TConn):
    def __init__(self, *args, body_timeout: float, **kwargs):
        super().__init__(*args, **kwargs)
        self.body_timeout = body_timeout
        self.prefetched = b""  # bytes read by the event loop before the parser existed
        self.waiting_req = None  # a parsed request whose body is being read ahead
        self.spool = None
        self.body_missing = 0

    def init(self):
        if self.initialized:
            return
        super().init()
        if not self.is_http2 and isinstance(self.parser.unreader, SocketUnreader):
            unreader = _IdleTimeoutSocketUnreader(self.sock, self.body_timeout)
            unreader.unread(self.parser.unreader.take_buffered())
            self.parser.unreader = unreader
            if self.parser.mesg is None and self.prefetched:
                unreader.unread(self.prefetched)
                self.prefetched = b""

    def buffered(self) -> bytes:
        if self.parser is None:
            return self.prefetched
        return self.parser.unreader.buf.getvalue()

    def keep(self, data: bytes) -> None:
        if self.parser is None:
            self.prefetched += data
        else:
            self.parser.unreader.buf.seek(0, 2)
            self.parser.unreader.buf.write(data)


class Siblings:
    """How many connections each worker of one gunicorn instance holds, in memory the master
    maps before forking and every worker shares (two small int arrays, one slot per worker).

    A worker that is offered a new connection while a sibling holds fewer leaves it, for at
    most `ACCEPT_DEFER` seconds, to that sibling, which is woken by the same listening
    socket; after that it takes it anyway, so a sibling that is slow to wake (or gone) delays
    a connection by that much and no more. Ties accept at once: a lone worker, or workers
    equally loaded, never wait. Only connection setup can be deferred, never a request on an
    open connection.
    """

    ACCEPT_DEFER = 0.005
    FREE, CLAIMED, STOPPING = 0, -1, 1 << 30

    def __init__(self, size: int = 128):
        self.pids = multiprocessing.RawArray(ctypes.c_int, size)
        self.conns = multiprocessing.RawArray(ctypes.c_int, size)

    def claim(self) -> int | None:
        """A free slot for the worker about to be forked (called in the master, which forks
        one worker at a time); a slot whose worker is gone is free again."""
        for slot, pid in enumerate(self.pids):
            if pid == self.FREE or (pid > 0 and not _alive(pid)):
                self.pids[slot], self.conns[slot] = self.CLAIMED, 0
                return slot
        return None  # more workers than slots: that worker accepts as gthread does

    def publish(self, slot: int, conns: int, *, accepting: bool = True) -> None:
        self.pids[slot] = os.getpid()
        self.conns[slot] = conns if accepting else self.STOPPING

    def fewest_elsewhere(self, slot: int) -> int | None:
        """The fewest connections a live, accepting sibling holds (None: no sibling)."""
        fewest = None
        for other, pid in enumerate(self.pids):
            if other != slot and pid > 0 and self.conns[other] != self.STOPPING:
                count = self.conns[other]
                fewest = count if fewest is None else min(fewest, count)
        return fewest


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class SlowClientThreadWorker(gthread.ThreadWorker):
    """gthread, with requests read ahead by the event loop and connections spread over the
    workers (module docstring)."""

    body_timeout = 5.0
    max_buffered_body = 110 * 1024 * 1024
    max_head = 64 * 1024
    siblings: Siblings | None = None

    @classmethod
    def configured(cls, *, body_timeout: float, max_buffered_body: int) -> type["SlowClientThreadWorker"]:
        """The class gunicorn.conf.py hands to gunicorn, with its settings and the shared
        connection counts of this instance's workers (mapped here, in the master)."""
        return type(
            cls.__name__,
            (cls,),
            {
                "body_timeout": body_timeout,
                "max_buffered_body": max_buffered_body,
                "siblings": Siblings(),
                "__module__": cls.__module__,
            },
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)  # in the master, just before the fork
        self.slot = self.siblings.claim() if self.siblings is not None else None
        self._defer_accept_until = float("-inf")
        self._just_deferred = False

    def init_process(self):
        self.reading_conns: set[_Conn] = set()
        self._publish()
        super().init_process()

    # --- Connections spread over the workers (Siblings) --------------------------------

    def _publish(self) -> None:
        if self.slot is not None:
            self.siblings.publish(self.slot, self.nr_conns, accepting=self.alive)

    def _leave_to_a_sibling(self) -> bool:
        """Whether to leave the connection waiting on the listener to a less busy sibling.
        A connection still waiting when a deferral ends is accepted here."""
        if self.slot is None:
            return False
        now = time.monotonic()
        just_deferred, self._just_deferred = self._just_deferred, False
        if just_deferred and now < self._defer_accept_until + Siblings.ACCEPT_DEFER:
            return False  # a deferral just ended and a connection still waits: this one is ours
        fewest = self.siblings.fewest_elsewhere(self.slot)
        if fewest is None or fewest >= self.nr_conns:
            return False
        self._defer_accept_until = now + Siblings.ACCEPT_DEFER
        self._just_deferred = True
        self.set_accept_enabled(False)
        return True

    def set_accept_enabled(self, enabled):
        if enabled and time.monotonic() < self._defer_accept_until:
            enabled = False  # gthread's loop re-enables accepting on every turn
        super().set_accept_enabled(enabled)

    def wait_for_and_dispatch_events(self, timeout):
        self._publish()
        remaining = self._defer_accept_until - time.monotonic()
        if remaining > 0:
            timeout = min(timeout, remaining)  # wake to accept again when the deferral ends
        super().wait_for_and_dispatch_events(timeout)

    def _reads_ahead(self, conn) -> bool:
        return not (self.cfg.is_ssl or conn.is_http2 or self.cfg.http2_cleartext != "off")

    # --- Connections reach a thread only through enqueue_req -----------------------------

    def accept(self, listener):
        if self._leave_to_a_sibling():
            return
        try:
            client_sock, client_addr = listener.accept()
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        self._publish()
        client_sock.setblocking(True)
        conn = _Conn(self.cfg, client_sock, client_addr, listener.getsockname(), body_timeout=self.body_timeout)
        self.enqueue_req(conn)

    def enqueue_req(self, conn):
        if not self._reads_ahead(conn):
            super().enqueue_req(conn)
        elif self._incomplete(conn):
            self._read_ahead(conn)
        else:
            conn.data_ready = True  # what the thread needs is at hand: no waiting there
            super().enqueue_req(conn)

    def on_client_socket_readable(self, conn, client):
        # A kept-alive connection's next request: read ahead like a new one.
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self.enqueue_req(conn)

    def _incomplete(self, conn) -> bool:
        if conn.waiting_req is not None:
            return conn.body_missing > 0
        buffered = conn.buffered()
        return HEAD_END not in buffered and len(buffered) < self.max_head

    # --- The event loop reads ahead ----------------------------------------------------

    def _read_ahead(self, conn):
        conn.sock.setblocking(False)
        conn.timeout = time.monotonic() + self.body_timeout
        self.reading_conns.add(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_readable, conn))

    def _stop_reading(self, conn):
        self.reading_conns.discard(conn)
        with contextlib.suppress(OSError, KeyError, ValueError):
            self.poller.unregister(conn.sock)

    def _drop(self, conn, answer: bytes = b""):
        self._stop_reading(conn)
        self.nr_conns -= 1
        if answer:
            with contextlib.suppress(OSError):
                conn.sock.send(answer)
        conn.close()

    def _on_readable(self, conn, _client):
        try:
            want = min(conn.body_missing, READ_SIZE) if conn.waiting_req is not None else READ_SIZE
            try:
                data = conn.sock.recv(want)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                data = b""
            if not data:
                self._drop(conn)  # the client went away
                return
            conn.timeout = time.monotonic() + self.body_timeout
            if conn.waiting_req is not None:
                conn.spool.write(data)
                conn.body_missing -= len(data)
            else:
                conn.keep(data)
            if not self._incomplete(conn):
                self._stop_reading(conn)
                if conn.waiting_req is not None:
                    req = conn.waiting_req
                    req.body = Body(LengthReader(_FileUnreader(conn.spool), req.body.reader.length))
                    conn.spool = None
                conn.sock.setblocking(True)
                self.enqueue_req(conn)
        except Exception:  # never let one connection take the event loop down
            self.log.exception("Error reading a request ahead")
            self._drop(conn)

    def murder_pending(self):
        super().murder_pending()
        now = time.monotonic()
        for conn in [conn for conn in self.reading_conns if conn.timeout <= now]:
            self._drop(conn, TIMEOUT_RESPONSE)

    # --- A parsed request whose body is still on its way goes back to the event loop ----

    def handle(self, conn):
        req, conn.waiting_req = conn.waiting_req, None
        if req is None:
            return super().handle(conn)
        try:
            return self._keepalive_after(conn, self.handle_request(req, conn))
        except StopIteration:
            return False
        except OSError as e:
            if e.errno not in (errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN):
                self.log.exception("Socket error processing request.")
        except Exception as e:
            self.handle_error(req, conn.sock, conn.client, e)
        return False

    def handle_request(self, req, conn):
        reader = getattr(req.body, "reader", None)
        if (
            self._reads_ahead(conn)
            and isinstance(reader, LengthReader)
            and reader.unreader is conn.parser.unreader  # not read ahead yet
            and reader.length <= self.max_buffered_body
        ):
            missing = reader.length - len(conn.parser.unreader.buf.getvalue())
            if missing > 0:
                if req._expected_100_continue:
                    conn.sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
                    req._expected_100_continue = False
                spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 - handed to the request
                spool.write(conn.parser.unreader.take_buffered())
                conn.spool, conn.body_missing, conn.waiting_req = spool, missing, req
                return _AWAIT_BODY
        return super().handle_request(req, conn)

    def _keepalive_after(self, conn, keepalive):
        if keepalive is _AWAIT_BODY:
            return _AWAIT_BODY
        return super()._keepalive_after(conn, keepalive)

    def finish_request(self, conn, fs):
        if not fs.cancelled() and fs.exception() is None and fs.result() is _AWAIT_BODY:
            # Also when the worker is stopping: its shutdown loop keeps reading and serving
            # the connections it holds (for up to graceful_timeout).
            self.enqueue_req(conn)
            return
        super().finish_request(conn, fs)
