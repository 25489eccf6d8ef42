"""The service levels in the Django admin: the desk box counts, the ticket list's breach
column and filter, the policies and the closure days."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from sla import cache
from sla.calendar import configured_calendar
from sla.models import ClosureDay
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def test_the_desk_box_counts_breached_and_at_risk_tickets(admin_site):
    # given two breached tickets (one also at risk on another clock), one at risk, one on time
    now = timezone.now()
    TicketFactory(first_response_due=now - HOUR, first_response_warn_at=now - 2 * HOUR)
    TicketFactory(
        approval_due=now - HOUR,
        approval_warn_at=now - 2 * HOUR,
        resolution_due=now + HOUR,
        resolution_warn_at=now - HOUR,
    )
    TicketFactory(resolution_due=now + HOUR, resolution_warn_at=now - HOUR)
    TicketFactory(resolution_due=now + 10 * HOUR, resolution_warn_at=now + 5 * HOUR)

    # when the admin opens the front page
    html = admin_site.get("/admin/").content.decode()

    # then each ticket is counted once, breached first
    assert '<td id="desk-sla-breached">2</td>' in html
    assert '<td id="desk-sla-at-risk">1</td>' in html
    assert "/admin/tickets/ticket/?sla=breached" in html


def test_the_ticket_list_filters_and_shows_breaches(admin_site):
    # given a breached ticket and one on time
    now = timezone.now()
    late = TicketFactory(titulo="Tarde", resolution_due=now - HOUR, resolution_warn_at=now - 2 * HOUR)
    TicketFactory(titulo="A tiempo", resolution_due=now + 10 * HOUR, resolution_warn_at=now + 5 * HOUR)

    # when the admin filters the list by breach
    response = admin_site.get("/admin/tickets/ticket/", {"sla": "breached"})

    # then only the late one is listed, with its breached clock
    html = response.content.decode()
    assert response.status_code == 200
    assert late.code in html
    assert "A tiempo" not in html
    assert "resolución" in html


def test_policies_and_closure_days_have_admin_pages(admin_site):
    assert admin_site.get("/admin/sla/slapolicy/").status_code == 200
    assert admin_site.get("/admin/sla/closureday/").status_code == 200
    assert admin_site.get("/admin/sla/slawarning/").status_code == 200


def test_a_closure_day_added_in_the_admin_applies_at_once(admin_site):
    # given the calendar was read (and cached) before
    day = date(2026, 3, 3)
    assert configured_calendar().is_working_day(day)

    # when an admin adds that day as a closure
    response = admin_site.post("/admin/sla/closureday/add/", {"date": "2026-03-03", "reason": "Inventario"})

    # then the next computation sees it (the cache was dropped)
    assert response.status_code == 302
    assert ClosureDay.objects.filter(date=day).exists()
    assert not configured_calendar().is_working_day(day)
    cache.forget()
