"""Report roll-ups (reports.models) and the ticket counters' resolution times: kept exact by
the triggers whatever changes the tickets, answering clients-evolution, flujo-tickets and
tiempo-resolucion exactly as counting the tickets does."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports import selectors
from reports.models import ClientMonth, DailyFlow, DistinctClients, RollupZone
from tests.factories import DeviceFactory, TenantFactory, TicketFactory, UserFactory, estado
from tickets import services
from tickets.models import Ticket
from users.models import Role

pytestmark = pytest.mark.django_db

YEAR = 2025


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(YEAR, month, day, hour, tzinfo=timezone.get_current_timezone())


def both_ways(report):
    """(from the roll-ups, from the tickets): the same report computed each way."""
    assert selectors._rollups_ready()
    rolled = report()
    zone = RollupZone.objects.get()
    RollupZone.objects.all().delete()
    try:
        assert not selectors._rollups_ready()
        counted = report()
    finally:
        RollupZone.objects.create(zone=zone.zone)
    return rolled, counted


@pytest.fixture
def history(admin_user, tech_user):
    """Tickets over a year, moved, re-dated, re-assigned to other clients, approved, deleted."""
    clients = UserFactory.create_batch(4, role=Role.CLIENT)
    for month in range(1, 13):
        for n, client in enumerate(clients[: 1 + month % 4]):
            TicketFactory(cliente=client, tecnico=tech_user, fecha=at(month, 1 + n * 7, hour=n * 6))
    # midnight edges in the local zone: the last minute of a month and the first of the next
    TicketFactory(cliente=clients[0], fecha=at(3, 31, 23) + timedelta(minutes=59))
    TicketFactory(cliente=clients[1], fecha=at(4, 1, 0))
    # finalized through the workflow (resolved now), and one resolved in the year by hand
    ticket = TicketFactory(cliente=clients[2], tecnico=tech_user, estado=estado("in_repair"), fecha=at(6, 10))
    outcome = services.ticket_change_state(ticket_id=ticket.pk, actor=tech_user, to_state_id=4)
    services.state_request_decide(request_id=outcome.request.pk, actor=admin_user, approve=True)
    Ticket.objects.filter(pk=TicketFactory(cliente=clients[3], fecha=at(2, 2)).pk).update(
        estado=estado("finalized"), fecha_resolucion=at(2, 20)
    )
    # re-dated, moved to another client, deleted
    Ticket.objects.filter(cliente=clients[0], fecha__month=5).update(fecha=at(8, 8))
    Ticket.objects.filter(cliente=clients[1], fecha__month=9).update(cliente=clients[3])
    Ticket.objects.filter(cliente=clients[2], fecha__month=11).delete()
    return clients


def test_clients_evolution_from_the_rollups_equals_counting_the_tickets(history):
    rolled, counted = both_ways(lambda: selectors.clients_evolution(year=YEAR))

    assert rolled == counted
    assert rolled["total_clientes"] == 4
    assert rolled["mensual"]["05"] == 1  # of its two clients, the first one's ticket moved to August
    assert sum(rolled["mensual"].values()) > 12


def test_a_client_moved_out_of_a_year_stops_counting_in_it(history):
    # given a client whose every ticket of the year is moved to the next year
    client = UserFactory(role=Role.CLIENT)
    TicketFactory(cliente=client, fecha=at(7, 7))
    TicketFactory(cliente=client, fecha=at(7, 9))
    before = selectors.clients_evolution(year=YEAR)
    Ticket.objects.filter(cliente=client).update(fecha=at(7, 7) + timedelta(days=365))

    # then this year counts one client less (July too) and the next year has them
    rolled, counted = both_ways(lambda: selectors.clients_evolution(year=YEAR))
    assert rolled == counted
    assert rolled["total_clientes"] == before["total_clientes"] - 1
    assert rolled["mensual"]["07"] == before["mensual"]["07"] - 1
    next_rolled, next_counted = both_ways(lambda: selectors.clients_evolution(year=YEAR + 1))
    assert next_rolled == next_counted
    assert next_rolled["total_clientes"] >= 1


def test_all_history_resolution_times_from_the_counters_equal_the_tickets(history, admin_user, tech_user):
    # given resolved tickets re-dated, re-assigned, un-resolved and deleted after resolution
    other_tech = UserFactory(role=Role.TECH)
    resolved = [
        TicketFactory(tecnico=tech_user, fecha=at(3, 1), fecha_resolucion=at(3, 2, 15), estado=estado("finalized"))
        for _ in range(4)
    ]
    TicketFactory(tecnico=None, fecha=at(4, 1), fecha_resolucion=at(4, 3), estado=estado("finalized"))
    Ticket.objects.filter(pk=resolved[0].pk).update(fecha=at(2, 27, 8))
    Ticket.objects.filter(pk=resolved[1].pk).update(tecnico=other_tech)
    Ticket.objects.filter(pk=resolved[2].pk).update(fecha_resolucion=None, estado=estado("in_repair"))
    Ticket.objects.filter(pk=resolved[3].pk).delete()

    # when the whole history is reported, from the counters and by reading the tickets
    from_counters = selectors.resolution_time(lower=None, upper=None)
    with CaptureQueriesContext(connection) as queries:
        selectors.resolution_time(lower=None, upper=None)
    assert not [q for q in queries.captured_queries if 'FROM "tickets_ticket"' in q["sql"]]
    counted = selectors.resolution_time(lower=datetime(1970, 1, 1, tzinfo=UTC), upper=None)

    # then both say the same, technician by technician
    assert from_counters == counted
    assert from_counters["tickets_resueltos"] == Ticket.objects.filter(fecha_resolucion__isnull=False).count()
    assert {row["document"] for row in from_counters["por_tecnico"]} >= {tech_user.document, other_tech.document, None}


@pytest.mark.parametrize("period", ["week", "month"])
def test_throughput_from_the_rollups_equals_counting_the_tickets(history, period):
    lower = at(1, 1, 0).replace(hour=0)
    upper = datetime(YEAR + 1, 1, 1, tzinfo=timezone.get_current_timezone())
    rolled, counted = both_ways(lambda: selectors.throughput(period=period, lower=lower, upper=upper))

    assert rolled == counted
    assert sum(row["finalizados"] for row in rolled) == 1  # the hand-resolved one; the other is today
    assert sum(row["abiertos"] for row in rolled) == Ticket.objects.filter(fecha__year=YEAR).count()


def test_recent_throughput_includes_what_was_finalized_today(history):
    rolled, counted = both_ways(lambda: selectors.throughput(period="month", lower=None, upper=None))

    assert rolled == counted
    assert rolled[-1]["finalizados"] == 1


def test_rebuild_repairs_rollups_that_drifted(history):
    # given roll-ups that no longer match the tickets
    expected = selectors.clients_evolution(year=YEAR)
    ClientMonth.objects.update(tickets=0)
    DailyFlow.objects.all().delete()
    DistinctClients.objects.update(clients=7)

    # when an operator rebuilds them
    call_command("rebuild_report_rollups", stdout=io.StringIO())

    # then they answer as before
    assert selectors.clients_evolution(year=YEAR) == expected


def test_reports_count_the_tickets_when_the_time_zone_changed(history, settings):
    # given roll-ups built in the old zone
    expected_utc = None
    settings.TIME_ZONE = "UTC"
    with timezone.override("UTC"):
        # when the setting changes, then the roll-ups are not used (their days are another zone's)
        assert not selectors._rollups_ready()
        expected_utc = selectors.clients_evolution(year=YEAR)
        # and after a rebuild they are used again, in the new zone
        call_command("rebuild_report_rollups", stdout=io.StringIO())
        assert selectors._rollups_ready()
        assert selectors.clients_evolution(year=YEAR) == expected_utc


def test_all_history_state_counts_come_from_the_ticket_counters(history):
    # given the whole history (no range): the ticket counters answer, the tickets are not counted
    from_counters = selectors._counts_by_state(lower=None, upper=None)
    with CaptureQueriesContext(connection) as queries:
        ranking = selectors.performance_ranking(limit=10)
    assert not [q for q in queries.captured_queries if 'FROM "tickets_ticket"' in q["sql"]]

    # then they equal counting the tickets
    counted = dict(Ticket.objects.order_by().values("estado_id").annotate(n=Count("*")).values_list("estado_id", "n"))
    assert {k: v for k, v in from_counters.items() if v} == counted
    assert sum(row["tickets_asignados"] for row in ranking) == Ticket.objects.filter(tecnico__isnull=False).count()


def test_all_history_portal_report_from_its_counts_equals_the_tickets():
    # given residents' device tickets, then changed in every way the counts depend on
    residents = [TenantFactory() for _ in range(3)]
    devices = [DeviceFactory(owners=[resident]) for resident in residents]
    tickets = [
        TicketFactory(cliente=resident.user, device=device, category=category, priority=priority)
        for resident, device in zip(residents, devices, strict=True)
        for category, priority in (("Hardware", "low"), ("Red", "high"), ("Hardware", "low"))
    ]
    TicketFactory(cliente=residents[0].user, device=None, category="Hardware")  # not a device ticket
    Ticket.objects.filter(pk=tickets[0].pk).update(category="Software")
    Ticket.objects.filter(pk=tickets[1].pk).update(priority="urgent")
    Ticket.objects.filter(pk=tickets[2].pk).update(cliente=residents[1].user)
    Ticket.objects.filter(pk=tickets[3].pk).update(device=None)
    Ticket.objects.filter(pk=tickets[4].pk).delete()

    # when the whole history is reported from the counts and by reading the tickets
    with CaptureQueriesContext(connection) as queries:
        from_counts = selectors.portal_tickets(lower=None, upper=None)
    assert not [q for q in queries.captured_queries if 'FROM "tickets_ticket"' in q["sql"]]
    counted = selectors.portal_tickets(lower=datetime(1970, 1, 1, tzinfo=UTC), upper=None)

    # then both agree, building by building
    assert from_counts == counted
    assert from_counts["total_tickets"] == Ticket.objects.filter(device__isnull=False).count() == 7
