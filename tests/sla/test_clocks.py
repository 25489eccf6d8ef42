"""The clocks of a ticket, one test per transition, through the services that change it.

Calendar: Bogotá, Monday-Friday 08:00-18:00 (tests/sla/conftest.py). Monday 2 March 2026 is
a working day; an urgent ticket's targets are 60 min (first response) and 480 min
(resolution), and a pending request may wait 240 min (the seeded default policy)."""

import pytest

from conversations import services as conversation_services
from sla import clocks
from sla.models import SLAPolicy
from tests.factories import UserFactory
from tests.sla.conftest import bogota
from tickets import services
from tickets.models import Estado, Ticket
from users.models import Role
from visits import services as visit_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return {
        "admin": UserFactory(role=Role.ADMIN),
        "tech": UserFactory(role=Role.TECH),
        "client": UserFactory(role=Role.CLIENT),
    }


@pytest.fixture
def waiting_on_client(db) -> Estado:
    """A state an admin added and marked as waiting on the client (it pauses the resolution clock)."""
    return Estado.objects.create(codigo="waiting_client", nombre="Esperando al cliente", pausa_sla=True)


def open_ticket(people, clock, moment, priority="urgent", **extra) -> Ticket:
    clock.at(moment)
    return services.ticket_create(
        actor=people["admin"],
        cliente=people["client"],
        tecnico=people["tech"],
        titulo="No enciende",
        descripcion="Desde ayer.",
        priority=priority,
        **extra,
    )


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def move(ticket, people, clock, moment, codigo, reason=""):
    clock.at(moment)
    to_state = Estado.objects.get(codigo=codigo)
    return services.ticket_change_state(
        ticket_id=ticket.pk, actor=people["tech"], to_state_id=to_state.pk, reason=reason
    )


def test_creation_starts_the_first_response_and_resolution_clocks(people, clock):
    # when an urgent ticket is opened on Monday at 09:00
    ticket = fresh(open_ticket(people, clock, bogota(2026, 3, 2, 9, 0)))

    # then its targets are due in business time, with their 80 % instants
    assert ticket.first_response_due == bogota(2026, 3, 2, 10, 0)
    assert ticket.first_response_warn_at == bogota(2026, 3, 2, 9, 48)
    assert ticket.resolution_due == bogota(2026, 3, 2, 17, 0)
    assert ticket.resolution_warn_at == bogota(2026, 3, 2, 15, 24)
    assert (ticket.first_responded_at, ticket.resolution_paused_at, ticket.approval_due) == (None, None, None)
    assert ticket.sla == {
        "first_response_due": bogota(2026, 3, 2, 10, 0),
        "resolution_due": bogota(2026, 3, 2, 17, 0),
        "approval_due": None,
        "breached": [],
        "paused": False,
    }


def test_a_category_policy_wins_over_the_priority_policy(people, clock):
    # given a policy for urgent network tickets
    SLAPolicy.objects.create(
        priority="urgent", category="redes", first_response_minutes=30, resolution_minutes=120, approval_minutes=60
    )

    # when an urgent network ticket is opened on Friday at 17:00
    ticket = fresh(open_ticket(people, clock, bogota(2026, 3, 6, 17, 0), category="redes"))

    # then its targets are that policy's, over the weekend
    assert ticket.first_response_due == bogota(2026, 3, 6, 17, 30)
    assert ticket.resolution_due == bogota(2026, 3, 9, 9, 0)


def test_the_first_public_staff_reply_is_the_first_response(people, clock):
    # given an urgent ticket opened at 09:00, a client message and an internal note
    ticket = open_ticket(people, clock, bogota(2026, 3, 2, 9, 0))
    clock.at(bogota(2026, 3, 2, 9, 10))
    conversation_services.message_send(ticket_id=ticket.pk, actor=people["client"], body="¿Alguna novedad?")
    conversation_services.message_send(ticket_id=ticket.pk, actor=people["tech"], body="Revisar", internal=True)
    assert fresh(ticket).first_responded_at is None

    # when the technician answers publicly at 09:40, and again at 11:00
    clock.at(bogota(2026, 3, 2, 9, 40))
    conversation_services.message_send(ticket_id=ticket.pk, actor=people["tech"], body="Voy en camino.")
    clock.at(bogota(2026, 3, 2, 11, 0))
    conversation_services.message_send(ticket_id=ticket.pk, actor=people["tech"], body="Llegué.")

    # then the first answer stopped the clock, within target
    ticket = fresh(ticket)
    assert ticket.first_responded_at == bogota(2026, 3, 2, 9, 40)
    assert ticket.first_response_minutes == 40
    assert ticket.sla["breached"] == []


