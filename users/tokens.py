"""JWT issuing, rotation and revocation (simplejwt underneath).

Every login opens an `AuthSession` (a token family): its refresh tokens and their access
tokens carry the session's id in the `sid` claim and the time of the password login in
`auth_time`, both kept through rotations. A session has one usable refresh token at a time;
rotating it runs under a row lock, so concurrent refreshes with one token cannot fork the
session, and a rotated token presented again ends the whole family (reuse detection).
"""

import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt import settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from users.models import AuthSession, RevokedAccessToken, User

# JWT "iat" has one-second resolution: a token issued in the same second as a revocation
# could not be told apart from one issued just after it. This claim (copied into the access
# token) records the issuing instant in microseconds.
ISSUED_AT_US_CLAIM = "iat_us"
# The session (token family) a token descends from.
SESSION_CLAIM = "sid"
# When the session's password login happened (epoch seconds, as in OpenID Connect).
AUTH_TIME_CLAIM = "auth_time"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class SessionEnded(Exception):
    """The refresh token's session is over (or the token was already rotated)."""


def _epoch_us(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _expiry(token) -> datetime:
    return datetime.fromtimestamp(int(token["exp"]), tz=UTC)


def session_id(token) -> uuid.UUID | None:
    """The token's session id; None for a token minted before sessions existed."""
    raw = token.get(SESSION_CLAIM)
    if raw is None:
        return None
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return None


class SessionRefreshToken(RefreshToken):
    """A refresh token checked for signature, type and expiry only: whether it may still be
    used is its session's business (`rotate_refresh`), so that a rotated token presented
    again is recognised as a replay instead of merely refused as blacklisted. Tokens without
    a session keep simplejwt's blacklist check."""

    def check_blacklist(self) -> None:
        if self.get(SESSION_CLAIM) is None:
            super().check_blacklist()


def _mint_refresh(user: User, session: AuthSession) -> RefreshToken:
    """A refresh token of `session` (recorded as outstanding) whose access token carries
    role/document/email, the session id and the login time."""
    refresh = RefreshToken.for_user(user)
    refresh[ISSUED_AT_US_CLAIM] = _epoch_us(refresh.current_time)
    refresh[SESSION_CLAIM] = str(session.sid)
    if session.auth_time is not None:
        refresh[AUTH_TIME_CLAIM] = int(session.auth_time.timestamp())
    refresh["role"] = user.role
    refresh["document"] = user.document
    refresh["email"] = user.email
    return refresh


def issue_tokens(
    user: User, *, auth_time: datetime | None = None, access_lifetime: timedelta | None = None
) -> RefreshToken:
    """Open a session for `user` and answer its first refresh token. `auth_time`: when a
    password login checked the password (None for sessions not opened by one).
    `access_lifetime`: when an access token of this session will live longer than usual."""
    with transaction.atomic():
        session = AuthSession(user=user, auth_time=auth_time, expires_at=timezone.now())
        refresh = _mint_refresh(user, session)
        session.refresh_jti = str(refresh["jti"])
        session.expires_at = max(
            _expiry(refresh),
            refresh.current_time + (access_lifetime or jwt_settings.api_settings.ACCESS_TOKEN_LIFETIME),
        )
        session.save(force_insert=True)
    return refresh


def is_recent_login(token) -> bool:
    """Did the session of `token` check the password less than RECENT_LOGIN_MINUTES ago?"""
    auth_time = token.get(AUTH_TIME_CLAIM)
    if not isinstance(auth_time, int):
        return False
    return timezone.now().timestamp() - auth_time < settings.RECENT_LOGIN_MINUTES * 60


def _end_session(sid: uuid.UUID) -> None:
    AuthSession.objects.filter(sid=sid, revoked_at__isnull=True).update(revoked_at=timezone.now())


def _blacklist(refresh: RefreshToken) -> None:
    """Record the refresh token as blacklisted (idempotent)."""
    outstanding, _ = OutstandingToken.objects.get_or_create(
        jti=str(refresh["jti"]),
        defaults={
            "user_id": refresh.get("user_id"),
            "token": str(refresh),
            "created_at": refresh.current_time,
            "expires_at": _expiry(refresh),
        },
    )
    BlacklistedToken.objects.get_or_create(token=outstanding)


def rotate_refresh(refresh: SessionRefreshToken) -> RefreshToken:
    """The session's next refresh token, in exchange for its current one (SessionEnded
    otherwise). Follows SIMPLE_JWT: with ROTATE_REFRESH_TOKENS off the same token is
    answered; with BLACKLIST_AFTER_ROTATION off a used token of a live session stays usable.

    With blacklisting on, exactly one of several concurrent requests with one token wins
    (the session row is locked); those that were already waiting when it won are refused,
    while a token presented after it was rotated is a replay that ends the whole session."""
    sid = session_id(refresh)
    if sid is None:
        raise SessionEnded
    jti = str(refresh["jti"])
    one_use = jwt_settings.api_settings.BLACKLIST_AFTER_ROTATION
    current_jti = AuthSession.objects.filter(sid=sid, revoked_at__isnull=True).values_list("refresh_jti", flat=True)
    current_jti = next(iter(current_jti), None)
    if current_jti is None:
        raise SessionEnded
    if one_use and current_jti != jti:
        _end_session(sid)  # reuse of a rotated token: someone else holds the family
        raise SessionEnded
    # The session's current token, blacklisted by hand (Django admin): TokenError, refused.
    RefreshToken.check_blacklist(refresh)
    if not jwt_settings.api_settings.ROTATE_REFRESH_TOKENS:
        _check_user(refresh)
        return refresh
    with transaction.atomic():
        session = (
            AuthSession.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(sid=sid, revoked_at__isnull=True)
            .first()
        )
        if session is None or (one_use and session.refresh_jti != jti):
            raise SessionEnded  # lost the race to a concurrent refresh with the same token
        user = session.user
        if str(user.pk) != str(refresh.get("user_id")) or not user.is_active:
            raise SessionEnded
        new_refresh = _mint_refresh(user, session)
        session.refresh_jti = str(new_refresh["jti"])
        session.expires_at = max(session.expires_at, _expiry(new_refresh))
        session.save(update_fields=["refresh_jti", "expires_at"])
        if one_use:
            _blacklist(refresh)
    return new_refresh


def _check_user(refresh) -> None:
    if not User.objects.filter(pk=refresh.get("user_id"), is_active=True).exists():
        raise SessionEnded


def end_session(refresh: SessionRefreshToken) -> None:
    """Logout: every token of the refresh token's session stops working (SessionEnded when
    it had already ended). A token without a session is blacklisted alone."""
    sid = session_id(refresh)
    if sid is None:
        _blacklist(refresh)
        return
    with transaction.atomic():
        if not AuthSession.objects.filter(sid=sid, revoked_at__isnull=True).update(revoked_at=timezone.now()):
            raise SessionEnded
        _blacklist(refresh)


def revoke_access_token(token) -> None:
    """That access token stops working at once, and with it every token of its session."""
    with transaction.atomic():
        RevokedAccessToken.objects.get_or_create(
            jti=str(token["jti"]),
            defaults={"user_id": token["user_id"], "expires_at": _expiry(token)},
        )
        sid = session_id(token)
        if sid is not None:
            _end_session(sid)


def revoke_all_tokens(user: User, *, keep_session: uuid.UUID | None = None) -> None:
    """Every token issued so far stops working, except those of `keep_session`: sessions
    ended, refresh tokens blacklisted, and tokens minted before sessions existed cut off."""
    now = timezone.now()
    with transaction.atomic():
        user.tokens_valid_after = now
        user.save(update_fields=["tokens_valid_after"])
        sessions = AuthSession.objects.filter(user=user, revoked_at__isnull=True)
        outstanding = OutstandingToken.objects.filter(user=user).exclude(blacklistedtoken__isnull=False)
        if keep_session is not None:
            kept = sessions.filter(sid=keep_session).values_list("refresh_jti", flat=True)
            sessions = sessions.exclude(sid=keep_session)
            outstanding = outstanding.exclude(jti__in=kept)
        sessions.update(revoked_at=now)
        BlacklistedToken.objects.bulk_create(
            [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
        )


def issued_before_cutoff(user: User, token) -> bool:
    """Was `token`, one minted before sessions existed, issued before the user's last
    revocation (password change, deactivation)? Tokens of a session end with the session."""
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
