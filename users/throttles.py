"""Brute-force throttles (login per client IP and per e-mail, password checks per user),
kept in the shared cache."""

import hashlib

from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle

from users.models import normalize_email


class LoginIPThrottle(SimpleRateThrottle):
    scope = "login_ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginEmailThrottle(SimpleRateThrottle):
    scope = "login_email"

    def get_cache_key(self, request, view):
        data = request.data
        email = data.get("email") if hasattr(data, "get") else None
        if not isinstance(email, str) or not email.strip():
            return None
        ident = hashlib.sha256(normalize_email(email).encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


class PasswordCheckThrottle(UserRateThrottle):
    """Changing one's password checks the current one: with a stolen access token, that check
    would otherwise be a way to guess it. Per user, the `password_check` rate
    (PASSWORD_CHECK_RATE, 10 per hour by default)."""

    scope = "password_check"
