"""`manage.py send_sla_warnings`: at 80 % of a target and at breach, one notification each
(assigned technician; admins for approvals and unassigned tickets), however often it runs."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from notifications.models import Notification
from sla import services
from sla.models import SLAWarning
from tests.factories import TicketFactory, UserFactory
from tests.tickets.test_concurrency import THREADS, run_together
from users.models import Role

HOUR = timedelta(hours=1)


def warned(codigo: str):
    return Notification.objects.filter(tipo__codigo=codigo)


def run_command() -> str:
    out = io.StringIO()
    call_command("send_sla_warnings", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_at_risk_and_breached_clocks_warn_the_technician_once():
    # given a ticket past 80 % of its first-response target and one past its resolution target
    now = timezone.now()
    at_risk = TicketFactory(first_response_due=now + HOUR, first_response_warn_at=now - HOUR)
    late = TicketFactory(resolution_due=now - HOUR, resolution_warn_at=now - 3 * HOUR)

    # when the command runs twice in a row
    first, second = run_command(), run_command()

    # then the first run warned each technician once, the second sent nothing
    assert first.strip() == "Avisos de nivel de servicio enviados: 2"
    assert second.strip() == "Avisos de nivel de servicio enviados: 0"
    assert list(warned("sla_en_riesgo").values_list("usuario_id", "ticket_id")) == [(at_risk.tecnico_id, at_risk.pk)]
    assert list(warned("sla_incumplido").values_list("usuario_id", "ticket_id")) == [(late.tecnico_id, late.pk)]
    notification = warned("sla_incumplido").get()
    assert notification.titulo == f"Incumplido: resolución del ticket {late.code}"
    assert notification.datos_adicionales["clock"] == "resolution"
    # a breached clock is not also reported "at risk" afterwards
    assert set(SLAWarning.objects.values_list("ticket_id", "clock", "level")) == {
        (at_risk.pk, "first_response", "at_risk"),
        (late.pk, "resolution", "breached"),
    }


@pytest.mark.django_db
def test_the_breach_of_an_already_warned_clock_is_sent_later():
    # given a ticket at risk, warned
    now = timezone.now()
    ticket = TicketFactory(first_response_due=now + HOUR, first_response_warn_at=now - HOUR)
    assert services.warnings_send(now=now) == 1

    # when its due passes
    sent = services.warnings_send(now=now + 2 * HOUR)

    # then the breach goes out, once
    assert sent == 1
    assert services.warnings_send(now=now + 3 * HOUR) == 0
    assert warned("sla_incumplido").get().ticket_id == ticket.pk


@pytest.mark.django_db
def test_approvals_and_unassigned_tickets_warn_every_admin():
    # given two admins, a pending request past its approval due and an unassigned breached ticket
    admins = UserFactory.create_batch(2, role=Role.ADMIN)
    now = timezone.now()
    approval = TicketFactory(approval_due=now - HOUR, approval_warn_at=now - 2 * HOUR)
    unassigned = TicketFactory(tecnico=None, first_response_due=now - HOUR, first_response_warn_at=now - 2 * HOUR)

    # when the warnings are sent
    services.warnings_send(now=now)

    # then every active admin heard of each, the technician of the first did not
    every_admin = set(UserFactory._meta.model.objects.filter(role=Role.ADMIN).values_list("pk", flat=True))
    assert {admin.pk for admin in admins} <= every_admin
    for ticket in (approval, unassigned):
        assert set(warned("sla_incumplido").filter(ticket=ticket).values_list("usuario_id", flat=True)) == every_admin


@pytest.mark.django_db
def test_paused_stopped_and_answered_clocks_are_not_warned():
    now = timezone.now()
    TicketFactory(resolution_due=now - HOUR, resolution_warn_at=now - 2 * HOUR, resolution_paused_at=now - 3 * HOUR)
    TicketFactory(resolution_due=now - HOUR, resolution_warn_at=now - 2 * HOUR, sla_stopped_at=now - 3 * HOUR)
    TicketFactory(first_response_due=now - HOUR, first_response_warn_at=now - 2 * HOUR, first_responded_at=now)

    assert services.warnings_send(now=now) == 0
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_a_rearmed_clock_warns_again():
    # given an approval clock that breached and was warned
    now = timezone.now()
    ticket = TicketFactory(approval_due=now - HOUR, approval_warn_at=now - 2 * HOUR)
    services.warnings_send(now=now)

    # when a new request starts a new approval clock that breaches too
    ticket.approval_due, ticket.approval_warn_at = now + HOUR, now + 0.5 * HOUR
    ticket.save(update_fields=["approval_due", "approval_warn_at"])
    services.warnings_send(now=now + 2 * HOUR)

    # then the new clock's breach was sent too
    assert SLAWarning.objects.filter(ticket=ticket, clock="approval", level="breached").count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql(reason="concurrent transactions on the unique warning row need PostgreSQL")
def test_concurrent_runs_send_each_warning_once():
    # given thirty tickets past a target and thirty at risk
    now = timezone.now()
    breached = [TicketFactory(resolution_due=now - HOUR, resolution_warn_at=now - 2 * HOUR) for _ in range(30)]
    at_risk = [TicketFactory(resolution_due=now + HOUR, resolution_warn_at=now - HOUR) for _ in range(30)]

    # when the command runs in eight workers at the same moment
    results = run_together(lambda index: services.warnings_send(now=now))

    # then each warning went out exactly once, whoever sent it
    assert all(isinstance(result, int) for result in results), results
    assert sum(results) == 60
    assert warned("sla_incumplido").count() == len(breached)
    assert warned("sla_en_riesgo").count() == len(at_risk)
    assert len(set(Notification.objects.values_list("ticket_id", "tipo_id"))) == 60
    assert THREADS > 1
    assert connection.vendor == "postgresql"
