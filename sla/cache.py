"""In-process caches of the small catalogs the clocks read on every ticket write: the active
policies and the closure days. A change saved in this process drops them at once
(sla.signals); other processes re-read them after TTL seconds. A ticket write therefore
costs no extra query in the steady state."""

import threading
import time
from collections.abc import Callable
from datetime import date

TTL = 60.0

_lock = threading.Lock()
_entries: dict[str, tuple[float, object]] = {}


def _cached(key: str, load: Callable[[], object]) -> object:
    now = time.monotonic()
    with _lock:
        entry = _entries.get(key)
    if entry is not None and now - entry[0] < TTL:
        return entry[1]
    value = load()
    with _lock:
        _entries[key] = (now, value)
    return value


def forget(key: str | None = None) -> None:
    with _lock:
        if key is None:
            _entries.clear()
        else:
            _entries.pop(key, None)


def prime(key: str, value: object) -> None:
    """Set a cache entry (tests: a known catalog without a query)."""
    with _lock:
        _entries[key] = (time.monotonic(), value)


# Policy targets: {(priority, category): (first_response, resolution, approval)} of active policies.
POLICIES = "policies"
CLOSURES = "closures"


def _load_policies() -> dict[tuple[str, str], tuple[int, int, int]]:
    from sla.models import SLAPolicy

    rows = SLAPolicy.objects.filter(active=True).values_list(
        "priority", "category", "first_response_minutes", "resolution_minutes", "approval_minutes"
    )
    return {(row[0], row[1]): row[2:] for row in rows}


def _load_closures() -> frozenset[date]:
    from sla.models import ClosureDay

    return frozenset(ClosureDay.objects.values_list("date", flat=True))


def policies() -> dict[tuple[str, str], tuple[int, int, int]]:
    return _cached(POLICIES, _load_policies)


def closure_days() -> frozenset[date]:
    return _cached(CLOSURES, _load_closures)
