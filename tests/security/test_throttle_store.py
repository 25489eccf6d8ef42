"""The throttle counters (tickethelp.throttle_store): a window per key, atomic increments,
no write once refused, one statement per check; the same semantics in Redis."""

import re
import threading
import uuid
from io import StringIO

import pytest
import redis
from django.core.management import call_command
from django.db import connection

from tickethelp.models import ThrottleCounter
from tickethelp.throttle_store import DatabaseCounterStore, RedisCounterStore

REDIS_URL = "redis://127.0.0.1:6379/11"


@pytest.fixture
def redis_store():
    """A RedisCounterStore on its own DB number and key prefix, emptied afterwards."""
    prefix = f"test-throttle-{uuid.uuid4().hex}:"
    store = RedisCounterStore(REDIS_URL, prefix)
    yield store
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)


def _row(scope="login_email", key="k"):
    return ThrottleCounter.objects.values_list("count", "expires_at").get(scope=scope, key=key)


@pytest.mark.django_db
def test_attempts_are_counted_up_to_the_limit_and_refused_after_it():
    store = DatabaseCounterStore()

    # when four attempts come within the window of a 3-per-minute limit
    results = [store.hit("login_email", "k", 3, 60, now=1000.0 + n) for n in range(4)]

    # then three are allowed, the fourth refused until the window (started at the first) ends
    assert results == [(True, 60.0), (True, 59.0), (True, 58.0), (False, 57.0)]
    # and the refused attempt wrote nothing: the count stays at the limit, the window unmoved
    assert _row() == (3, 1060.0)


@pytest.mark.django_db
def test_a_new_window_starts_once_the_last_one_ended():
    # given a key at its limit
    store = DatabaseCounterStore()
    for _ in range(3):
        store.hit("login_email", "k", 3, 60, now=1000.0)

    # when an attempt comes after the window's end
    result = store.hit("login_email", "k", 3, 60, now=1060.0)

    # then it is counted first in a new window
    assert result == (True, 60.0)
    assert _row() == (1, 1120.0)


@pytest.mark.django_db
def test_scopes_and_keys_are_counted_apart():
    store = DatabaseCounterStore()
    store.hit("login_email", "k", 1, 60, now=1000.0)

    assert store.hit("login_email", "other", 1, 60, now=1000.0)[0] is True
    assert store.hit("login_ip", "k", 1, 60, now=1000.0)[0] is True
    assert store.hit("login_email", "k", 1, 60, now=1000.0)[0] is False


@pytest.mark.django_db
def test_a_long_key_is_stored_hashed():
    store = DatabaseCounterStore()
    key = "x" * 500

    store.hit("login_ip", key, 1, 60, now=1000.0)

    assert store.hit("login_ip", key, 1, 60, now=1000.0)[0] is False
    stored = ThrottleCounter.objects.get().key
    assert stored.startswith("sha256:")
    assert len(stored) == 71


@pytest.mark.django_db
def test_each_check_is_one_statement_allowed_or_refused(django_assert_num_queries):
    if connection.vendor != "postgresql":
        pytest.fail("the one-statement budget is PostgreSQL's (set DATABASE_URL)")
    store = DatabaseCounterStore()

    with django_assert_num_queries(1):
        allowed = store.hit("login_email", "k", 1, 60)
    with django_assert_num_queries(1):
        refused = store.hit("login_email", "k", 1, 60)

    assert (allowed[0], refused[0]) == (True, False)


@pytest.mark.django_db(transaction=True)
def test_concurrent_attempts_are_counted_exactly():
    # given 12 threads, each with its own database connection, and a limit of 5
    store = DatabaseCounterStore()
    barrier = threading.Barrier(12)
    results: list[bool] = []

    def attempt():
        try:
            barrier.wait()
            results.append(store.hit("login_email", "k", 5, 60)[0])
        finally:
            connection.close()

    # when they all try at once
    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then exactly five got through
    assert sorted(results) == [False] * 7 + [True] * 5
    assert _row()[0] == 5


@pytest.mark.django_db
def test_prune_tokens_deletes_the_counters_whose_window_ended():
    # given one ended window and one still open
    store = DatabaseCounterStore()
    store.hit("login_email", "ended", 5, 60, now=1000.0)
    store.hit("login_email", "open", 5, 10**10)

    # when
    out = StringIO()
    call_command("prune_tokens", stdout=out)

    # then
    assert list(ThrottleCounter.objects.values_list("key", flat=True)) == ["open"]
    assert "1 expired throttle counters" in out.getvalue()


def test_redis_counts_up_to_the_limit_and_refuses_without_writing(redis_store):
    # when four attempts come for a 3-per-minute limit
    results = [redis_store.hit("login_email", "k", 3, 60) for _ in range(4)]

    # then three are allowed and the fourth refused until the window ends
    assert [allowed for allowed, _ in results] == [True, True, True, False]
    assert all(55 < wait <= 60 for _, wait in results)
    # and the refused attempt left the count at the limit and the expiry where it was
    client = redis.Redis.from_url(REDIS_URL)
    key = f"{redis_store.prefix}login_email:k"
    assert client.get(key) == b"3"
    assert 55_000 < client.pttl(key) <= 60_000


def test_redis_starts_a_new_window_when_the_key_expired(redis_store):
    assert redis_store.hit("login_email", "k", 1, 1)[0] is True
    assert redis_store.hit("login_email", "k", 1, 1)[0] is False

    redis.Redis.from_url(REDIS_URL).delete(f"{redis_store.prefix}login_email:k")  # what expiry does

    assert redis_store.hit("login_email", "k", 1, 1)[0] is True


def test_redis_counts_concurrent_attempts_exactly(redis_store):
    barrier = threading.Barrier(12)
    results: list[bool] = []

    def attempt():
        barrier.wait()
        results.append(redis_store.hit("login_email", "k", 5, 60)[0])

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results) == [False] * 7 + [True] * 5


@pytest.mark.django_db
def test_with_redis_url_the_login_throttle_counts_in_redis(api_client, settings, redis_store):
    # given REDIS_URL set (on a test DB number and key prefix)
    settings.REDIS_URL = REDIS_URL
    settings.THROTTLE_REDIS_PREFIX = redis_store.prefix

    # when six wrong passwords arrive for one e-mail
    statuses = [
        api_client.post(
            "/api/users/auth/login/", {"email": "nadie@example.com", "password": "x"}, format="json"
        ).status_code
        for _ in range(6)
    ]

    # then the sixth is throttled, and the counters are in Redis, not in the table
    assert statuses == [401] * 5 + [429]
    assert not ThrottleCounter.objects.exists()
    assert len(list(redis.Redis.from_url(REDIS_URL).scan_iter(f"{redis_store.prefix}login_email:*"))) == 1


@pytest.mark.django_db
def test_a_login_refused_per_address_is_not_counted_per_email(api_client, settings):
    # given an address at its login limit (30 per minute)
    for n in range(30):
        api_client.post("/api/users/auth/login/", {"email": f"nadie{n}@example.com", "password": "x"}, format="json")

    # when it tries a new e-mail
    response = api_client.post("/api/users/auth/login/", {"email": "otra@example.com", "password": "x"}, format="json")

    # then it is refused, with DRF's Retry-After, and that e-mail has no counter
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert re.match(
        r"Demasiados intentos de inicio de sesión\. Intenta de nuevo en (60|59) segundos\.", response.json()["detail"]
    )
    assert ThrottleCounter.objects.filter(scope="login_email").count() == 30
