"""WSGI entry point used by gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tickethelp.settings")

application = get_wsgi_application()


def warm_up() -> None:
    """Import now what the first requests would otherwise import on their way.

    With production settings Django imports the URLconf (every view, serializer and
    selector: ~100 modules) on a worker's first request, and simplejwt its token backend
    (PyJWT and `cryptography`, ~70 modules) on the first one that carries a token: a fresh
    worker's first request took 160-180 ms, and every request reaching the worker meanwhile
    waited on the import lock, after every start and every recycle. Django's messages
    middleware imports its storage classes on the first request too, and compiles each
    route's regular expression the first time a path is matched against it. Here all of it
    happens with the rest of the application: in gunicorn's master when it preloads
    (gunicorn.conf.py), otherwise while the worker boots, before it accepts a connection.
    `tests/ops/test_warm_up.py` fails when a first request imports anything again.
    """
    from django.conf import settings
    from django.urls import get_resolver, reverse
    from django.utils.module_loading import import_string
    from rest_framework_simplejwt.state import token_backend  # noqa: F401 - PyJWT, cryptography

    _compile_routes(get_resolver().url_patterns)  # importing the URLconf on the way
    reverse("healthz")  # builds the resolver's reverse tables
    import_string(settings.MESSAGE_STORAGE)
    "".encode("unicode_escape")  # the codec module, loaded on first use (http.cookies' quoting)


def _compile_routes(patterns) -> None:
    for pattern in patterns:
        pattern.pattern.regex  # noqa: B018 - Django compiles a route's regex on first access
        _compile_routes(getattr(pattern, "url_patterns", ()))


warm_up()
