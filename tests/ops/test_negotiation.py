"""JSONFirstNegotiation picks what DRF's DefaultContentNegotiation picks, for every Accept
header and format, and refuses what it refuses."""

import pytest
from django.http import Http404
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from reports.renderers import CSVRenderer
from tickethelp.negotiation import JSONFirstNegotiation
from tickethelp.renderers import JSONRenderer

RENDERER_LISTS = [[JSONRenderer()], [JSONRenderer(), CSVRenderer()], [CSVRenderer(), JSONRenderer()]]


def _choice(negotiation, renderers, path: str, accept: str | None, format_suffix=None):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get(path, **headers))
    try:
        renderer, media_type = negotiation.select_renderer(request, renderers, format_suffix)
    except NotAcceptable:
        return "406"
    except Http404:  # a ?format= that no renderer has
        return "404"
    return type(renderer).__name__, media_type


@pytest.mark.sqlite
@pytest.mark.parametrize("renderers", RENDERER_LISTS)
@pytest.mark.parametrize(
    "accept",
    [
        None,
        "*/*",
        "application/json",
        "application/json; indent=4",
        "text/csv",
        "text/html",
        "application/*",
        "text/html, application/json;q=0.9",
        "",
        "APPLICATION/JSON",
        "application/json, */*",
    ],
)
@pytest.mark.parametrize(("path", "suffix"), [("/api/x/", None), ("/api/x/?format=csv", None), ("/api/x/", "json")])
def test_the_choice_is_drfs(renderers, accept, path, suffix):
    # when
    ours = _choice(JSONFirstNegotiation(), renderers, path, accept, suffix)
    drfs = _choice(DefaultContentNegotiation(), renderers, path, accept, suffix)

    # then
    assert ours == drfs


@pytest.mark.sqlite
def test_a_json_request_takes_the_short_way(monkeypatch):
    # given: DRF's own negotiation made unusable
    monkeypatch.setattr(DefaultContentNegotiation, "select_renderer", None)

    # when
    choice = _choice(JSONFirstNegotiation(), [JSONRenderer()], "/api/x/", "application/json")

    # then
    assert choice == ("JSONRenderer", "application/json")
