"""The service levels in the APIs: the `sla` key of staff ticket objects, the `?sla=` list
filter, the tenant's expected resolution date and `/api/sla-policies/` (ADMIN)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.fields import DateTimeField

from sla.models import SLAPolicy
from tests.conftest import client_for
from tests.factories import TicketFactory, estado
from tests.query_counts import assert_constant
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def staff_date(moment) -> str:
    """A date as every date of the staff API (DRF's, in the configured time zone)."""
    return DateTimeField().to_representation(moment)


def clocked_ticket(*, first_response_in=None, resolution_in=None, approval_in=None, **extra) -> Ticket:
    """A ticket whose running clocks are due in the given times from now (negative: past),
    each 80 % instant two hours before its due."""
    now = timezone.now()
    columns = {}
    for prefix, delta in (("first_response", first_response_in), ("resolution", resolution_in)):
        if delta is not None:
            columns[f"{prefix}_due"] = now + delta
            columns[f"{prefix}_warn_at"] = now + delta - 2 * HOUR
    if approval_in is not None:
        columns["approval_due"] = now + approval_in
        columns["approval_warn_at"] = now + approval_in - 2 * HOUR
    return TicketFactory(**columns, **extra)


def test_staff_ticket_objects_carry_the_sla_key(as_admin):
    # given a ticket whose first response is overdue and whose resolution is due tomorrow
    ticket = clocked_ticket(first_response_in=-HOUR, resolution_in=24 * HOUR)

    # when an admin lists the tickets
    response = as_admin.get("/api/tickets/")

    # then the ticket says so
    assert response.status_code == 200
    [row] = response.json()["tickets"]
    assert row["sla"] == {
        "first_response_due": staff_date(ticket.first_response_due),
        "resolution_due": staff_date(ticket.resolution_due),
        "approval_due": None,
        "breached": ["first_response"],
        "paused": False,
    }


def test_consulta_carries_the_sla_key_too(tech_user):
    # given a ticket of the technician with a pending request waiting past its approval due
    ticket = clocked_ticket(
        tecnico=tech_user, resolution_in=24 * HOUR, approval_in=-HOUR, resolution_paused_at=timezone.now() - 3 * HOUR
    )

    # when the technician reads their tickets
    response = client_for(tech_user).get("/api/tickets/consulta/")

    # then the paused resolution and the breached approval are shown
    assert response.status_code == 200
    [row] = response.json()["tickets"]
    assert row["sla"] == {
        "first_response_due": None,
        "resolution_due": staff_date(ticket.resolution_due),
        "approval_due": staff_date(ticket.approval_due),
        "breached": ["approval"],
        "paused": True,
    }


def test_the_list_filters_breached_and_at_risk_tickets(as_admin):
    # given tickets: breached on each clock, at risk on each clock, on time, and stopped/paused ones
    breached = [
        clocked_ticket(first_response_in=-HOUR),
        clocked_ticket(resolution_in=-HOUR),
        clocked_ticket(approval_in=-HOUR),
    ]
    at_risk = [
        clocked_ticket(first_response_in=HOUR),
        clocked_ticket(resolution_in=HOUR),
        clocked_ticket(approval_in=HOUR),
    ]
    clocked_ticket(first_response_in=10 * HOUR, resolution_in=30 * HOUR)  # on time
    clocked_ticket(first_response_in=-HOUR, first_responded_at=timezone.now() - 2 * HOUR)  # answered in time
    clocked_ticket(resolution_in=-HOUR, resolution_paused_at=timezone.now() - 2 * HOUR)  # paused
    clocked_ticket(resolution_in=-HOUR, sla_stopped_at=timezone.now() - 2 * HOUR, estado=estado("finalized"))

    # when an admin asks for each list
    breached_ids = [row["id"] for row in as_admin.get("/api/tickets/?sla=breached").json()["tickets"]]
    at_risk_response = as_admin.get("/api/tickets/", {"sla": "at_risk"})

    # then each holds exactly its tickets
    assert sorted(breached_ids) == sorted(ticket.pk for ticket in breached)
    assert at_risk_response.status_code == 200
    assert at_risk_response.json()["total_tickets"] == 3
    assert sorted(row["id"] for row in at_risk_response.json()["tickets"]) == sorted(ticket.pk for ticket in at_risk)


def test_an_unknown_sla_filter_value_is_a_400_naming_the_parameter(as_admin):
    response = as_admin.get("/api/tickets/?sla=late")

    assert response.status_code == 400
    assert list(response.json()) == ["sla"]


def test_the_breached_list_runs_the_same_queries_for_1_and_50_tickets(as_admin):
    def add(n):
        for _ in range(n):
            clocked_ticket(first_response_in=-HOUR, resolution_in=HOUR)

    response = assert_constant(as_admin, "/api/tickets/?sla=breached", add)
    assert response.json()["total_tickets"] == 50
    assert all(row["sla"]["breached"] == ["first_response"] for row in response.json()["tickets"])


def test_the_at_risk_consulta_runs_the_same_queries_for_1_and_50_tickets(tech_user):
    def add(n):
        for _ in range(n):
            clocked_ticket(tecnico=tech_user, resolution_in=HOUR)

    response = assert_constant(client_for(tech_user), "/api/tickets/consulta/?sla=at_risk", add)
    assert response.json()["total_tickets"] == 50


# --- /api/sla-policies/ ----------------------------------------------------------------------


def test_the_seeded_default_policies_are_listed(as_admin):
    response = as_admin.get("/api/sla-policies/")

    assert response.status_code == 200
    targets = {
        row["priority"]: (row["first_response_minutes"], row["resolution_minutes"], row["approval_minutes"])
        for row in response.json()
        if row["category"] == ""
    }
    assert targets == {
        "urgent": (60, 480, 240),
        "high": (240, 1440, 240),
        "medium": (480, 4320, 240),
        "low": (1440, 7200, 240),
    }


def test_an_admin_creates_updates_and_deletes_a_policy(as_admin):
    # when an admin creates a policy for urgent network tickets
    body = {
        "priority": "urgent",
        "category": "redes",
        "first_response_minutes": 30,
        "resolution_minutes": 240,
        "approval_minutes": 60,
    }
    created = as_admin.post("/api/sla-policies/", body, format="json")

    # then it is stored and active
    assert created.status_code == 201
    policy_id = created.json()["id"]
    assert {key: created.json()[key] for key in (*body, "active")} == {**body, "active": True}

    # when its resolution target is changed
    patched = as_admin.patch(f"/api/sla-policies/{policy_id}/", {"resolution_minutes": 300}, format="json")
    assert patched.status_code == 200
    assert SLAPolicy.objects.get(pk=policy_id).resolution_minutes == 300

    # when it is read and deleted
    assert as_admin.get(f"/api/sla-policies/{policy_id}/").json()["resolution_minutes"] == 300
    assert as_admin.delete(f"/api/sla-policies/{policy_id}/").status_code == 204
    assert not SLAPolicy.objects.filter(pk=policy_id).exists()
    assert as_admin.get(f"/api/sla-policies/{policy_id}/").status_code == 404


def test_a_second_active_policy_for_the_same_priority_is_a_409(as_admin):
    body = {"priority": "high", "first_response_minutes": 10, "resolution_minutes": 20, "approval_minutes": 30}

    response = as_admin.post("/api/sla-policies/", body, format="json")

    assert response.status_code == 409
    assert SLAPolicy.objects.filter(priority="high", category="").count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"priority": "ahora", "first_response_minutes": 1, "resolution_minutes": 1, "approval_minutes": 1},
            "priority",
        ),
        (
            {
                "priority": "low",
                "category": "x",
                "first_response_minutes": 0,
                "resolution_minutes": 1,
                "approval_minutes": 1,
            },
            "first_response_minutes",
        ),
        (
            {"priority": "low", "category": "x", "first_response_minutes": 1, "resolution_minutes": 1},
            "approval_minutes",
        ),
    ],
)
def test_invalid_policies_are_a_400_naming_the_field(as_admin, body, field):
    response = as_admin.post("/api/sla-policies/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("role", ["TECH", "CLIENT"])
def test_only_admins_manage_policies(role_clients, role):
    assert role_clients[role].get("/api/sla-policies/").status_code == 403
    assert role_clients[role].post("/api/sla-policies/", {}, format="json").status_code == 403
