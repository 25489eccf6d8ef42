"""Throttles of the tenant portal, kept in the shared cache like the login throttles."""

from rest_framework.throttling import UserRateThrottle


class PasswordResetRequestThrottle(UserRateThrottle):
    """Each reset e-mails a new temporary password: at most 3 per user and hour."""

    scope = "tenant_password_reset"
    rate = "3/hour"
