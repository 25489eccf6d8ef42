"""ETag / If-None-Match on the tenant GETs the app polls (tickets, ticket detail, notifications):
a 304 without a body while the answer is the same, a new ETag as soon as anything it shows
changes, and no more queries than the answer itself (tickethelp.etags)."""

import re
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conversations import services as conversation_services
from notifications import services as notification_services
from tests.factories import (
    DeviceFactory,
    TicketAttachmentFactory,
    TicketFactory,
    TicketHistoryFactory,
    UserFactory,
    estado,
)
from tests.tenants.conftest import make_notification, tenant_path
from tickets import services as ticket_services
from tickets.models import Ticket
from users.models import Role

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

LIST = tenant_path("tickets")
NOTIFICATIONS = tenant_path("notifications")


def detail(ticket) -> str:
    return tenant_path(f"tickets/{ticket.pk}")


@pytest.fixture
def ticket(tenant, technician):
    return TicketFactory(cliente=tenant.user, tecnico=technician, device=DeviceFactory(owners=[tenant]))


@pytest.fixture
def notification(tenant, ticket):
    return make_notification(tenant.user, ticket=ticket)


def etag_of(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response["ETag"]


def conditional(client, path, tags: str):
    return client.get(path, HTTP_IF_NONE_MATCH=tags)


# --- The protocol ----------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["list", "detail", "notifications"])
def test_a_matching_if_none_match_is_a_304_without_a_body(as_tenant, ticket, notification, route):
    path = {"list": LIST, "detail": detail(ticket), "notifications": NOTIFICATIONS}[route]
    # given an answer and its ETag
    first = as_tenant.get(path)
    etag = first["ETag"]
    assert first.status_code == 200
    assert re.fullmatch(r'W/"[0-9a-f]{40}"', etag)
    assert first["Cache-Control"] == "private, no-cache"

    # when the app asks again with it: alone, in a list, as `*` or in its strong form
    for tags in (etag, f'W/"stale", {etag}', "*", etag.removeprefix("W/")):
        response = conditional(as_tenant, path, tags)

        # then 304, no body, the ETag kept
        assert response.status_code == 304, tags
        assert response.content == b""
        assert response["ETag"] == etag
        assert response["Cache-Control"] == "private, no-cache"

    # and another tag gets the whole answer again
    other = conditional(as_tenant, path, 'W/"stale"')
    assert other.status_code == 200
    assert other.json() == first.json()
    assert other["ETag"] == etag


def test_errors_and_creates_carry_no_etag(as_tenant, other_tenant, device):
    foreign = TicketFactory(cliente=other_tenant.user)

    missing = conditional(as_tenant, detail(foreign), "*")
    created = as_tenant.post(
        LIST, {"device_id": device.pk, "category": "x", "title": "t", "description": "d"}, format="json"
    )

    assert missing.status_code == 404
    assert created.status_code == 201
    assert "ETag" not in missing
    assert "ETag" not in created


def test_a_resident_never_gets_a_304_for_another_residents_answer(as_tenant, as_other_tenant, ticket):
    # another resident's own (empty) list has another ETag
    etag = etag_of(as_tenant, LIST)

    response = conditional(as_other_tenant, LIST, etag)

    assert response.status_code == 200
    assert response.json()["tickets"] == []


# --- The ETag changes with the answer --------------------------------------------------------------


def test_the_list_etag_changes_with_a_new_ticket_and_a_state_change(as_tenant, tenant, ticket, technician):
    before = etag_of(as_tenant, LIST)

    TicketFactory(cliente=tenant.user)
    after_new = etag_of(as_tenant, LIST)
    assert after_new != before
    assert conditional(as_tenant, LIST, before).status_code == 200

    ticket_services.ticket_change_state(ticket_id=ticket.pk, actor=technician, to_state_id=estado("diagnosis").pk)
    after_state = etag_of(as_tenant, LIST)
    assert after_state not in (before, after_new)
    # the filtered list changes too, and a filter is another answer
    assert etag_of(as_tenant, f"{LIST}?status=open") != etag_of(as_tenant, f"{LIST}?status=in_progress")


def test_the_detail_etag_changes_with_a_state_a_message_and_a_history_entry(
    as_tenant, tenant, ticket, technician, admin_user
):
    seen = [etag_of(as_tenant, detail(ticket))]

    ticket_services.ticket_change_state(ticket_id=ticket.pk, actor=technician, to_state_id=estado("diagnosis").pk)
    seen.append(etag_of(as_tenant, detail(ticket)))

    conversation_services.message_send(ticket_id=ticket.pk, actor=technician, body="Paso mañana.", internal=False)
    seen.append(etag_of(as_tenant, detail(ticket)))

    TicketHistoryFactory(ticket=ticket, actor=admin_user)
    seen.append(etag_of(as_tenant, detail(ticket)))

    # a technician's new phone number shows in the detail: a new answer, a new ETag
    technician.number = "3009998877"
    technician.save(update_fields=["number"])
    seen.append(etag_of(as_tenant, detail(ticket)))

    assert len(set(seen)) == len(seen), seen


def test_an_internal_note_does_not_change_the_residents_detail(as_tenant, ticket, technician):
    before = etag_of(as_tenant, detail(ticket))

    conversation_services.message_send(ticket_id=ticket.pk, actor=technician, body="Nota interna", internal=True)

    assert conditional(as_tenant, detail(ticket), before).status_code == 304


def test_the_notifications_etag_changes_when_one_is_read_or_arrives(as_tenant, tenant, ticket, notification):
    before = etag_of(as_tenant, NOTIFICATIONS)

    notification_services.notification_mark_read(user=tenant.user, notification_id=notification.pk)
    after_read = etag_of(as_tenant, NOTIFICATIONS)
    assert after_read != before
    assert conditional(as_tenant, NOTIFICATIONS, before).status_code == 200

    make_notification(tenant.user, ticket=ticket, titulo="Otro aviso")
    assert etag_of(as_tenant, NOTIFICATIONS) not in (before, after_read)
    # each page is its own answer
    assert etag_of(as_tenant, f"{NOTIFICATIONS}?limit=1") != etag_of(as_tenant, f"{NOTIFICATIONS}?limit=1&offset=1")


def test_signed_attachment_links_renew_the_etag_only_every_half_lifetime(as_tenant, ticket, settings, monkeypatch):
    # given a ticket with an attachment, whose link is signed with the current second
    settings.ATTACHMENT_URL_MAX_AGE_SECONDS = 3600
    TicketAttachmentFactory(ticket=ticket)
    now = [1_800_000_000.0 + 5]
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: now[0])
    first = as_tenant.get(detail(ticket))

    # when the app polls a minute later (the link in the body has another signature)
    now[0] += 60
    later = as_tenant.get(detail(ticket))
    assert later.json()["ticket"]["attachments"][0]["url"] != first.json()["ticket"]["attachments"][0]["url"]

    # then the ETag is the same: the cached links still have more than half their life
    assert later["ETag"] == first["ETag"]
    assert conditional(as_tenant, detail(ticket), first["ETag"]).status_code == 304

    # and once half the lifetime has passed, the answer (with fresh links) is sent again
    now[0] += 1800
    assert conditional(as_tenant, detail(ticket), first["ETag"]).status_code == 200
    monkeypatch.setattr(time, "time", real_time)


