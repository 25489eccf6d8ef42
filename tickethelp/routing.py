"""URL helpers: every documented path answers with and without its trailing slash.

Both spellings are routed to the same view (no redirects, which would turn a POST into a
GET), and only the spelling written in the API documents appears in the OpenAPI schema.
"""

from django.urls import URLPattern, path

# Routes as documented (leading "/" form used by drf-spectacular), filled at import time.
_CANONICAL_ROUTES: set[str] = set()
_ALTERNATE_ROUTES: set[str] = set()


def _schema_form(prefix: str, route: str) -> str:
    """'/api/' + 'users/<str:document>/' -> '/api/users/{document}/' (drf-spectacular form)."""
    parts = []
    for piece in (prefix + route).split("/"):
        if piece.startswith("<") and piece.endswith(">"):
            piece = "{" + piece[1:-1].split(":")[-1] + "}"
        parts.append(piece)
    return "/" + "/".join(parts).lstrip("/")


def slash_optional(route: str, view, name: str, prefix: str = "api/") -> list[URLPattern]:
    """Route `route` exactly as documented plus its twin with/without the final slash.

    `prefix` is where the including URLconf mounts these patterns; it is only used to
    recognise the twin in the schema generator.
    """
    twin = route[:-1] if route.endswith("/") else route + "/"
    _CANONICAL_ROUTES.add(_schema_form(prefix, route))
    _ALTERNATE_ROUTES.add(_schema_form(prefix, twin))
    return [path(route, view, name=name), path(twin, view, name=f"{name}-alt")]


def drop_slash_variants(endpoints):
    """drf-spectacular preprocessing hook: keep only the documented spelling of each path."""
    return [
        endpoint for endpoint in endpoints if endpoint[0] in _CANONICAL_ROUTES or endpoint[0] not in _ALTERNATE_ROUTES
    ]
