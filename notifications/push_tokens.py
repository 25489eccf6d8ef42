"""Phones' push tokens: registering, removing and listing a user's own (both APIs).

A token belongs to one user: registering it again moves it to the caller (the phone changed
hands) as if it were new — the previous owner, its dates and the reason it was retired are
never shown. Removing a token that is not the caller's changes nothing and answers like an
unknown one. A user keeps at most `PUSH_TOKENS_PER_USER` active tokens: registering one more
retires the least recently registered.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.models import DeliveryStatus, PushDelivery, PushToken, PushTokenType
from users.models import User

# `ExponentPushToken[...]` (classic) or `ExpoPushToken[...]`; the id is URL-safe characters.
EXPO_TOKEN = re.compile(r"^Expo(?:nent)?PushToken\[[A-Za-z0-9_-]{1,200}\]$")
# FCM registration tokens: URL-safe base64 with ":" separators, about 150-200 characters.
FCM_TOKEN = re.compile(r"^[A-Za-z0-9_:-]{20,255}$")
TOKEN_FORMATS = {PushTokenType.EXPO: EXPO_TOKEN, PushTokenType.FCM: FCM_TOKEN}
TOKEN_FORMAT_MESSAGES = {
    PushTokenType.EXPO: _("Not an Expo push token (ExponentPushToken[...] or ExpoPushToken[...])."),
    PushTokenType.FCM: _("Not an FCM registration token (20-255 characters: letters, digits, '-', '_', ':')."),
}

# `PushToken.retired_reason` values written here (delivery writes its own, e.g. DeviceNotRegistered).
RETIRED_REMOVED = "removed"
RETIRED_LIMIT = "limit"
RETIRED_OTHER_OWNER = "other_owner"


def token_format_error(token: str, token_type: str) -> str | None:
    """Why `token` is not a valid token of `token_type` (in the active language), or None."""
    pattern = TOKEN_FORMATS.get(token_type)
    if pattern is None or pattern.fullmatch(token):
        return None
    return str(TOKEN_FORMAT_MESSAGES[token_type])


# --- Reads ---------------------------------------------------------------------------------


def push_token_list(*, user: User) -> QuerySet[PushToken]:
    """The user's active tokens, most recently registered first."""
    return PushToken.objects.filter(usuario=user, is_active=True).order_by("-last_registered_at", "-id")


# --- Writes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceInfo:
    """What the app says about the phone; optional fields are blank when not sent."""

    token_type: str
    platform: str
    device_type: str = ""
    device_name: str = ""
    app_ownership: str = ""
    is_standalone: bool | None = None
    execution_environment: str = ""


def push_token_register(*, user: User, token: str, device: DeviceInfo) -> PushToken:
    """Make `token` the caller's active token (new, re-registered, revived or taken over) and
    retire the caller's oldest ones past the per-user bound. One transaction; the caller's
    user row is locked (their bound is decided once) and the token row too (one owner)."""
    now = timezone.now()
    fields = {
        "token_type": device.token_type,
        "platform": device.platform,
        "device_type": device.device_type,
        "device_name": device.device_name,
        "app_ownership": device.app_ownership,
        "is_standalone": device.is_standalone,
        "execution_environment": device.execution_environment,
        "is_active": True,
        "last_registered_at": now,
        "retired_at": None,
        "retired_reason": "",
    }
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()
        existing = PushToken.objects.select_for_update().filter(token=token).first()
        if existing is None:
            # Two first registrations of one token at once: the second waits for the first
            # and updates its row (INSERT ... ON CONFLICT DO UPDATE), so there is one row.
            PushToken.objects.bulk_create(
                [PushToken(usuario=user, token=token, created_at=now, **fields)],
                update_conflicts=True,
                unique_fields=["token"],
                update_fields=["usuario", "created_at", *fields],
            )
        else:
            if existing.usuario_id != user.pk:
                # Another user's phone now: nothing queued for them goes to it, and nothing of
                # theirs (since when it was registered) shows to the new owner.
                PushDelivery.objects.filter(token=existing, estado=DeliveryStatus.PENDIENTE).update(
                    estado=DeliveryStatus.OMITIDA, ultimo_error=RETIRED_OTHER_OWNER
                )
                fields.update(usuario=user, created_at=now)
            PushToken.objects.filter(pk=existing.pk).update(**fields)
        registered = PushToken.objects.get(token=token)
        _retire_beyond_bound(user=user, now=now)
    return registered


def _retire_beyond_bound(*, user: User, now) -> int:
    bound = max(settings.PUSH_TOKENS_PER_USER, 1)
    extra = list(push_token_list(user=user).values_list("pk", flat=True)[bound:])
    if not extra:
        return 0
    return PushToken.objects.filter(pk__in=extra).update(is_active=False, retired_at=now, retired_reason=RETIRED_LIMIT)


def push_token_remove(*, user: User, token: str | None = None, token_id: int | None = None) -> bool:
    """Retire the caller's active token named by value or id. Returns whether one was; a token
    of another user, an unknown or an already retired one changes nothing."""
    tokens = push_token_list(user=user)
    tokens = tokens.filter(token=token) if token is not None else tokens.filter(pk=token_id)
    return bool(tokens.update(is_active=False, retired_at=timezone.now(), retired_reason=RETIRED_REMOVED))
