"""JWT issuing and revocation (simplejwt underneath)."""

from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from users.models import RevokedAccessToken, User


def issue_tokens(user: User) -> RefreshToken:
    """A refresh token (recorded as outstanding) whose access token carries role/document/email."""
    refresh = RefreshToken.for_user(user)
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


def issued_before_cutoff(user: User, issued_at: int | None) -> bool:
    if user.tokens_valid_after is None:
        return False
    if issued_at is None:
        return True
    return int(issued_at) < int(user.tokens_valid_after.timestamp())