# --- What a 304 costs ------------------------------------------------------------------------------


def _queries(client, path, **headers) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **headers)
    return response.status_code, len(captured.captured_queries)


def add_tickets(tenant, n):
    for _ in range(n):
        ticket = TicketFactory(cliente=tenant.user, device=DeviceFactory(owners=[tenant]))
        TicketHistoryFactory(ticket=ticket, actor=UserFactory(role=Role.TECH))
        TicketAttachmentFactory(ticket=ticket, uploaded_by=UserFactory(role=Role.TECH))
        make_notification(tenant.user, ticket=ticket)


@pytest.mark.parametrize("route", ["list", "detail", "notifications"])
def test_a_304_runs_no_more_queries_than_the_answer_with_1_and_50_rows(as_tenant, tenant, route):
    add_tickets(tenant, 1)
    first_ticket = Ticket.objects.get()

    def measure():
        path = {"list": LIST, "detail": detail(first_ticket), "notifications": NOTIFICATIONS}[route]
        status, full = _queries(as_tenant, path)
        etag = as_tenant.get(path)["ETag"]
        not_modified, conditional_count = _queries(as_tenant, path, HTTP_IF_NONE_MATCH=etag)
        assert (status, not_modified) == (200, 304)
        assert conditional_count <= full
        return conditional_count

    with_one = measure()
    add_tickets(tenant, 49)
    for _ in range(49):
        TicketHistoryFactory(ticket=first_ticket, actor=UserFactory(role=Role.ADMIN))
    with_fifty = measure()

    assert with_one == with_fifty
    assert with_fifty <= 8
