"""JWT issuing and revocation (simplejwt underneath)."""

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from users.models import RevokedAccessToken, User

# JWT "iat" has one-second resolution: a token issued in the same second as a revocation
# could not be told apart from one issued just after it. This claim (copied into the access
# token) records the issuing instant in microseconds.
ISSUED_AT_US_CLAIM = "iat_us"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _epoch_us(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def issue_tokens(user: User) -> RefreshToken:
    """A refresh token (recorded as outstanding) whose access token carries role/document/email."""
    refresh = RefreshToken.for_user(user)
    refresh[ISSUED_AT_US_CLAIM] = _epoch_us(refresh.current_time)
    refresh["role"] = user.role
    refresh["document"] = user.document
    refresh["email"] = user.email
    return refresh


def revoke_access_token(token: AccessToken) -> None:
    """Deny-list one access token until it expires."""
    RevokedAccessToken.objects.get_or_create(
        jti=str(token["jti"]),
        defaults={
            "user_id": token["user_id"],
            "expires_at": datetime.fromtimestamp(int(token["exp"]), tz=UTC),
        },
    )


def revoke_all_tokens(user: User) -> None:
    """Every token issued so far stops working: refresh tokens blacklisted, access tokens cut off."""
    with transaction.atomic():
        user.tokens_valid_after = timezone.now()
        user.save(update_fields=["tokens_valid_after"])
        outstanding = OutstandingToken.objects.filter(user=user).exclude(blacklistedtoken__isnull=False)
        BlacklistedToken.objects.bulk_create(
            [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
        )


def issued_before_cutoff(user: User, token) -> bool:
    """Was `token` issued before the user's last revocation (password change, deactivation)?"""
    if user.tokens_valid_after is None:
        return False
    issued_at_us = token.get(ISSUED_AT_US_CLAIM)
    if issued_at_us is not None:
        return int(issued_at_us) < _epoch_us(user.tokens_valid_after)
    # Tokens not minted by issue_tokens only have the whole-second "iat": a token from the
    # very second of the revocation is refused too, since it may predate it.
    issued_at = token.get("iat")
    if issued_at is None:
        return True
    return int(issued_at) <= int(user.tokens_valid_after.timestamp())
