"""What the schema fuzzer (test_fuzz.py) found, pinned down one case each: the response it
got wrong is now right, and it is the response the OpenAPI document promises."""

import pytest
from rest_framework.test import APIClient

from tests.conftest import client_for
from tests.factories import DeviceFactory, TenantFactory, TicketFactory, estado
from tests.security.fuzzing import documented_body_errors
from tickets.models import Estado
from users.tokens import issue_tokens


@pytest.fixture
def tenant(db):
    return TenantFactory()


def test_new_state_without_portal_status_takes_the_models_default(as_admin):
    # given a body without the optional portal_status (a 500 before: the service required it)
    body = {"codigo": "espera", "nombre": "En espera"}

    # when
    response = as_admin.post("/api/estados/", body, format="json")

    # then
    assert response.status_code == 201
    assert response.json()["portal_status"] == "in_progress"
    assert Estado.objects.get(codigo="espera").portal_status == "in_progress"


def test_invalid_list_items_are_reported_by_position_as_documented(schema_document, as_admin):
    # given a device whose owners list holds something that is not an id
    device = DeviceFactory()

    # when
    response = as_admin.patch(f"/api/devices/{device.pk}/", {"owners": ["uno"]}, format="json")

    # then the error names the field and the position, and the document allows that shape
    assert response.status_code == 400
    assert list(response.json()["owners"]) == ["0"]
    assert documented_body_errors(schema_document, "PATCH", "/api/devices/{id}/", 400, response.json()) == []


def test_the_documented_400_shape_still_rejects_other_bodies(schema_document):
    # given a field error that is neither a list of messages nor messages by position
    body = {"owners": "not a list"}

    # then the documented 400 schema refuses it (the loosened schema is not "anything goes")
    assert documented_body_errors(schema_document, "PATCH", "/api/devices/{id}/", 400, body) != []


@pytest.mark.parametrize("role", ["anonymous", "tenant"])
def test_post_to_an_unknown_tenant_path_is_a_json_404(tenant, role):
    # given a path whose id is not a number, sent like a real client (CSRF checks on: the
    # catch-all route got Django's HTML CSRF page before)
    client = APIClient(enforce_csrf_checks=True)
    if role == "tenant":
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_tokens(tenant.user).access_token}")

    # when
    response = client.post("/api/tenant/tickets/abc/cancel")

    # then
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "Not Found", "message": "Not found."}


def test_tenant_login_with_a_malformed_body_is_a_documented_400(schema_document, db):
    # when
    response = APIClient().post("/api/tenant/login", b'{"email": ', content_type="application/json")

    # then
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["message"]
    assert documented_body_errors(schema_document, "POST", "/api/tenant/login", 400, response.json()) == []


def test_tenant_change_password_documents_both_of_its_400_bodies(schema_document, tenant):
    # given
    client = client_for(tenant.user)
    wrong_current = {"current_password": "no-es-la-clave", "new_password": "Nueva-clave-123"}
    wrong_current["new_password_confirmation"] = wrong_current["new_password"]

    # when
    malformed = client.post("/api/tenant/change-password", b"{", content_type="application/json")
    refused = client.post("/api/tenant/change-password", wrong_current, format="json")

    # then
    assert malformed.status_code == 400
    assert malformed.json()["error"] == "Bad Request"
    assert set(malformed.json()) == {"error", "message"}
    assert refused.status_code == 400
    assert refused.json() == {
        "error": "Current password is incorrect",
        "message": "The current password does not match.",
    }
    for response in (malformed, refused):
        assert (
            documented_body_errors(schema_document, "POST", "/api/tenant/change-password", 400, response.json()) == []
        )


def test_empty_consulta_matches_its_documented_200(schema_document, as_client):
    # when a client without tickets asks
    response = as_client.get("/api/tickets/consulta/")

    # then the documented empty shape is what the document promises, too
    assert response.status_code == 200
    assert response.json() == {"message": "No tienes tickets registrados."}
    assert documented_body_errors(schema_document, "GET", "/api/tickets/consulta/", 200, response.json()) == []


def test_an_empty_csv_table_still_has_its_header_and_content_type(as_admin):
    # given an open ticket only: no resolution times per technician
    TicketFactory(estado=estado("open"))

    # when
    response = as_admin.get("/api/reports/stats/tiempo-resolucion/", {"format": "csv"})

    # then (an empty body without Content-Type before)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode() == "document,nombre_completo,tickets_resueltos,promedio_horas\n"


@pytest.mark.parametrize(
    ("who", "query", "status"),
    [
        ("admin", {"format": "csv", "year": "abc"}, 400),
        ("anonymous", {"format": "csv", "year": "2026"}, 401),
    ],
)
def test_report_errors_are_json_even_when_csv_was_asked_for(schema_document, as_admin, who, query, status):
    # given
    client = as_admin if who == "admin" else APIClient()

    # when
    response = client.get("/api/reports/stats/clients-evolution/", query)

    # then the error is the documented JSON body
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    path = "/api/reports/stats/clients-evolution/"
    assert documented_body_errors(schema_document, "GET", path, status, response.json()) == []
