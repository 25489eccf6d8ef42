"""Log plumbing: the current request id, a filter that stamps it on records, a JSON formatter.

Used by Django's LOGGING (settings.py) and by gunicorn's own loggers (gunicorn.conf.py), so
application lines and access lines share one shape and can be joined on `request_id`.
"""

import json
import logging
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import UTC, datetime

NO_REQUEST_ID = "-"

# Set by tickethelp.middleware.RequestIdMiddleware for the duration of a request.
request_id_var: ContextVar[str] = ContextVar("request_id", default=NO_REQUEST_ID)

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "request_id",
}
_JSON_SCALARS = (str, int, float, bool, type(None))


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (the current request's, or "-") to every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


def _gunicorn_access_fields(atoms: Mapping) -> dict:
    # gunicorn's access record carries its atoms as args. Only these are copied: never the
    # request line (`r`) or query string (`q`), which may hold tokens.
    return {
        "request_id": atoms["{x-request-id}o"],
        "method": atoms["m"],
        "path": atoms["U"],
        "status": int(atoms["s"]) if str(atoms["s"]).isdigit() else atoms["s"],
        "duration_ms": atoms["M"],
        "bytes": atoms["B"],
        "remote_addr": atoms["h"],
    }


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, scalar extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
            entry.update(_gunicorn_access_fields(record.args))
        # Scalar extras only: objects such as Django's `request` would be written through
        # their repr, which includes the query string.
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and key not in entry and isinstance(value, _JSON_SCALARS):
                entry[key] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


LOG_FORMATS = ("json", "plain")


def resolve_log_format(raw: str, *, debug: bool) -> str:
    """LOG_FORMAT's value, or its default: plain text in debug, JSON otherwise."""
    value = raw.strip().lower() or ("plain" if debug else "json")
    if value not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, got {raw!r}")
    return value
