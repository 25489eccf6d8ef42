"""Throttles of the notifications routes, counted like the login throttles (tickethelp.throttle_store)."""

from rest_framework.throttling import UserRateThrottle

from tickethelp.throttle_store import CountedRateThrottle


class PushTokenRegisterThrottle(CountedRateThrottle, UserRateThrottle):
    """Apps register their token at every start: `push_token_register` per user
    (PUSH_TOKEN_REGISTER_RATE, 60/hour by default), on both APIs."""

    scope = "push_token_register"
