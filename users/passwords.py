"""Random passwords for new accounts and resets (never derived from e-mail or document)."""

import secrets
import string

_ALPHABET = string.ascii_letters + string.digits + "!@#$%*-_"


def generate_password(length: int = 14) -> str:
    """A random password with at least one lower, upper, digit and symbol character."""
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if (
            any(c.islower() for c in candidate)
            and any(c.isupper() for c in candidate)
            and any(c.isdigit() for c in candidate)
            and any(c in "!@#$%*-_" for c in candidate)
        ):
            return candidate
