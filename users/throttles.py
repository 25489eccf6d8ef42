"""Brute-force throttles (login per client IP and per e-mail, password checks per user),
counted in tickethelp.throttle_store: a table (or Redis) that nothing evicts, incremented
atomically, shared by every worker process."""

import hashlib

from rest_framework.throttling import UserRateThrottle

from tickethelp.throttle_store import CountedRateThrottle
from users.models import normalize_email


class LoginIPThrottle(CountedRateThrottle):
    scope = "login_ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginEmailThrottle(CountedRateThrottle):
    """Per e-mail (normalised, hashed), whichever door: staff API, portal, admin. Listed
    after LoginIPThrottle, so that attempts from an address already refused are not counted
    against the e-mails they name."""

    scope = "login_email"

    def get_cache_key(self, request, view):
        data = request.data
        email = data.get("email") if hasattr(data, "get") else None
        if not isinstance(email, str) or not email.strip():
            return None
        ident = hashlib.sha256(normalize_email(email).encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


class PasswordCheckThrottle(CountedRateThrottle, UserRateThrottle):
    """Changing one's password checks the current one: with a stolen access token, that check
    would otherwise be a way to guess it. Per user, the `password_check` rate
    (PASSWORD_CHECK_RATE, 10 per hour by default)."""

    scope = "password_check"
