"""The portal's hand-written hot reads (tenants/portal/hot_reads.py) answer what the
selectors' querysets through the same serializers answer, field for field, on fixtures that
cover every optional part (no device, no technician, a history row without actor, internal
notes, attachments, devices without type or owner), in fewer statements."""

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from conversations.models import TicketMessage
from notifications import selectors as notification_selectors
from notifications.models import Notification
from tenants.portal import hot_reads
from tenants.portal import selectors as portal_selectors
from tenants.portal.serializers import (
    PortalDeviceSerializer,
    PortalNotificationSerializer,
    PortalSharedDeviceSerializer,
    PortalTicketDetailSerializer,
    PortalTicketListItemSerializer,
)
from tests.factories import (
    DeviceFactory,
    NameDeviceFactory,
    TenantFactory,
    TicketAttachmentFactory,
    TicketFactory,
    TicketHistoryFactory,
    UserFactory,
    estado,
)
from tests.tenants.conftest import make_notification
from tickethelp.exceptions import NotFound
from tickethelp.pagination import page_window, paginate_serialized
from users.models import Role

pytestmark = pytest.mark.django_db


def unsigned(data):
    """`data` with the attachment links' signatures cut (they hold the second they were made in)."""
    return json.loads(re.sub(r"\?sig=[^\"]*", "?sig=", json.dumps(data)))


def request_of(user):
    request = RequestFactory().get("/api/tenant/tickets/1")
    request.user = user
    return request


def detail_both_ways(tenant, ticket_id) -> tuple[dict, dict]:
    context = {"request": request_of(tenant.user)}
    by_selector = portal_selectors.tenant_ticket_get(tenant=tenant, ticket_id=ticket_id)
    by_hot_read = hot_reads.tenant_ticket_detail(tenant=tenant, ticket_id=ticket_id)
    return (
        PortalTicketDetailSerializer(by_selector, context=context).data,
        PortalTicketDetailSerializer(by_hot_read, context=context).data,
    )


@pytest.fixture
def busy_ticket(tenant):
    """A ticket with a device, a technician, an SLA due date, attachments (created out of id
    order), history by a user and by the system, and public and internal messages."""
    technician = UserFactory(role=Role.TECH, number="3001234567")
    ticket = TicketFactory(
        cliente=tenant.user,
        tecnico=technician,
        estado=estado("diagnosis"),
        device=DeviceFactory(owners=[tenant], brand="", ubicacion="Sala"),
        resolution_due=timezone.now() + timedelta(days=2),
    )
    now = timezone.now()
    TicketAttachmentFactory(ticket=ticket, created_at=now)
    TicketAttachmentFactory(ticket=ticket, created_at=now - timedelta(hours=1), mime_type="video/mp4")
    TicketHistoryFactory(ticket=ticket, actor=technician, created_at=now - timedelta(minutes=5))
    TicketHistoryFactory(ticket=ticket, actor=None, action="state_changed", description="Cambio.", created_at=now)
    TicketMessage.objects.create(ticket=ticket, author=tenant.user, body="¿Cuándo vienen?", created_at=now)
    TicketMessage.objects.create(ticket=ticket, author=technician, body="Mañana.", created_at=now)
    TicketMessage.objects.create(ticket=ticket, author=technician, body="nota", internal=True, created_at=now)
    return ticket


def test_a_busy_ticket_reads_the_same(tenant, busy_ticket):
    expected, actual = detail_both_ways(tenant, busy_ticket.pk)

    assert unsigned(actual) == unsigned(expected)
    assert (len(actual["attachments"]), len(actual["histories"])) == (2, 4)
    assert [entry["description"] for entry in actual["histories"]].count("nota") == 0


def test_a_bare_ticket_reads_the_same(tenant):
    # given a ticket without device, technician, attachments, history or messages
    ticket = TicketFactory(cliente=tenant.user, tecnico=None, device=None)

    expected, actual = detail_both_ways(tenant, ticket.pk)

    assert actual == expected
    assert (actual["device"], actual["technical"], actual["attachments"], actual["histories"]) == (None, None, [], [])


