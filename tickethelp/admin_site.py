"""The Django admin site, branded TicketHelp, with its login form throttled like the API logins.

Only active ADMIN users are staff (users.models.User.is_staff), so only they get past this
form. Attempts are counted per client IP and per e-mail (tickethelp.throttle_store), with the
same scopes (and so the same counters and rates) as `POST /api/users/auth/login/`: an
attacker gains no extra guesses by switching between the API and the admin. An attempt the
IP throttle refuses is not counted against the e-mail.
"""

from django.contrib.admin import AdminSite
from django.http import HttpResponse

from users.throttles import LoginEmailThrottle, LoginIPThrottle


class _AdminLoginAttempt:
    """What the API's login throttles read from a request, taken from the admin's form."""

    def __init__(self, request):
        self.META = request.META
        self.headers = request.headers
        self.data = {"email": request.POST.get("username", "")}


def _throttled_response(wait: float | None) -> HttpResponse:
    seconds = int(wait or 0) + 1
    response = HttpResponse(
        f"Demasiados intentos de inicio de sesión. Intenta de nuevo en {seconds} segundos.",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(seconds)
    return response


class TicketHelpAdminSite(AdminSite):
    # Django's defaults say "Administración de Django" on every page and in the browser tab.
    site_header = "TicketHelp · administración"
    site_title = "TicketHelp"
    index_title = "Panel de administración"

    def login(self, request, extra_context=None):
        if request.method == "POST":
            attempt = _AdminLoginAttempt(request)
            for throttle in (LoginIPThrottle(), LoginEmailThrottle()):
                if not throttle.allow_request(attempt, None):
                    return _throttled_response(throttle.wait())
        return super().login(request, extra_context)
