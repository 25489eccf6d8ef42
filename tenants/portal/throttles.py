"""Throttles of the tenant portal, kept in the shared cache like the login throttles."""

from rest_framework.throttling import UserRateThrottle


class PasswordResetRequestThrottle(UserRateThrottle):
    """Each reset e-mails a new temporary password: 3 per user and hour by default
    (the `tenant_password_reset` rate, PASSWORD_RESET_RATE)."""

    scope = "tenant_password_reset"