def test_the_detail_is_two_statements(tenant, busy_ticket):
    with CaptureQueriesContext(connection) as captured:
        hot_reads.tenant_ticket_detail(tenant=tenant, ticket_id=busy_ticket.pk)

    assert len(captured.captured_queries) == 2


@pytest.mark.parametrize("ticket_id", ["other", "missing", 0, 2**63])
def test_someone_elses_or_a_missing_ticket_is_the_same_404(tenant, ticket_id):
    ticket_id = {"other": TicketFactory().pk, "missing": 10**9}.get(ticket_id, ticket_id)

    with pytest.raises(NotFound) as raised:
        hot_reads.tenant_ticket_detail(tenant=tenant, ticket_id=ticket_id)

    assert (raised.value.code, str(raised.value.message)) == ("ticket_not_found", "Ticket not found.")


def test_the_devices_read_the_same(tenant, other_tenant):
    # given owned devices (with and without type), devices shared by several owners, by none,
    # one both owned and shared, and devices of someone else
    kind = NameDeviceFactory(name="Televisor")
    DeviceFactory(owners=[tenant], name="b sala", name_device=kind)
    DeviceFactory(owners=[tenant], name="a cocina", name_device=None)
    DeviceFactory(owners=[tenant], name="a cocina", name_device=kind)
    later_owner, first_owner = TenantFactory(), other_tenant
    DeviceFactory(owners=[later_owner, first_owner], shared_with=[tenant], name="Aire")
    DeviceFactory(shared_with=[tenant], name="Zeta sin dueño", name_device=None)
    DeviceFactory(owners=[tenant], shared_with=[tenant], name="c mío y compartido")
    DeviceFactory(owners=[other_tenant], shared_with=[later_owner], name="Ajeno")

    # when both reads are serialized
    own, shared = hot_reads.tenant_devices(tenant=tenant)

    # then they agree, in the same order
    assert (
        PortalDeviceSerializer(own, many=True).data
        == PortalDeviceSerializer(portal_selectors.devices_owned(tenant=tenant), many=True).data
    )
    assert (
        PortalSharedDeviceSerializer(shared, many=True).data
        == PortalSharedDeviceSerializer(portal_selectors.devices_shared(tenant=tenant), many=True).data
    )
    assert [device.name for device in own] == ["a cocina", "a cocina", "b sala", "c mío y compartido"]
    assert {device.name: device.owners_by_id[0].pk if device.owners_by_id else None for device in shared} == {
        "Aire": min(first_owner.pk, later_owner.pk),
        "c mío y compartido": tenant.pk,
        "Zeta sin dueño": None,
    }


def test_the_devices_are_one_statement(tenant):
    DeviceFactory(owners=[tenant])
    DeviceFactory(owners=[TenantFactory()], shared_with=[tenant])

    with CaptureQueriesContext(connection) as captured:
        hot_reads.tenant_devices(tenant=tenant)

    assert len(captured.captured_queries) == 1


# --- Lists -------------------------------------------------------------------------------------


def api_request(user, path: str, query: dict) -> Request:
    request = Request(APIRequestFactory().get(path, query))
    request.user = user
    return request


@pytest.fixture
def tickets_with_everything(tenant):
    """Tickets of the resident in several states, with and without device, technician,
    attachments (two on one), history and public or internal messages; someone else's too."""
    made = []
    for index, state in enumerate(["open", "diagnosis", "finalized", "canceled", "in_repair", "open", "diagnosis"]):
        ticket = TicketFactory(
            cliente=tenant.user,
            estado=estado(state),
            device=DeviceFactory(owners=[tenant]) if index % 2 else None,
            tecnico=None if index % 3 == 0 else UserFactory(role=Role.TECH),
        )
        for _ in range(index % 3):
            TicketAttachmentFactory(ticket=ticket)
            TicketHistoryFactory(ticket=ticket)
        if index % 2:
            TicketMessage.objects.create(ticket=ticket, author=tenant.user, body="hola")
            TicketMessage.objects.create(ticket=ticket, author=ticket.administrador, body="nota", internal=True)
        made.append(ticket)
    TicketFactory()
    return made


