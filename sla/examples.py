"""OpenAPI examples of `/api/sla-policies/`."""

from tickethelp.openapi import request_example, response_example

POLICY = {
    "id": 5,
    "priority": "urgent",
    "category": "redes",
    "first_response_minutes": 30,
    "resolution_minutes": 240,
    "approval_minutes": 60,
    "active": True,
    "created_at": "2026-03-02T09:15:00-05:00",
    "updated_at": "2026-03-02T09:15:00-05:00",
}
POLICY_CREATE = {
    key: POLICY[key]
    for key in ("priority", "category", "first_response_minutes", "resolution_minutes", "approval_minutes")
}

# A list's example is one of its items (drf-spectacular shows it inside the list).
POLICIES_RESPONSE = response_example(
    "Política por defecto",
    {
        "id": 1,
        "priority": "urgent",
        "category": "",
        "first_response_minutes": 60,
        "resolution_minutes": 480,
        "approval_minutes": 240,
        "active": True,
        "created_at": "2026-03-01T08:00:00-05:00",
        "updated_at": "2026-03-01T08:00:00-05:00",
    },
)
POLICY_RESPONSE = response_example("Política", POLICY)
POLICY_CREATE_REQUEST = request_example("Nueva política", POLICY_CREATE)
POLICY_CREATED_RESPONSE = response_example("Política creada", POLICY, status=201)
POLICY_REPLACE_REQUEST = request_example("Política completa", {**POLICY_CREATE, "active": True})
POLICY_PATCH_REQUEST = request_example("Nuevo objetivo de resolución", {"resolution_minutes": 300})
POLICY_EXISTS = {"detail": "Ya existe una política activa para esa prioridad y categoría.", "code": "sla_policy_exists"}
POLICY_NOT_FOUND = {"detail": "Política de nivel de servicio no encontrada.", "code": "sla_policy_not_found"}
