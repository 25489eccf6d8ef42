"""Bearer-JWT authentication that also honours revocation and deactivation.

The user row and the access-token deny-list are read in one query per request.
"""

from django.db.models import Exists, OuterRef
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
        user = (
            User.objects.filter(pk=user_id)
            .annotate(
                token_revoked=Exists(
                    RevokedAccessToken.objects.filter(jti=str(validated_token.get("jti", "")), user=OuterRef("pk"))
                )
            )
            .first()
        )
        if user is None:
            raise AuthenticationFailed("Usuario no encontrado.", code="user_not_found")
        if not user.is_active:
            raise AuthenticationFailed("El usuario está inactivo.", code="user_inactive")
        if user.token_revoked or issued_before_cutoff(user, validated_token):
            raise AuthenticationFailed("El token fue revocado, inicia sesión de nuevo.", code="token_revoked")
        return user
