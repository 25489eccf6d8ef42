"""WSGI entry point used by gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tickethelp.settings")

application = get_wsgi_application()


def warm_up() -> None:
    """Import now what the first requests would otherwise import on their way.

    Django imports the URLconf (every view, serializer and selector: ~100 modules) on the
    first request, and simplejwt loads its token backend (PyJWT and `cryptography`, ~70 modules) on the first
    request that carries a token: 60-75 ms measured, which every request arriving at a fresh
    worker in that moment waits for (the import lock), after every start and every recycle.
    Django's messages middleware imports its storage classes on the first request too. Here
    they load with the rest of the application: in gunicorn's master when it preloads
    (gunicorn.conf.py), otherwise while the worker boots, before it accepts a connection.
    `tests/ops/test_warm_up.py` fails when a first request imports anything again.
    """
    from django.conf import settings
    from django.urls import get_resolver, resolve, reverse
    from django.utils.module_loading import import_string
    from rest_framework_simplejwt.state import token_backend

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf: every view, serializer, selector
    resolve("/api/warm-up/")  # walks every API pattern: Django compiles each one's regex on first use
    reverse("healthz")  # builds the resolver's reverse tables
    token_backend.get_leeway()
    import_string(settings.MESSAGE_STORAGE)
    "".encode("unicode_escape")  # the codec module, loaded on first use (http.cookies' quoting)


warm_up()
