"""The OpenAPI document is valid OpenAPI and lists every endpoint of both API documents."""

import re

import pytest
from openapi_spec_validator import validate

# Written out from /work/shared/spec/servicedesk-api.txt, tenant-portal-api.txt and
# ENDPOINTS.md (which adds the "+" endpoints and the management API), spelled as there.
DOCUMENTED_PATHS = [
    # Staff API — users and auth
    "/api/users/auth/login/",
    "/api/users/auth/refresh/",
    "/api/users/auth/logout/",
    "/api/users/auth/change-password/",
    "/api/users/auth/validate-token/",
    "/api/users/auth/user-data/",
    "/api/users/",
    "/api/users/create/",
    "/api/users/{pk}/",
    "/api/users/delete/{pk}",
    "/api/users/deactivate/{pk}",
    "/api/users/activate/{pk}/",
    "/api/users/update-profile-picture/{pk}/",
    "/api/users/update-user/{pk}/",
    "/api/admins/",
    "/api/admins/{pk}/",
    "/api/technicians/",
    "/api/technicians/{pk}/",
    "/api/clients/",
    "/api/clients/{document}/",
    "/api/me/",
    "/api/me/change-password/",
    "/api/me/{pk}/",
    "/api/me/change-password/{pk}/",
    # Staff API — tickets
    "/api/tickets/",
    "/api/tickets/least-busy-technician/",
    "/api/tickets/change-technician/{ticket_id}/",
    "/api/tickets/active-technicians/",
    "/api/tickets/change-state/{ticket_id}/",
    "/api/tickets/approve-state/{request_id}/",
    "/api/tickets/pending-approvals/",
    "/api/estados/",
    "/api/tickets/consulta/",
    "/api/tickets/cancel/{ticket_id}/",
    "/api/tickets/{ticket_id}/history/",
    "/api/tickets/{ticket_id}/attachments/",
    # Staff API — notifications
    "/api/notifications/",
    "/api/notifications/{notification_id}/",
    "/api/notifications/stats/",
    "/api/notifications/types/",
    "/api/notifications/user-notifications/",
    "/api/notifications/{notification_id}/mark-read/",
    "/api/notifications/mark-all-read/",
    # Staff API — reports
    "/api/reports/stats/general-stats/",
    "/api/reports/stats/performance-ranking/",
    "/api/reports/stats/clients-evolution/",
    # Tenant API
    "/api/tenant/login",
    "/api/tenant/logout",
    "/api/tenant/me",
    "/api/tenant/devices",
    "/api/tenant/tickets",
    "/api/tenant/tickets/{id}",
    "/api/tenant/tickets/{id}/attachments",
    "/api/tenant/tickets/{id}/cancel",
    "/api/tenant/apartment",
    "/api/tenant/building",
    "/api/tenant/doormen",
    "/api/tenant/owner",
    "/api/tenant/change-password",
    "/api/tenant/reset-password-request",
    "/api/tenant/notifications",
    "/api/tenant/notifications/{id}/read",
    "/api/tenant/notifications/mark-all-read",
    # Management API
    "/api/buildings/",
    "/api/buildings/{id}/",
    "/api/apartments/",
    "/api/apartments/{id}/",
    "/api/owners/",
    "/api/owners/{id}/",
    "/api/doormen/",
    "/api/doormen/{id}/",
    "/api/tenants/",
    "/api/tenants/{id}/",
    "/api/devices/",
    "/api/devices/{id}/",
    "/api/device-types/",
    "/api/device-types/{id}/",
]


def _shape(path: str) -> str:
    """The path with every parameter name dropped: /api/users/{pk}/ -> /api/users/{}/."""
    return re.sub(r"\{[^}]*\}", "{}", path)


@pytest.fixture
def schema(api_client) -> dict:
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    return response.json()


@pytest.mark.django_db
def test_the_schema_is_valid_openapi(schema):
    # when / then: raises OpenAPIValidationError on the first violation
    validate(schema)
    assert schema["openapi"] == "3.0.3"


def test_the_expected_list_has_no_duplicates():
    assert len({_shape(path) for path in DOCUMENTED_PATHS}) == len(DOCUMENTED_PATHS)


@pytest.mark.django_db
def test_every_documented_path_is_in_the_schema(schema):
    # given the schema's paths, compared by shape (parameter names differ between documents)
    schema_shapes = {_shape(path) for path in schema["paths"]}

    # then
    missing = [path for path in DOCUMENTED_PATHS if _shape(path) not in schema_shapes]
    assert missing == []