def test_a_state_change_is_a_first_response_and_a_late_one_is_breached(people, clock):
    # given an urgent ticket opened at 09:00 (first response due 10:00)
    ticket = open_ticket(people, clock, bogota(2026, 3, 2, 9, 0))

    # when the technician moves it to diagnosis at 10:30
    move(ticket, people, clock, bogota(2026, 3, 2, 10, 30), "diagnosis")

    # then the first response was given then, late
    ticket = fresh(ticket)
    assert ticket.first_responded_at == bogota(2026, 3, 2, 10, 30)
    assert ticket.first_response_minutes == 90
    assert ticket.sla["breached"] == ["first_response"]


def test_waiting_on_the_client_pauses_the_resolution_clock_across_nights(people, clock, waiting_on_client):
    # given an urgent ticket opened Monday 09:00 (resolution due 17:00)
    ticket = open_ticket(people, clock, bogota(2026, 3, 2, 9, 0))

    # when it waits on the client from Monday 10:00 to Tuesday 10:00
    move(ticket, people, clock, bogota(2026, 3, 2, 10, 0), "waiting_client")
    paused = fresh(ticket)
    clock.at(bogota(2026, 3, 2, 20, 0))
    assert paused.sla["paused"] is True
    assert paused.sla["breached"] == []
    move(ticket, people, clock, bogota(2026, 3, 3, 10, 0), "in_repair")

    # then the 10 business hours of the pause (8 on Monday, 2 on Tuesday) moved the due dates
    ticket = fresh(ticket)
    assert paused.resolution_paused_at == bogota(2026, 3, 2, 10, 0)
    assert ticket.resolution_paused_at is None
    assert ticket.resolution_paused_minutes == 600
    assert ticket.resolution_due == bogota(2026, 3, 3, 17, 0)
    assert ticket.resolution_warn_at == bogota(2026, 3, 3, 15, 24)


def test_a_pending_request_pauses_the_resolution_clock_and_starts_the_approval_clock(people, clock):
    # given an urgent ticket in repair
    ticket = open_ticket(people, clock, bogota(2026, 3, 2, 9, 0))
    move(ticket, people, clock, bogota(2026, 3, 2, 9, 30), "in_repair")

    # when the technician asks to finalize it at 11:00
    outcome = move(ticket, people, clock, bogota(2026, 3, 2, 11, 0), "finalized", reason="Listo")

    # then the resolution clock is paused and the approval clock runs (240 business minutes)
    assert outcome.request is not None
    ticket = fresh(ticket)
    assert ticket.resolution_paused_at == bogota(2026, 3, 2, 11, 0)
    assert ticket.approval_due == bogota(2026, 3, 2, 15, 0)
    assert ticket.approval_warn_at == bogota(2026, 3, 2, 14, 12)
    clock.at(bogota(2026, 3, 2, 15, 30))
    assert ticket.sla == {
        "first_response_due": bogota(2026, 3, 2, 10, 0),
        "resolution_due": bogota(2026, 3, 2, 17, 0),
        "approval_due": bogota(2026, 3, 2, 15, 0),
        "breached": ["approval"],
        "paused": True,
    }


def _requested(people, clock):
    ticket = open_ticket(people, clock, bogota(2026, 3, 2, 9, 0))
    move(ticket, people, clock, bogota(2026, 3, 2, 9, 30), "in_repair")
    outcome = move(ticket, people, clock, bogota(2026, 3, 2, 11, 0), "finalized")
    return ticket, outcome.request


