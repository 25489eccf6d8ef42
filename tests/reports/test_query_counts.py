"""Every report runs the same number of SQL queries for 1 and for 50 rows of each kind it
reads: technicians, clients, tickets in every state, finalized tickets with their approved
request (and stopped service-level clocks, each decided by its own admin), pending requests,
tickets opened from the portal about a device and rated visits."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import (
    AppointmentFactory,
    DeviceFactory,
    StateChangeRequestFactory,
    TenantFactory,
    TicketFactory,
    UserFactory,
    estado,
)
from tests.query_counts import assert_constant
from tickets.models import RequestStatus, Ticket
from users.models import Role
from visits.services import appointment_rate

pytestmark = pytest.mark.django_db

BASE = "/api/reports/stats/"
THIS_YEAR = timezone.localdate().year
RANGE = f"from={THIS_YEAR - 1}-01-01&to={THIS_YEAR}-12-31"

REPORTS = [
    ("general-stats/", None),
    (f"general-stats/?{RANGE}", None),
    ("performance-ranking/", "list"),
    ("performance-ranking/?limit=100", "list"),
    ("performance-ranking/?limit=100&format=csv", None),
    (f"clients-evolution/?year={THIS_YEAR}", None),
    (f"clients-evolution/?year={THIS_YEAR}&format=csv", None),
    ("distribucion-estados/", "list"),
    (f"distribucion-estados/?{RANGE}", "list"),
    ("tiempo-resolucion/", None),
    (f"tiempo-resolucion/?{RANGE}", None),
    ("antiguedad-tickets/?limit=100", "list"),
    ("flujo-tickets/", "list"),
    (f"flujo-tickets/?period=week&{RANGE}", "list"),
    ("aprobaciones-pendientes/?limit=100", None),
    ("tickets-portal/", None),
    (f"tickets-portal/?{RANGE}", None),
    ("satisfaction/", None),
    (f"satisfaction/?{RANGE}", None),
    (f"satisfaction/?from={THIS_YEAR - 1}-01-15&to={THIS_YEAR}-12-20&format=csv", None),
    ("sla-compliance/", None),
    (f"sla-compliance/?from={THIS_YEAR - 1}-01-15&to={THIS_YEAR}-12-20", None),
    ("sla-compliance/?format=csv", None),
]


def add_activity():
    """n technicians, each with a finalized ticket (approved request), an open ticket and a
    pending request; n clients; n portal tickets about n devices of n buildings."""

    def add(n):
        now = timezone.now()
        for i in range(n):
            tech = UserFactory(role=Role.TECH)
            opened = now - timedelta(days=i + 2)
            done = TicketFactory(tecnico=tech, estado=estado("finalized"), fecha=opened)
            finished = opened + timedelta(hours=i + 1)
            Ticket.objects.filter(pk=done.pk).update(
                fecha_resolucion=finished,
                # its service-level clocks, stopped (sla-compliance), n distinct minutes each
                first_responded_at=opened + timedelta(minutes=i),
                first_response_due=opened + timedelta(minutes=30),
                first_response_minutes=i,
                resolution_due=finished,
                resolution_paused_at=finished,
                sla_stopped_at=finished,
                resolution_minutes=60 * (i + 1),
            )
            StateChangeRequestFactory(
                ticket=done,
                requested_by=tech,
                from_state=estado("in_repair"),
                status=RequestStatus.APPROVED,
                decided_by=UserFactory(role=Role.ADMIN),
                decided_at=finished,
                approval_due=finished,
                waited_minutes=i,
            )
            TicketFactory(tecnico=tech, estado=estado("open"), fecha=opened)
            StateChangeRequestFactory(ticket__tecnico=tech, ticket__fecha=opened)
            tenant = TenantFactory()
            portal = TicketFactory(
                tecnico=tech,
                cliente=tenant.user,
                device=DeviceFactory(owners=[tenant]),
                category=f"categoria-{i % 7}",
                fecha=opened,
            )
            visit = AppointmentFactory(ticket=portal, status="awaiting_feedback", completed_at=opened)
            appointment_rate(appointment_id=visit.pk, resident=tenant.user, rating=1 + i % 5)

    return add


@pytest.mark.parametrize(("path", "shape"), REPORTS)
def test_report_query_count_does_not_grow_with_rows(as_admin, path, shape):
    response = assert_constant(as_admin, BASE + path, add_activity())

    if shape == "list":
        assert len(response.json()) >= 1
    if path.startswith("performance-ranking/?limit=100") and "csv" not in path:
        assert len(response.json()) == 50
    if path.startswith("aprobaciones-pendientes/"):
        assert response.json()["total_pendientes"] == 50
    if path == "sla-compliance/":
        body = response.json()
        assert (len(body["por_tecnico"]), len(body["aprobaciones"]["por_administrador"])) == (50, 50)
