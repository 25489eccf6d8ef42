"""CORS: the configured front-end origins may call /api/, nobody else, and only /api/."""

import pytest

WEB = "https://app.tickethelp.example"
MOBILE = "https://mobile.tickethelp.example"
FOREIGN = "https://evil.example"


@pytest.fixture(autouse=True)
def _front_end_origins(settings):
    settings.CORS_ALLOWED_ORIGINS = [WEB, MOBILE]


@pytest.mark.django_db
@pytest.mark.parametrize("origin", [WEB, MOBILE])
def test_an_allowed_origin_passes_the_preflight(api_client, origin):
    # when the browser asks before a cross-origin POST
    response = api_client.options(
        "/api/tenant/login",
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )

    # then
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == origin
    assert "POST" in response["Access-Control-Allow-Methods"].split(", ")
    assert {"authorization", "content-type"} <= set(response["Access-Control-Allow-Headers"].split(", "))
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.django_db
def test_an_allowed_origin_reads_the_response_and_its_exposed_headers(as_admin):
    # when
    response = as_admin.get("/api/estados/", HTTP_ORIGIN=WEB)

    # then
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == WEB
    assert response["Access-Control-Expose-Headers"] == "X-Request-ID, X-Total-Count, Link, ETag, Idempotent-Replayed"
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.django_db
def test_a_foreign_origin_gets_no_cors_headers(api_client, as_admin):
    # when
    preflight = api_client.options("/api/tenant/login", HTTP_ORIGIN=FOREIGN, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    get = as_admin.get("/api/estados/", HTTP_ORIGIN=FOREIGN)

    # then
    assert "Access-Control-Allow-Origin" not in preflight
    assert get.status_code == 200
    assert "Access-Control-Allow-Origin" not in get
    assert "Access-Control-Expose-Headers" not in get


@pytest.mark.django_db
def test_cors_applies_to_the_api_only(api_client):
    # when an allowed origin calls the health check (outside /api/)
    response = api_client.get("/healthz", HTTP_ORIGIN=WEB)

    # then
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.django_db
def test_a_browser_may_send_an_idempotency_key_and_if_none_match(api_client):
    response = api_client.options(
        "/api/tickets/",
        HTTP_ORIGIN=WEB,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type, idempotency-key, if-none-match",
    )

    assert response.status_code == 200
    allowed = set(response["Access-Control-Allow-Headers"].split(", "))
    assert {"authorization", "content-type", "idempotency-key", "if-none-match"} <= allowed
