"""The OpenAPI document lists every endpoint of the "Tickets" section as documented."""

import pytest

TICKETS_SECTION_PATHS = {
    "/api/tickets/": {"get", "post"},
    "/api/tickets/least-busy-technician/": {"get"},
    "/api/tickets/change-technician/{ticket_id}/": {"put", "patch"},
    "/api/tickets/active-technicians/": {"get"},
    "/api/tickets/change-state/{ticket_id}/": {"put"},
    "/api/tickets/approve-state/{request_id}/": {"put"},
    "/api/tickets/pending-approvals/": {"get"},
    "/api/estados/": {"get", "post"},
    "/api/tickets/consulta/": {"get"},
    "/api/tickets/cancel/{ticket_id}/": {"put"},
    "/api/tickets/{ticket_id}/history/": {"get"},
    "/api/tickets/{ticket_id}/attachments/": {"get", "post"},
    "/api/tickets/{ticket_id}/attachments/{attachment_id}/download/": {"get"},
}


@pytest.mark.django_db
def test_schema_lists_every_tickets_endpoint(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = response.json()["paths"]

    for path, methods in TICKETS_SECTION_PATHS.items():
        assert path in paths, path
        assert methods <= set(paths[path]), (path, set(paths[path]))
    assert "/api/tickets" not in paths
    list_parameters = {p["name"] for p in paths["/api/tickets/"]["get"]["parameters"]}
    assert {"estado", "tecnico", "cliente", "fecha_desde", "fecha_hasta", "search", "page", "limit"} <= list_parameters
