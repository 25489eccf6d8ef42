"""Fixtures of the security suites."""

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def schema_document(db) -> dict:
    """The project's own OpenAPI document, as /api/schema/ serves it (JSON)."""
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()
