"""URL helpers: every documented path answers with and without its trailing slash.

Both spellings are routed to the same view (no redirects, which would turn a POST into a
GET), and only the spelling written in the API documents appears in the OpenAPI schema.
"""

from django.urls import URLPattern, include, path
from django.urls.resolvers import RoutePattern

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


def grouped_by_first_segment(patterns: list) -> list:
    """The same routes, those starting with a literal segment ("tickets/...") nested under
    one include per segment: a path is then matched against the segments first and against
    one group's routes after, instead of against every route of the API in turn.

    Django tries a URLconf's patterns in order and records every one it tried (a list per
    pattern, garbage for the collector): with ~225 API routes, a portal path was matched
    after 152 of them, 50-190 us per request on the benchmark machine. The order in which
    two routes could both match a path is kept: within a group the routes keep their order,
    and a route that could match any first segment (a converter or a regular expression
    there) closes the open groups, so no later route moves ahead of it. A route that is the
    segment alone without its slash ("tickets") matches no path of the "tickets/" group and
    stays where it is. Each route's full spelling, name and arguments are unchanged
    (`tests/contract/test_url_groups.py`).
    """
    grouped: list = []
    groups: dict[str, list] = {}
    for pattern in patterns:
        head, slash, rest = str(pattern.pattern).partition("/")
        literal = isinstance(pattern, URLPattern) and isinstance(pattern.pattern, RoutePattern) and "<" not in head
        if not literal:
            grouped.append(pattern)
            groups = {}
            continue
        if not slash:
            grouped.append(pattern)
            continue
        if head not in groups:
            groups[head] = []
            grouped.append(path(f"{head}/", include(groups[head])))
        groups[head].append(path(rest, pattern.callback, kwargs=pattern.default_args, name=pattern.name))
    return grouped
