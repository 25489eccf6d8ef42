"""Bearer-JWT authentication that also honours revocation and deactivation.

The user row, the access-token deny-list and the token's session (is it still live) are
read in one statement per request, and the user is built from that row (`Model.from_db`):
it runs on every request, so its SQL is written once (the ORM would compile the same query
again each time, which cost more than the query itself). A caller that needs more of the
caller's rows on every request (the tenant portal: the resident profile) passes its own
`user_loader`, which selects `revocation_columns_sql()` beside its columns: still one
statement.

Decoding a token (base64, JSON, the HMAC) is done once per token and process: the claims
of up to `VALIDATED_TOKENS` tokens are kept, keyed by the raw token. What can change after
the first request is checked again on every one: the expiry (from the claims, against the
clock) and the revocation and the user's state (from the database).
"""

from collections.abc import Callable
from functools import cache, lru_cache

from django.core.signals import setting_changed
from django.db import connection
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import aware_utcnow

from tickethelp.instances import ModelColumns
from users.models import AuthSession, RevokedAccessToken, User
from users.tokens import SESSION_CLAIM, issued_before_cutoff, session_id

# Tokens whose claims are kept (per process): a worker's active callers, with room to spare.
VALIDATED_TOKENS = 1024

# (user, token_revoked, session_live) of the token's user, or None when there is no such user.
LoadedUser = tuple[User, bool, bool]
# user_loader(user_id, revocation_params) -> LoadedUser | None; `revocation_params` are the
# parameters of revocation_columns_sql(), in order, to be given before the loader's own.
UserLoader = Callable[[int, list], LoadedUser | None]

USER_COLUMNS = ModelColumns(User, "u")


class TokenAuthentication(JWTAuthentication):
    """`user_loader` (class attribute or argument): how the user and the revocation columns
    are read; by default `load_user`, the user's row alone."""

    user_loader: UserLoader | None = None

    def __init__(self, *args, user_loader: UserLoader | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if user_loader is not None:
            self.user_loader = user_loader

    def get_validated_token(self, raw_token):
        token_class, payload = _validated_claims(raw_token)  # InvalidToken as simplejwt raises it
        token = token_class.__new__(token_class)
        token.token = raw_token
        token.current_time = aware_utcnow()
        token.payload = dict(payload)  # the request's own copy: a view may add claims to it
        try:
            token.check_exp(current_time=token.current_time)
        except TokenError:
            # Expired since it was kept: decoded again, it fails as any expired token does.
            return super().get_validated_token(raw_token)
        return token

    def get_user(self, validated_token):
        try:
            user_id = int(validated_token["user_id"])
        except (KeyError, TypeError, ValueError):
            raise InvalidToken("El token no identifica a un usuario.") from None
        jti = str(validated_token.get("jti", ""))
        sid = session_id(validated_token)
        if sid is None and SESSION_CLAIM in validated_token:
            raise InvalidToken("El token no identifica una sesión válida.")
        sid_param = AuthSession._meta.get_field("sid").get_db_prep_value(sid, connection)
        loader = self.user_loader or load_user
        loaded = loader(user_id, [jti, sid_param])
        if loaded is None:
            raise AuthenticationFailed("Usuario no encontrado.", code="user_not_found")
        user, token_revoked, session_live = loaded
        if not user.is_active:
            raise AuthenticationFailed("El usuario está inactivo.", code="user_inactive")
        # A token of a session lives as long as its session; one minted before sessions
        # existed (no `sid`) is cut off by the user's last revocation instant.
        ended = not session_live if sid is not None else issued_before_cutoff(user, validated_token)
        if token_revoked or ended:
            raise AuthenticationFailed("El token fue revocado, inicia sesión de nuevo.", code="token_revoked")
        return user


def load_user(user_id: int, revocation_params: list) -> LoadedUser | None:
    """The default loader: the user's row and the two revocation columns."""
    with connection.cursor() as cursor:
        cursor.execute(_user_with_revocation_sql(), [*revocation_params, user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    width = USER_COLUMNS.width
    return USER_COLUMNS.build(row, 0, connection.alias), bool(row[width]), bool(row[width + 1])


@cache
def revocation_columns_sql(user_alias: str = "u") -> str:
    """Two SELECT columns about the user row `user_alias`: `token_revoked` (is this jti on
    the deny-list) and `session_live` (is this session id one of the user's sessions, not
    ended). Their parameters: the jti, then the session id (what a UserLoader is given)."""
    revoked, session = RevokedAccessToken._meta, AuthSession._meta
    return (
        f'EXISTS (SELECT 1 FROM "{revoked.db_table}" r '  # noqa: S608 - names from the models
        f'WHERE r."{revoked.get_field("jti").column}" = %s '
        f'AND r."{revoked.get_field("user").column}" = {user_alias}."id") AS token_revoked, '
        f'EXISTS (SELECT 1 FROM "{session.db_table}" s '
        f'WHERE s."{session.get_field("sid").column}" = %s AND s."{session.get_field("user").column}" = '
        f'{user_alias}."id" AND s."{session.get_field("revoked_at").column}" IS NULL) AS session_live'
    )


@cache
def _user_with_revocation_sql() -> str:
    """The user's row (every column, as USER_COLUMNS reads them) plus the revocation columns."""
    return (
        f"SELECT {USER_COLUMNS.sql}, {revocation_columns_sql('u')} "  # noqa: S608 - names from the models
        f'FROM "{User._meta.db_table}" u WHERE u."id" = %s'
    )


@lru_cache(maxsize=VALIDATED_TOKENS)
def _validated_claims(raw_token) -> tuple[type[Token], dict]:
    """(token class, claims) of a token whose signature, type and expiry were checked once;
    an invalid token raises simplejwt's InvalidToken and is not kept."""
    token = _validator().get_validated_token(raw_token)
    return type(token), token.payload


@cache
def _validator() -> JWTAuthentication:
    return JWTAuthentication()


def _forget_validated_tokens(*, setting: str, **kwargs) -> None:
    """A new signing key or token setting (tests override them) invalidates what was kept."""
    if setting in ("SIMPLE_JWT", "SECRET_KEY"):
        _validated_claims.cache_clear()


setting_changed.connect(_forget_validated_tokens)
