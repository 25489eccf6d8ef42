"""Bearer-JWT authentication that also honours revocation and deactivation.

The user row and the access-token deny-list are read in one query per request. It runs on
every request, so its SQL is written once (the ORM would compile the same query again
each time, which cost more than the query itself).
"""

from functools import cache

from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken

from users.models import RevokedAccessToken, User
from users.tokens import issued_before_cutoff


class TokenAuthentication(JWTAuthentication):
    def get_user(self, validated_token):
        try:
            user_id = int(validated_token["user_id"])
        except (KeyError, TypeError, ValueError):
            raise InvalidToken("El token no identifica a un usuario.") from None
        jti = str(validated_token.get("jti", ""))
        user = next(iter(User.objects.raw(_user_with_revocation_sql(), [jti, user_id])), None)
        if user is None:
            raise AuthenticationFailed("Usuario no encontrado.", code="user_not_found")
        if not user.is_active:
            raise AuthenticationFailed("El usuario está inactivo.", code="user_inactive")
        if user.token_revoked or issued_before_cutoff(user, validated_token):
            raise AuthenticationFailed("El token fue revocado, inicia sesión de nuevo.", code="token_revoked")
        return user


@cache
def _user_with_revocation_sql() -> str:
    """The user's row (every column) plus `token_revoked`: is this jti on the deny-list."""
    user, revoked = User._meta, RevokedAccessToken._meta
    columns = ", ".join(f'u."{field.column}"' for field in user.concrete_fields)
    return (
        f'SELECT {columns}, EXISTS (SELECT 1 FROM "{revoked.db_table}" r '  # noqa: S608 - names from the models
        f'WHERE r."{revoked.get_field("jti").column}" = %s AND r."{revoked.get_field("user").column}" = u."id") '
        f'AS token_revoked FROM "{user.db_table}" u WHERE u."id" = %s'
    )
