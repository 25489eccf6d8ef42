"""Gunicorn settings for the platform (`gunicorn tickethelp.wsgi -c gunicorn.conf.py`).

Every value can be tuned from the environment; the defaults fit a 2-core instance with
~512 MB to 2 GB of memory. Command-line options still override this file.
"""

import os

from tickethelp.gunicorn_worker import SlowClientThreadWorker
from tickethelp.logging import resolve_log_format


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


# Render (and most platforms) give the port in $PORT and route to every interface; a
# local run without it stays on the loopback interface.
_port = os.environ.get("PORT", "").strip()
bind = [f"0.0.0.0:{_port}"] if _port else ["127.0.0.1:8000"]

# One process per core (the GIL makes a process use one core at most), threads for the
# time requests spend waiting on PostgreSQL. More threads = more database connections:
# workers x threads per instance.
workers = _env_int("WEB_CONCURRENCY", 2)
threads = _env_int("GUNICORN_THREADS", 4)

# gthread, except that a request gets a thread only once its head and body have arrived
# (tickethelp.gunicorn_worker): a client that stalls mid-request costs a socket, never a
# thread, and is answered 408 after GUNICORN_BODY_TIMEOUT seconds without sending. Bodies
# up to MAX_REQUEST_BODY_MB (the application's own limit) are read ahead that way.
body_timeout = _env_int("GUNICORN_BODY_TIMEOUT", 5)
worker_class = SlowClientThreadWorker.configured(
    body_timeout=body_timeout, max_buffered_body=_env_int("MAX_REQUEST_BODY_MB", 110) * 1024 * 1024
)

# A request slower than this is killed (the platform's proxy gives up at a similar point);
# on deploy or restart, in-flight requests get graceful_timeout to finish.
timeout = _env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _env_int("GUNICORN_KEEPALIVE", 5)

# Recycle workers now and then, as a guard against a slow leak; the jitter keeps them from
# restarting together. Chosen from the measured memory curve (bench/RESULTS.md, "Worker
# memory"): a worker grows ~13 MB over its first 1,000 requests (caches filling) and then
# almost not at all (88.5 MB at 1k, 93.3 at 10k, 95.2 at 100k), so recycling every 1,000
# (the former default) only threw the warm caches away and paid a restart each time;
# at 50,000 a worker restarts every few hours at the busiest and stays under 100 MB.
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 50_000)
max_requests_jitter = _env_int("GUNICORN_MAX_REQUESTS_JITTER", 5_000)

# gunicorn's control socket (gunicornc) defaults to one path per user,
# ~/.gunicorn/gunicorn.ctl: a second instance on the host would take it over, and anything
# running as the same user could resize or stop this one. Off unless a path of this
# instance's own is given.
control_socket_path = os.environ.get("GUNICORN_CONTROL_SOCKET", "").strip()
if control_socket_path:
    control_socket = control_socket_path
    control_socket_mode = 0o600
else:
    control_socket_disable = True

# The heartbeat file is touched on every request: keep it in memory, not on a slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - tmpfs, gunicorn's documented choice

# gunicorn's access log is off by default: the application's request line
# (tickethelp.middleware.RequestIdMiddleware) already carries method, path, status, size,
# duration, peer address and request id, and a second line per request cost ~40 us of a
# worker's time (bench/RESULTS.md, "Floor ladder"). GUNICORN_ACCESS_LOG=true turns it back on,
# e.g. to see requests gunicorn answers itself (408 for a stalled body, 400 for a bad head).
# Never the request line (%(r)s) or the query string (%(q)s): they may hold tokens. The
# request id is the X-Request-ID response header the middleware sets.
_access_log_on = os.environ.get("GUNICORN_ACCESS_LOG", "").strip().lower() in {"1", "true", "yes", "on"}
accesslog = "-" if _access_log_on else None
errorlog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s'

_debug = os.environ.get("DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}
if resolve_log_format(os.environ.get("LOG_FORMAT", ""), debug=_debug) == "json":
    from gunicorn.glogging import Logger

    from tickethelp.logging import JsonFormatter, RequestIdFilter

    class JsonLogger(Logger):
        """gunicorn's own handlers (wherever --errorlog/--access-logfile point), JSON lines.

        An --access-logformat given on the command line wins: its access lines stay text.
        """

        def setup(self, cfg):
            super().setup(cfg)
            logs = [self.error_log]
            if cfg.access_log_format == access_log_format:
                logs.append(self.access_log)
            for log in logs:
                for handler in log.handlers:
                    handler.setFormatter(JsonFormatter())
                    handler.addFilter(RequestIdFilter())

    logger_class = JsonLogger


# Load the application once, in the master, and fork the workers from it (gunicorn's
# preload_app; GUNICORN_PRELOAD=false loads it in every worker instead). Loading takes about a
# second of imports (tickethelp.wsgi.warm_up included): preloaded, a worker that starts,
# whether at boot, after a recycle (max_requests) or after a crash, is serving within
# milliseconds of its fork instead of leaving its share of the load to the others for that
# second; and the workers share the loaded code's memory pages with the master until they
# write to them. The price: `kill -HUP` (gunicorn's reload) forks new workers from the
# master's already-loaded code, so a code change needs a restart of the whole process (a
# deploy on the platform is one).
preload_app = os.environ.get("GUNICORN_PRELOAD", "").strip().lower() not in {"0", "false", "no", "off"}

# The objects a worker builds while loading the application (Django's apps, models, URL
# patterns, DRF's classes: ~135,000) live as long as the worker. Left in the collector's
# generations, each full collection walks them all again: 30-50 ms measured in a loaded
# worker, a pause every request of that moment waits for (bench/RESULTS.md, round three,
# p99). gc.freeze() moves them to the permanent generation, so a full collection walks only
# what requests allocated since. GUNICORN_GC_FREEZE=false keeps the collector as it is.
_gc_freeze = os.environ.get("GUNICORN_GC_FREEZE", "").strip().lower() not in {"0", "false", "no", "off"}


def _freeze_what_exists() -> None:
    import gc

    gc.collect()  # garbage of start-up is freed, not frozen
    gc.freeze()


def when_ready(server):
    """In the master, before the first fork: with the application preloaded, no database
    connection may cross into the workers (each would share one socket), and what loading
    built is frozen once, here, so that no worker's collector ever writes to those shared
    pages (Python's gc.freeze documentation: "call gc.freeze() right before fork()")."""
    if not preload_app:
        return
    from django.db import connections

    connections.close_all()
    if _gc_freeze:
        _freeze_what_exists()


def post_worker_init(worker):
    """After the worker loaded the application (or, preloaded, was forked with it): freeze
    what exists (see above); inherited frozen objects stay frozen."""
    if _gc_freeze:
        _freeze_what_exists()
