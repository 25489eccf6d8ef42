"""Throttle counters that nothing evicts, incremented atomically, one statement per check.

DRF's SimpleRateThrottle keeps a list of timestamps per key in Django's cache and writes
it back after reading it. Without Redis that cache is the database cache, which culls
entries once it holds MAX_ENTRIES (300): junk requests evicted a victim's login counter,
and concurrent attempts all read the same list and all got through (issue 17, finding 2).

Here a throttle check is one atomic increment, counted in a window that starts with the
key's first attempt and lasts the rate's period (like DRF's window: a burst of attempts
meets the limit whatever the clock says):

* without REDIS_URL, a row per (scope, key) in `tickethelp_throttlecounter`
  (tickethelp.models.ThrottleCounter), `INSERT ... ON CONFLICT DO UPDATE ... RETURNING`
  (PostgreSQL, and SQLite >= 3.35 for `make run`); `manage.py prune_tokens` deletes the
  expired rows daily;
* with REDIS_URL, a Redis key per (scope, key), a Lua script doing `INCR` and `PEXPIRE`
  in one round trip. Redis must not evict keys (`maxmemory-policy noeviction`, its
  default).

An attempt over the limit changes nothing (the count stays at the limit), and once one
throttle of a view has refused a request, the following ones do not count it: a client
that is already refused cannot grow the counters.
"""

import hashlib
import time
from functools import lru_cache

from django.conf import settings
from django.db import connection
from rest_framework.throttling import SimpleRateThrottle

# Set on a request that a throttle refused: later throttles leave their counters alone.
REFUSED_ATTRIBUTE = "_tickethelp_throttle_refused"
KEY_MAX_LENGTH = 128


def _stored_key(key: str) -> str:
    if len(key) <= KEY_MAX_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


class DatabaseCounterStore:
    """Counters in tickethelp_throttlecounter, on the default database."""

    table = "tickethelp_throttlecounter"

    def hit(self, scope: str, key: str, limit: int, period: int, now: float | None = None) -> tuple[bool, float]:
        """Count an attempt if it is within `limit` per `period` seconds.

        Returns (allowed, seconds until the window ends). One statement on PostgreSQL.
        """
        now = time.time() if now is None else now
        if limit <= 0:
            return False, float(period)
        table = connection.ops.quote_name(self.table)
        # Within a window: count + 1, unless at the limit (then no row is updated).
        # Past the window's end: a new window starting now.
        upsert = f"""
            INSERT INTO {table} AS counter (scope, key, count, expires_at)
            VALUES (%(scope)s, %(key)s, 1, %(expires)s)
            ON CONFLICT (scope, key) DO UPDATE SET
                count = CASE WHEN counter.expires_at <= %(now)s THEN 1 ELSE counter.count + 1 END,
                expires_at = CASE WHEN counter.expires_at <= %(now)s THEN %(expires)s ELSE counter.expires_at END
            WHERE counter.expires_at <= %(now)s OR counter.count < %(limit)s
            RETURNING expires_at"""  # noqa: S608 - the table name is a constant
        params = {"scope": scope, "key": _stored_key(key), "now": now, "expires": now + period, "limit": limit}
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # The refused case reads the window's end in the same statement.
                cursor.execute(
                    f"""WITH hit AS ({upsert})
                    SELECT true, expires_at FROM hit
                    UNION ALL
                    SELECT false, expires_at FROM {table}
                    WHERE scope = %(scope)s AND key = %(key)s AND NOT EXISTS (SELECT FROM hit)""",  # noqa: S608
                    params,
                )
                row = cursor.fetchone()
                if row is None:
                    # Refused on a row committed after this statement's snapshot was taken.
                    return False, float(period)
                allowed, expires_at = row
            else:
                cursor.execute(upsert, params)
                row = cursor.fetchone()
                allowed = row is not None
                if not allowed:
                    cursor.execute(
                        f"SELECT expires_at FROM {table} WHERE scope = %(scope)s AND key = %(key)s",  # noqa: S608
                        params,
                    )
                    row = cursor.fetchone()
                expires_at = row[0] if row else now + period
        return bool(allowed), max(float(expires_at) - now, 0.0)

    def prune(self, now: float | None = None) -> int:
        """Delete the counters whose window has ended."""
        from tickethelp.models import ThrottleCounter

        deleted, _ = ThrottleCounter.objects.filter(expires_at__lte=time.time() if now is None else now).delete()
        return deleted


class RedisCounterStore:
    """Counters in Redis: one key per (scope, key), expiring with its window."""

    # KEYS[1] counter; ARGV limit, period in ms. Returns {allowed, ms until the window ends}.
    SCRIPT = """
        local count = tonumber(redis.call('GET', KEYS[1]) or '0')
        if count >= tonumber(ARGV[1]) then
            return {0, redis.call('PTTL', KEYS[1])}
        end
        if redis.call('INCR', KEYS[1]) == 1 then
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
        end
        return {1, redis.call('PTTL', KEYS[1])}
    """

    def __init__(self, url: str, prefix: str = "tickethelp:throttle:"):
        import redis

        self.client = redis.Redis.from_url(url)
        self.prefix = prefix
        self.script = self.client.register_script(self.SCRIPT)

    def hit(self, scope: str, key: str, limit: int, period: int, now: float | None = None) -> tuple[bool, float]:
        if limit <= 0:
            return False, float(period)
        allowed, ttl_ms = self.script(keys=[f"{self.prefix}{scope}:{_stored_key(key)}"], args=[limit, period * 1000])
        return bool(allowed), max(int(ttl_ms), 0) / 1000

    def prune(self, now: float | None = None) -> int:
        return 0  # Redis expires the keys itself


@lru_cache(maxsize=4)
def _redis_store(url: str, prefix: str) -> RedisCounterStore:
    return RedisCounterStore(url, prefix)


def counter_store() -> DatabaseCounterStore | RedisCounterStore:
    """Redis when REDIS_URL is set, the database otherwise."""
    if settings.REDIS_URL:
        return _redis_store(settings.REDIS_URL, getattr(settings, "THROTTLE_REDIS_PREFIX", "tickethelp:throttle:"))
    return DatabaseCounterStore()


class CountedRateThrottle(SimpleRateThrottle):
    """DRF's SimpleRateThrottle (rates, scopes, cache keys, wait()), counted in
    counter_store() instead of the cache."""

    def allow_request(self, request, view):
        self.remaining = None
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        if getattr(request, REFUSED_ATTRIBUTE, False):
            return True  # already refused by an earlier throttle: not counted here
        allowed, self.remaining = counter_store().hit(self.scope, self.key, self.num_requests, self.duration)
        if not allowed:
            setattr(request, REFUSED_ATTRIBUTE, True)
        return allowed

    def wait(self):
        return self.remaining
