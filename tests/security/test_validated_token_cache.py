"""The per-process cache of validated tokens (users/authentication.py) saves the decoding
only: a kept token is still refused once it expires, is revoked, its session ends or its
user is deactivated, exactly as a token seen for the first time."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.tokens import AccessToken

from tests.factories import TenantFactory, UserFactory
from users import authentication
from users.models import User
from users.tokens import issue_tokens, revoke_access_token, revoke_all_tokens

pytestmark = pytest.mark.django_db

VALIDATE = "/api/users/auth/validate-token/"
TENANT_ME = "/api/tenant/me"


@pytest.fixture(autouse=True)
def _empty_cache():
    authentication._validated_claims.cache_clear()
    yield
    authentication._validated_claims.cache_clear()


def bearer(token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def session_access(user, *, seconds: int | None = None) -> AccessToken:
    """An access token of a new session of `user`; living `seconds` when given."""
    access = issue_tokens(user).access_token
    if seconds is not None:
        access.set_exp(from_time=datetime.now(UTC), lifetime=timedelta(seconds=seconds))
    return access


def count_decodes(monkeypatch) -> list:
    calls = []
    decode = TokenBackend.decode

    def counting(self, token, verify=True):
        calls.append(token)
        return decode(self, token, verify=verify)

    monkeypatch.setattr(TokenBackend, "decode", counting)
    return calls


def test_a_token_is_decoded_once_per_process(monkeypatch):
    # given a session's access token
    client = bearer(session_access(UserFactory()))
    decodes = count_decodes(monkeypatch)

    # when it authenticates three requests
    statuses = [client.get(VALIDATE).status_code for _ in range(3)]

    # then all succeed and its signature and claims were checked on the first only
    assert statuses == [200, 200, 200]
    assert len(decodes) == 1


@pytest.mark.parametrize("path", [VALIDATE, TENANT_ME])
def test_a_kept_token_is_refused_once_it_expires(path):
    # given a token that expires in two seconds, used (and kept) while it is valid
    user = TenantFactory().user
    access = session_access(user, seconds=2)
    client = bearer(access)
    assert client.get(path).status_code == 200
    assert authentication._validated_claims.cache_info().currsize == 1

    # when it is presented again after its expiry
    time.sleep(max(0.0, access["exp"] - time.time()) + 0.05)
    response = client.get(path)

    # then it is refused as any expired token is (same status and body as one never kept)
    authentication._validated_claims.cache_clear()
    fresh = bearer(access).get(path)
    assert response.status_code == 401
    assert (response.status_code, response.json()) == (fresh.status_code, fresh.json())


@pytest.mark.parametrize("path", [VALIDATE, TENANT_ME])
@pytest.mark.parametrize(
    "revoke",
    [
        pytest.param(lambda user, access: revoke_access_token(access), id="access-token-revoked"),
        pytest.param(lambda user, access: revoke_all_tokens(user), id="every-session-ended"),
        pytest.param(lambda user, access: User.objects.filter(pk=user.pk).update(is_active=False), id="deactivated"),
    ],
)
def test_a_kept_token_is_refused_once_revoked(path, revoke):
    # given a resident's token, used (and kept) while it is valid
    user = TenantFactory().user
    access = session_access(user)
    client = bearer(access)
    assert client.get(path).status_code == 200

    # when it is revoked (or the user deactivated) and presented again
    revoke(user, access)
    response = client.get(path)

    # then it is refused although its claims are still kept
    assert response.status_code == 401
    assert authentication._validated_claims.cache_info().currsize == 1


def test_a_change_of_the_token_settings_empties_the_cache(settings):
    # given a token used (and kept)
    assert bearer(session_access(UserFactory())).get(VALIDATE).status_code == 200
    assert authentication._validated_claims.cache_info().currsize == 1

    # when the token settings change (as tests override them)
    settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "LEEWAY": 0}

    # then nothing validated under the old settings is kept
    assert authentication._validated_claims.cache_info().currsize == 0


def test_invalid_tokens_are_not_kept():
    # given a garbage token and a token signed with another key
    forged = AccessToken.for_user(UserFactory())
    forged_raw = TokenBackend("HS256", "not-the-signing-key-0123456789-abcdefghijkl").encode(forged.payload)

    # when they are presented
    statuses = [bearer(raw).get(VALIDATE).status_code for raw in ("not-a-token", forged_raw)]

    # then both are refused and nothing was kept
    assert statuses == [401, 401]
    assert authentication._validated_claims.cache_info().currsize == 0


def test_the_cache_is_bounded():
    # given more valid tokens than the cache holds
    user = UserFactory()
    extra = 10
    raws = [str(AccessToken.for_user(user)).encode() for _ in range(authentication.VALIDATED_TOKENS + extra)]

    # when each is validated
    validator = authentication.TokenAuthentication()
    for raw in raws:
        validator.get_validated_token(raw)

    # then the cache holds the bound, the most recent ones
    info = authentication._validated_claims.cache_info()
    assert (info.currsize, info.misses, info.hits) == (authentication.VALIDATED_TOKENS, len(raws), 0)
    validator.get_validated_token(raws[-1])
    assert authentication._validated_claims.cache_info().hits == 1
