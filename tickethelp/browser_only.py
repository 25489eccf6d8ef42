"""Middleware that only the browser pages need, skipped on the JSON API's paths.

Sessions, Django's `request.user` and messages serve the admin (/admin/) and nothing else:
the API authenticates every request by its bearer token (DRF's authentication, never
SessionAuthentication) and neither reads a session nor shows a message. On `/api/...`
paths (the API documentation pages excepted) each of these middlewares hands the request
straight on; everywhere else it runs unchanged. CSRF is not wrapped: Django's deploy check
looks for its middleware by name, and the API's views are CSRF-exempt already.
"""

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware

API_PREFIX = "/api/"
# HTML pages under /api/ (Swagger UI, ReDoc) and their schema: treated like the admin.
BROWSER_PAGES = ("/api/docs", "/api/redoc", "/api/schema")


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIX) and not path.startswith(BROWSER_PAGES)


def browser_only(middleware_class):
    """A subclass of `middleware_class` (the admin's checks look for subclasses) that hands
    API requests straight on (see the module's docstring). For middleware whose work is in
    `__call__` (process_request/process_response), not in process_view hooks."""

    class BrowserOnly(middleware_class):
        def __call__(self, request):
            if is_api_path(request.path_info):
                return self.get_response(request)
            return super().__call__(request)

    BrowserOnly.__name__ = BrowserOnly.__qualname__ = f"BrowserOnly{middleware_class.__name__}"
    BrowserOnly.__doc__ = f"{middleware_class.__module__}.{middleware_class.__name__}, skipped on API paths."
    return BrowserOnly


BrowserOnlySessionMiddleware = browser_only(SessionMiddleware)
BrowserOnlyAuthenticationMiddleware = browser_only(AuthenticationMiddleware)
BrowserOnlyMessageMiddleware = browser_only(MessageMiddleware)
