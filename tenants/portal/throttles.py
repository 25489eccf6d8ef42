"""Throttles of the tenant portal, counted like the login throttles (tickethelp.throttle_store)."""

from rest_framework.throttling import UserRateThrottle

from tickethelp.throttle_store import CountedRateThrottle


class PasswordResetRequestThrottle(CountedRateThrottle, UserRateThrottle):
    """Each reset e-mails a new temporary password: 3 per user and hour by default
    (the `tenant_password_reset` rate, PASSWORD_RESET_RATE)."""

    scope = "tenant_password_reset"
