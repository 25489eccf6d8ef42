"""tickethelp.routing.grouped_by_first_segment, as the root URLconf uses it: every API route
resolves to the view, name, arguments and route spelling that the flat list of the apps'
routes gives it, tried in order, as Django would try them."""

import re
import uuid

import pytest
from django.urls import include, path, re_path, resolve
from django.urls.resolvers import URLResolver

from tickethelp import urls as root
from tickethelp.routing import grouped_by_first_segment

SAMPLES = {"int": "7", "str": "abc-1", "slug": "a-slug", "uuid": str(uuid.UUID(int=5)), "path": "a/b"}


def _flat_api_routes() -> list:
    return root.API_ROUTES


def _example(route: str) -> str:
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES[m.group(1) or "str"], route)


def _first_match(flat: list, api_path: str):
    for pattern in flat:
        match = pattern.pattern.match(api_path)
        if match is not None:
            return pattern, match
    return None, None


def _cases() -> list[str]:
    return [_example(str(pattern.pattern)) for pattern in _flat_api_routes() if "(?P" not in str(pattern.pattern)]


@pytest.mark.parametrize("api_path", _cases())
def test_every_api_route_resolves_as_the_flat_list_tried_in_order(api_path):
    # given what Django would pick from the apps' routes tried one after the other
    expected, match = _first_match(_flat_api_routes(), api_path)
    _, _, kwargs = match

    # when the grouped URLconf resolves it
    found = resolve(f"/api/{api_path}")

    # then the same route wins, with the same view, name, arguments and spelling
    assert found.func == expected.callback
    assert found.url_name == expected.name
    assert found.kwargs == {**kwargs, **expected.default_args}
    assert found.route == f"api/{expected.pattern}"


@pytest.mark.parametrize("api_path", ["tenant/no-such-route", "tenant/tickets/7/nope", "no-such-app/", "tickets/7/x"])
def test_unknown_paths_end_where_they_ended_before(api_path):
    expected, _ = _first_match(_flat_api_routes(), api_path)

    found = resolve(f"/api/{api_path}")

    # the portal's own catch-all for /api/tenant/..., the staff API's 404 for the rest
    if expected is None:
        assert found.url_name == "api-not-found"
    else:
        assert found.url_name == expected.name


def _view(name):
    def view(request):
        return name

    return view


def test_a_route_that_could_match_any_segment_keeps_the_later_routes_behind_it():
    # given routes where a catch-all comes between two routes of the segment "a"
    first, catch_all, later = _view("first"), _view("catch-all"), _view("later")
    patterns = grouped_by_first_segment(
        [
            path("a/one/", first, name="first"),
            path("b", _view("b"), name="b"),
            re_path(r"^(?P<rest>.*)/two/$", catch_all, name="catch-all"),
            path("a/two/", later, name="later"),
        ]
    )

    # then "a/one/" went into a group, the bare "b" and the catch-all stayed in place, and
    # the later "a/" route opened a new group after the catch-all instead of joining the first
    assert [type(p).__name__ for p in patterns] == ["URLResolver", "URLPattern", "URLPattern", "URLResolver"]
    resolver = URLResolver(path("", include(patterns)).pattern, patterns)
    assert resolver.resolve("a/one/").func is first
    assert resolver.resolve("a/two/").func is catch_all  # as in the flat list: the catch-all came first
