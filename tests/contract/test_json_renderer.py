"""tickethelp.renderers.JSONRenderer (orjson) writes exactly the bytes DRF's JSONRenderer
writes: on the real responses of both APIs, and on the values where the two encoders
differ (dates, decimals, lazy strings, tiny floats, U+2028, indentation)."""

import datetime
import decimal
import uuid
from dataclasses import dataclass

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import renderers

from tests.conftest import client_for
from tests.contract.test_fast_output import desk, responses  # noqa: F401 - the fixture and its calls
from tickethelp.renderers import JSONRenderer

DRF = renderers.JSONRenderer()
ORJSON = JSONRenderer()


def _drf_bytes(response) -> bytes:
    return DRF.render(response.data, response.accepted_media_type, response.renderer_context)


@pytest.mark.django_db
def test_every_read_of_both_apis_renders_as_drf_renders_it(desk, monkeypatch):  # noqa: F811
    # given: every answer's bytes and DRF's rendering of the same data
    rendered = []
    original_render = JSONRenderer.render

    def compare(self, data, accepted_media_type=None, renderer_context=None):
        ours = original_render(self, data, accepted_media_type, renderer_context)
        rendered.append((ours, DRF.render(data, accepted_media_type, renderer_context)))
        return ours

    monkeypatch.setattr(JSONRenderer, "render", compare)

    # when: the lists, details and documents of both APIs (tests/contract/test_fast_output.py)
    answers = responses(desk)

    # then
    assert len(rendered) >= len(answers)
    assert all(ours == theirs for ours, theirs in rendered)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/reports/stats/general-stats/",
        "/api/reports/stats/clients-evolution/?year=2025",
        "/api/reports/stats/performance-ranking/?limit=10",
        "/api/reports/stats/tiempo-resolucion/",
        "/api/reports/stats/satisfaction/",
        "/api/tickets/?page=abc",
    ],
)
def test_reports_and_errors_render_as_drf_renders_them(desk, path):  # noqa: F811
    # when
    response = client_for(desk["admin"]).get(path)

    # then
    assert isinstance(response.accepted_renderer, JSONRenderer)
    assert response.content == _drf_bytes(response)


@pytest.mark.django_db
def test_tenant_errors_render_as_drf_renders_them(desk):  # noqa: F811
    # when
    client = client_for(desk["resident"].user)
    missing = client.get("/api/tenant/tickets/999999")
    invalid = client.post("/api/tenant/tickets", {"title": ""}, format="json")

    # then
    for response in (missing, invalid):
        assert response.status_code in (404, 422), response.content
        assert response.content == _drf_bytes(response)


@dataclass
class Point:
    x: int


class Listish:
    def tolist(self):
        return [1, 2]


@pytest.mark.sqlite
@pytest.mark.parametrize(
    "data",
    [
        {"at": datetime.datetime(2026, 1, 2, 3, 4, 5, 120000, tzinfo=datetime.UTC)},
        {"at": datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=-5)))},
        {"at": datetime.datetime(2026, 1, 2, 3, 4, 5)},  # noqa: DTZ001 - a naive one on purpose
        {"day": datetime.date(2026, 1, 2), "time": datetime.time(3, 4, 5, 6), "span": datetime.timedelta(hours=1)},
        {"amount": decimal.Decimal("12.50"), "tiny": decimal.Decimal("0.00001")},
        {"id": uuid.UUID("12345678-1234-5678-1234-567812345678")},
        {"label": gettext_lazy("Usuario"), "text": 'ñandú «sí» \u2028 \u2029 \U0001f600 "q" \\ \n'},
        {"floats": [0.1, 1e-05, 2.5e-4, 1e16, 1.2345678901234568e16, -0.0, 3.0, 1e22]},
        {"ints": [0, -1, 2**63 - 1, 2**64, -(2**70)]},
        {"keys": {1: "a", 2.5: "b", None: "c"}},
        {"nested": [[], {}, [{"a": [None, True, False]}]], "tuple": (1, "2")},
        {"listish": Listish()},
        [],
        "plain string",
        12,
    ],
)
def test_values_render_as_drf_renders_them(data):
    # when / then
    assert ORJSON.render(data, "application/json") == DRF.render(data, "application/json")


@pytest.mark.sqlite
def test_an_indented_rendering_is_drfs():
    # given
    data = {"a": [1, {"b": "ñ"}]}

    # when
    ours = ORJSON.render(data, "application/json; indent=4")

    # then
    assert ours == DRF.render(data, "application/json; indent=4")
    assert b"\n    " in ours


@pytest.mark.sqlite
def test_nothing_renders_as_an_empty_body():
    # when / then
    assert ORJSON.render(None) == b"" == DRF.render(None)


@pytest.mark.sqlite
@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"at": datetime.time(3, 4, tzinfo=datetime.UTC)}, ValueError),  # an aware time
        ({"point": Point(1)}, TypeError),  # a dataclass (orjson alone would encode it)
    ],
)
def test_what_drf_refuses_ours_refuses_too(data, error):
    # when / then
    with pytest.raises(error):
        DRF.render(data)
    with pytest.raises(error):
        ORJSON.render(data)