TICKET_QUERIES = [
    ({}, None),
    ({}, "in_progress"),
    ({"page_size": "2", "page": "2"}, None),
    ({"limit": "3", "offset": "1"}, "open"),
    ({"page_size": "5", "page": "9"}, None),
    ({}, "closed"),
]


@pytest.mark.parametrize(("query", "status"), TICKET_QUERIES)
def test_the_tickets_list_reads_the_same(tenant, tickets_with_everything, query, status):
    request = api_request(tenant.user, "/api/tenant/tickets", query)

    actual = hot_reads.tenant_tickets_page(tenant=tenant, portal_status=status, request=request)

    queryset = portal_selectors.tenant_tickets(tenant=tenant, portal_status=status)
    expected = paginate_serialized(
        PortalTicketListItemSerializer, queryset, request, context={"request": request}, complete_unless_paged=True
    )
    assert unsigned(actual) == unsigned(expected)
    assert actual[1] == queryset.count()


def test_past_the_unpaged_bound_the_tickets_list_is_the_first_page(tenant, tickets_with_everything, settings):
    settings.MAX_UNPAGED_RESULTS = 3
    request = api_request(tenant.user, "/api/tenant/tickets", {})

    rows, total = hot_reads.tenant_tickets_page(tenant=tenant, portal_status=None, request=request)

    queryset = portal_selectors.tenant_tickets(tenant=tenant, portal_status=None)
    context = {"request": request}
    assert unsigned((rows, total)) == unsigned(
        paginate_serialized(
            PortalTicketListItemSerializer, queryset, request, context=context, complete_unless_paged=True
        )
    )
    assert (len(rows), total) == (len(tickets_with_everything), len(tickets_with_everything))


def test_the_tickets_list_is_one_statement(tenant, tickets_with_everything):
    request = api_request(tenant.user, "/api/tenant/tickets", {})

    with CaptureQueriesContext(connection) as captured:
        rows, _ = hot_reads.tenant_tickets_page(tenant=tenant, portal_status=None, request=request)

    assert len(captured.captured_queries) == 1
    assert sum(len(row["attachments"]) for row in rows) == 0 + 1 + 2 + 0 + 1 + 2 + 0


@pytest.fixture
def notifications(tenant):
    """Notifications of the resident, read and unread, with and without a ticket; someone else's."""
    ticket = TicketFactory(cliente=tenant.user, device=DeviceFactory(owners=[tenant]))
    for index in range(7):
        notification = make_notification(tenant.user, ticket=ticket if index % 2 else None, titulo=f"n{index}")
        if index % 3 == 0:
            Notification.objects.filter(pk=notification.pk).update(fecha_lectura=timezone.now())
    make_notification(UserFactory())


@pytest.mark.parametrize("query", [{}, {"page_size": "3", "page": "2"}, {"limit": "2", "offset": "6"}, {"page": "5"}])
def test_the_notifications_read_the_same(tenant, notifications, query):
    request = api_request(tenant.user, "/api/tenant/notifications", query)

    rows, total, unread, offset, limit = hot_reads.tenant_notifications_page(user=tenant.user, request=request)

    stats = notification_selectors.notification_stats(user=tenant.user)
    queryset = portal_selectors.tenant_notifications(user=tenant.user)
    assert (rows, total) == paginate_serialized(PortalNotificationSerializer, queryset, request, total=stats["total"])
    assert (unread, (offset, limit)) == (stats["no_leidas"], page_window(request))
    assert (total, unread) == (7, 4)


def test_the_notifications_are_one_statement(tenant, notifications):
    request = api_request(tenant.user, "/api/tenant/notifications", {})

    with CaptureQueriesContext(connection) as captured:
        rows, *_ = hot_reads.tenant_notifications_page(user=tenant.user, request=request)

    assert (len(captured.captured_queries), len(rows)) == (1, 7)
