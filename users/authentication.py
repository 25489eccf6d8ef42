"""Bearer-JWT authentication that also honours revocation and deactivation.

The user row, the access-token deny-list and the token's session (is it still live) are
read in one query per request. It runs on every request, so its SQL is written once (the
ORM would compile the same query again each time, which cost more than the query itself).
"""

from functools import cache

from django.db import connection
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken

from users.models import AuthSession, RevokedAccessToken, User
from users.tokens import SESSION_CLAIM, issued_before_cutoff, session_id


class TokenAuthentication(JWTAuthentication):
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
        user = next(iter(User.objects.raw(_user_with_revocation_sql(), [jti, sid_param, user_id])), None)
        if user is None:
            raise AuthenticationFailed("Usuario no encontrado.", code="user_not_found")
        if not user.is_active:
            raise AuthenticationFailed("El usuario está inactivo.", code="user_inactive")
        # A token of a session lives as long as its session; one minted before sessions
        # existed (no `sid`) is cut off by the user's last revocation instant.
        ended = not user.session_live if sid is not None else issued_before_cutoff(user, validated_token)
        if user.token_revoked or ended:
            raise AuthenticationFailed("El token fue revocado, inicia sesión de nuevo.", code="token_revoked")
        return user


@cache
def _user_with_revocation_sql() -> str:
    """The user's row (every column) plus `token_revoked` (is this jti on the deny-list) and
    `session_live` (is this session id one of the user's sessions, not ended)."""
    user, revoked, session = User._meta, RevokedAccessToken._meta, AuthSession._meta
    columns = ", ".join(f'u."{field.column}"' for field in user.concrete_fields)
    return (
        f'SELECT {columns}, EXISTS (SELECT 1 FROM "{revoked.db_table}" r '  # noqa: S608 - names from the models
        f'WHERE r."{revoked.get_field("jti").column}" = %s AND r."{revoked.get_field("user").column}" = u."id") '
        f'AS token_revoked, EXISTS (SELECT 1 FROM "{session.db_table}" s '
        f'WHERE s."{session.get_field("sid").column}" = %s AND s."{session.get_field("user").column}" = u."id" '
        f'AND s."{session.get_field("revoked_at").column}" IS NULL) '
        f'AS session_live FROM "{user.db_table}" u WHERE u."id" = %s'
    )