def test_approval_stops_every_clock(people, clock):
    # given a request made at 11:00, two business hours after opening
    ticket, state_request = _requested(people, clock)

    # when an admin approves it at 16:00
    clock.at(bogota(2026, 3, 2, 16, 0))
    services.state_request_decide(request_id=state_request.pk, actor=people["admin"], approve=True)

    # then the clocks stopped; the resolution took 120 business minutes (the wait for
    # approval is not the technician's), within target
    ticket = fresh(ticket)
    assert ticket.sla_stopped_at == bogota(2026, 3, 2, 16, 0)
    assert ticket.resolution_minutes == 120
    assert (ticket.approval_due, ticket.approval_warn_at) == (None, None)
    clock.at(bogota(2026, 3, 9, 9, 0))
    assert ticket.sla == {
        "first_response_due": bogota(2026, 3, 2, 10, 0),
        "resolution_due": bogota(2026, 3, 2, 17, 0),
        "approval_due": None,
        "breached": [],
        "paused": False,
    }


def test_rejection_resumes_the_resolution_clock_and_ends_the_approval_clock(people, clock):
    # given a request made at 11:00 (resolution due 17:00)
    ticket, state_request = _requested(people, clock)

    # when an admin rejects it at 12:00
    clock.at(bogota(2026, 3, 2, 12, 0))
    services.state_request_decide(
        request_id=state_request.pk, actor=people["admin"], approve=False, rejection_reason="Falta la foto"
    )

    # then the technician's clock runs again, one business hour later than before
    ticket = fresh(ticket)
    assert ticket.resolution_paused_at is None
    assert ticket.resolution_paused_minutes == 60
    assert ticket.resolution_due == bogota(2026, 3, 2, 18, 0)
    assert (ticket.approval_due, ticket.approval_warn_at, ticket.sla_stopped_at) == (None, None, None)


def test_cancellation_stops_every_clock(people, clock):
    # given an urgent ticket opened at 09:00
    ticket = open_ticket(people, clock, bogota(2026, 3, 2, 9, 0))

    # when the admin cancels it at 09:30
    clock.at(bogota(2026, 3, 2, 9, 30))
    services.ticket_cancel(ticket_id=ticket.pk, actor=people["admin"], reason="Duplicado")

    # then nothing runs any longer, and nothing will breach
    ticket = fresh(ticket)
    assert ticket.sla_stopped_at == bogota(2026, 3, 2, 9, 30)
    assert ticket.resolution_minutes == 30
    clock.at(bogota(2026, 3, 9, 9, 0))
    assert ticket.sla["breached"] == []
    assert (
        Ticket.objects.filter(pk=ticket.pk)
        .filter(**{"resolution_due__lte": clock.now, "sla_stopped_at__isnull": True})
        .count()
        == 0
    )


def test_a_ticket_of_a_priority_without_policy_has_no_clocks(people, clock):
    # given no active policy for low priority
    SLAPolicy.objects.filter(priority="low").update(active=False)
    from sla import cache

    cache.forget()

    # when a low ticket is opened
    ticket = fresh(open_ticket(people, clock, bogota(2026, 3, 2, 9, 0), priority="low"))

    # then it has no clocks (and no breach)
    assert (ticket.first_response_due, ticket.resolution_due) == (None, None)
    assert ticket.sla["breached"] == []


def test_a_new_priority_re_aims_the_running_clocks(people, clock):
    # given an urgent ticket opened Monday 09:00
    ticket = open_ticket(people, clock, bogota(2026, 3, 2, 9, 0))

    # when an admin lowers it to high (240 / 1440 business minutes) in the Django admin
    ticket.priority = "high"
    fields = clocks.on_retargeted(ticket)
    ticket.save(update_fields=fields)

    # then its clocks count the new targets from the opening
    ticket = fresh(ticket)
    assert ticket.first_response_due == bogota(2026, 3, 2, 13, 0)
    # 540 minutes on Monday, 600 on Tuesday, 300 on Wednesday
    assert ticket.resolution_due == bogota(2026, 3, 4, 13, 0)


def test_booking_a_visit_is_a_first_response(people, clock):
    # given an urgent ticket opened at 09:00
    ticket = open_ticket(people, clock, bogota(2026, 3, 2, 9, 0))

    # when the technician books a visit at 09:20 for the afternoon
    clock.at(bogota(2026, 3, 2, 9, 20))
    visit_services.appointment_book(
        ticket_id=ticket.pk, actor=people["tech"], title="Revisión", scheduled_for=bogota(2026, 3, 2, 15, 0)
    )

    # then the resident was answered then
    ticket = fresh(ticket)
    assert ticket.first_responded_at == bogota(2026, 3, 2, 9, 20)
    assert ticket.first_response_minutes == 20
