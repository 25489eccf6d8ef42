"""The API documentation is served offline and lists every documented endpoint."""

import re

import pytest

# The "Usuarios" section of servicedesk-api.txt plus the refresh/logout PRODUCT.md adds,
# spelled exactly as documented (drf-spectacular writes `{param}` for path parameters).
USERS_SECTION_PATHS = {
    "/api/users/auth/login/": {"post"},
    "/api/users/auth/refresh/": {"post"},
    "/api/users/auth/logout/": {"post"},
    "/api/users/auth/change-password/": {"post"},
    "/api/users/auth/validate-token/": {"get"},
    "/api/users/auth/user-data/": {"get"},
    "/api/users/": {"get"},
    "/api/users/create/": {"post"},
    "/api/users/{document}/": {"get"},
    "/api/users/delete/{document}": {"delete"},
    "/api/users/deactivate/{document}": {"post"},
    "/api/users/activate/{document}/": {"post"},
    "/api/users/update-profile-picture/{document}/": {"patch"},
    "/api/users/update-user/{document}/": {"patch"},
    "/api/admins/": {"get"},
    "/api/admins/{document}/": {"get"},
    "/api/technicians/": {"get"},
    "/api/technicians/{document}/": {"get"},
    "/api/clients/": {"get"},
    "/api/clients/{document}/": {"get"},
    "/api/me/": {"get", "patch"},
    "/api/me/change-password/": {"post"},
    "/api/me/{document}/": {"get", "patch"},
    "/api/me/change-password/{document}/": {"post"},
}


@pytest.fixture
def schema(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


@pytest.mark.django_db
def test_schema_lists_every_users_endpoint_with_its_methods(schema):
    # given the generated OpenAPI document
    paths = schema["paths"]

    # then every documented path is there, spelled as documented, with its methods
    for path, methods in USERS_SECTION_PATHS.items():
        assert path in paths, path
        assert methods <= set(paths[path]), (path, set(paths[path]))


@pytest.mark.django_db
def test_schema_shows_only_the_documented_spelling_of_each_path(schema):
    # the slash-less twins answer requests but are not listed twice
    assert "/api/users/delete/{document}/" not in schema["paths"]
    assert "/api/users/auth/login" not in schema["paths"]
    assert schema["openapi"].startswith("3.")


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_load_every_asset_from_this_server(api_client, page):
    # given the documentation page
    response = api_client.get(page)
    assert response.status_code == 200
    html = response.content.decode()

    # then it references no external host (works with no internet access)...
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, "the page should load its UI bundle"
    assert not [url for url in assets if url.startswith(("http://", "https://", "//"))]

    # ...and every script and stylesheet it needs is served locally
    for url in assets:
        if url.endswith((".js", ".css")):
            asset = api_client.get(url)
            assert asset.status_code == 200, url
            assert b"".join(asset.streaming_content if asset.streaming else [asset.content])
