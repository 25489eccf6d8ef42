"""Hot-path reads of the tenant portal: hand-written statements, rows built into instances.

The app opens a ticket and the devices screen far more often than anything else. Through
querysets these cost a statement per relation (select_related for the one-to-one rows, one
more per prefetch) and, above the SQL, the compiling of each queryset and the prefetch
machinery on every request. Here each read is written once from the models' metadata and
its rows become the very instances the selectors' querysets give (related rows cached as
select_related / prefetch_related leave them, tickethelp/instances.py), so the portal's
serializers answer byte for byte as before (tests/tenants/test_hot_reads.py):

* a ticket's detail: the ticket with state, device, technician and attachments (one
  statement), then its history rows and public messages with their authors (one more);
* the devices screen: owned and shared devices with their type and, for a shared one, its
  first owner (one statement);
* the tickets list and the notifications: the page as the list's row plan (tickethelp/
  rows.py) builds it, from one statement that also carries the list's counters (window
  counts over the whole list, taken before the page is cut) and, for tickets, the
  attachments (joined). A page past the end has no row to carry the counters: they are
  then counted apart.
"""

from collections import defaultdict
from functools import cache

from django.conf import settings
from django.db import connection
from django.utils import timezone

from conversations.models import TicketMessage
from notifications import selectors as notification_selectors
from notifications.models import Notification
from tenants.models import Device, NameDevice, Tenant
from tenants.portal import selectors as portal_selectors
from tenants.portal.selectors import MAX_ID, TICKET_NOT_FOUND
from tenants.portal.serializers import PortalNotificationSerializer, PortalTicketListItemSerializer
from tickethelp.exceptions import NotFound
from tickethelp.instances import ModelColumns, set_prefetched
from tickethelp.pagination import page_window, paging_requested
from tickethelp.rows import row_plan, use_compiled_timestamps
from tickets.models import Estado, Ticket, TicketAttachment, TicketHistory
from users.models import User

# --- A ticket's detail -------------------------------------------------------------------------

_TICKET = ModelColumns(Ticket, "tk")
_STATE = ModelColumns(Estado, "e")
_DEVICE = ModelColumns(Device, "d")
_TECHNICIAN = ModelColumns(User, "tu")
_ATTACHMENT = ModelColumns(TicketAttachment, "at")
_HISTORY = ModelColumns(TicketHistory, "h")
_MESSAGE = ModelColumns(TicketMessage, "m")
_AUTHOR = ModelColumns(User, "u")  # a history row's actor or a message's author

_TICKET_STATE = Ticket._meta.get_field("estado")
_TICKET_DEVICE = Ticket._meta.get_field("device")
_TICKET_TECHNICIAN = Ticket._meta.get_field("tecnico")
_HISTORY_ACTOR = TicketHistory._meta.get_field("actor")
_MESSAGE_AUTHOR = TicketMessage._meta.get_field("author")


def tenant_ticket_detail(*, tenant: Tenant, ticket_id: int) -> Ticket:
    """As selectors.tenant_ticket_get: one of the tenant's tickets with state, device,
    technician, attachments (oldest first), history (actors loaded) and public messages
    (authors loaded) as `public_messages`; anyone else's ticket is the same 404."""
    if not 0 < ticket_id <= MAX_ID:
        raise NotFound(TICKET_NOT_FOUND, code="ticket_not_found")
    using = connection.alias
    with connection.cursor() as cursor:
        cursor.execute(_ticket_sql(), [ticket_id, tenant.user_id])
        rows = cursor.fetchall()
        if not rows:
            raise NotFound(TICKET_NOT_FOUND, code="ticket_not_found")
        cursor.execute(_timeline_sql(), [ticket_id, ticket_id, False])
        timeline = cursor.fetchall()
    first = rows[0]
    ticket = _TICKET.build(first, 0, using)
    offset = _TICKET.width
    _TICKET_STATE.set_cached_value(ticket, _STATE.build(first, offset, using))
    offset += _STATE.width
    _TICKET_DEVICE.set_cached_value(ticket, _DEVICE.build(first, offset, using))
    offset += _DEVICE.width
    _TICKET_TECHNICIAN.set_cached_value(ticket, _TECHNICIAN.build(first, offset, using))
    offset += _TECHNICIAN.width
    attachments = [_ATTACHMENT.build(row, offset, using) for row in rows]
    set_prefetched(ticket, "attachments", [attachment for attachment in attachments if attachment is not None])

    history, messages = [], []
    message_offset = 1 + _HISTORY.width
    author_offset = message_offset + _MESSAGE.width
    for row in timeline:
        author = _AUTHOR.build(row, author_offset, using)
        if row[0] == 0:
            entry = _HISTORY.build(row, 1, using)
            _HISTORY_ACTOR.set_cached_value(entry, author)
            history.append(entry)
        else:
            entry = _MESSAGE.build(row, message_offset, using)
            _MESSAGE_AUTHOR.set_cached_value(entry, author)
            messages.append(entry)
    set_prefetched(ticket, "history", history)
    ticket.public_messages = messages
    return ticket


@cache
def _ticket_sql() -> str:
    return " ".join(
        (
            f"SELECT {_TICKET.sql}, {_STATE.sql}, {_DEVICE.sql}, {_TECHNICIAN.sql}, {_ATTACHMENT.sql}",
            f'FROM "{Ticket._meta.db_table}" tk',
            _STATE.left_join(f'e."id" = tk."{_TICKET_STATE.column}"'),
            _DEVICE.left_join(f'd."id" = tk."{_TICKET_DEVICE.column}"'),
            _TECHNICIAN.left_join(f'tu."id" = tk."{_TICKET_TECHNICIAN.column}"'),
            _ATTACHMENT.left_join(f'at."{TicketAttachment._meta.get_field("ticket").column}" = tk."id"'),
            f'WHERE tk."id" = %s AND tk."{Ticket._meta.get_field("cliente").column}" = %s',
            'ORDER BY at."created_at", at."id"',
        )
    )


@cache
def _timeline_sql() -> str:
    """History rows (kind 0) and public messages (kind 1), each with its user, in one
    UNION ALL; the serializer orders the timeline."""
    history_ticket = TicketHistory._meta.get_field("ticket").column
    message_ticket = TicketMessage._meta.get_field("ticket").column
    internal = TicketMessage._meta.get_field("internal").column
    return " ".join(
        (
            f"SELECT 0, {_HISTORY.sql}, {_MESSAGE.nulls()}, {_AUTHOR.sql}",
            f'FROM "{TicketHistory._meta.db_table}" h',
            _AUTHOR.left_join(f'u."id" = h."{_HISTORY_ACTOR.column}"'),
            f'WHERE h."{history_ticket}" = %s',
            f"UNION ALL SELECT 1, {_HISTORY.nulls()}, {_MESSAGE.sql}, {_AUTHOR.sql}",
            f'FROM "{TicketMessage._meta.db_table}" m',
            _AUTHOR.left_join(f'u."id" = m."{_MESSAGE_AUTHOR.column}"'),
            f'WHERE m."{message_ticket}" = %s AND m."{internal}" = %s',
        )
    )


# --- Devices -----------------------------------------------------------------------------------

_LISTED_DEVICE = ModelColumns(Device, "d")
_NAME_DEVICE = ModelColumns(NameDevice, "nd")
_OWNER = ModelColumns(Tenant, "ot")
_OWNER_USER = ModelColumns(User, "ou")

_DEVICE_NAME_DEVICE = Device._meta.get_field("name_device")
_TENANT_USER = Tenant._meta.get_field("user")


def tenant_devices(*, tenant: Tenant) -> tuple[list[Device], list[Device]]:
    """(owned, shared) as selectors.devices_owned / devices_shared give them: by name and id,
    with the device type, and each shared device with `owners_by_id` cut to its first owner
    (user loaded), all that the portal shows of them."""
    using = connection.alias
    with connection.cursor() as cursor:
        cursor.execute(_devices_sql(), [tenant.pk, tenant.pk])
        rows = cursor.fetchall()
    owned, shared = [], []
    type_offset = 1 + _LISTED_DEVICE.width
    owner_offset = type_offset + _NAME_DEVICE.width
    for row in rows:
        device = _LISTED_DEVICE.build(row, 1, using)
        _DEVICE_NAME_DEVICE.set_cached_value(device, _NAME_DEVICE.build(row, type_offset, using))
        if row[0] == 0:
            owned.append(device)
            continue
        owner = _OWNER.build(row, owner_offset, using)
        if owner is not None:
            _TENANT_USER.set_cached_value(owner, _OWNER_USER.build(row, owner_offset + _OWNER.width, using))
        device.owners_by_id = [owner] if owner is not None else []
        shared.append(device)
    return owned, shared


@cache
def _devices_sql() -> str:
    owners, shared_with = Device.owners.field, Device.shared_with.field
    owners_table, shared_table = owners.m2m_db_table(), shared_with.m2m_db_table()
    name_column = 2 + next(i for i, name in enumerate(_LISTED_DEVICE.attnames) if name == "name")
    id_column = 2 + _LISTED_DEVICE.pk_offset
    name_device = _NAME_DEVICE.left_join(f'nd."id" = d."{_DEVICE_NAME_DEVICE.column}"')
    first_owner = (
        f'(SELECT MIN(fo."{owners.m2m_reverse_name()}") FROM "{owners_table}" fo '  # noqa: S608 - names from the models
        f'WHERE fo."{owners.m2m_column_name()}" = d."id")'
    )
    return " ".join(
        (
            f"SELECT 0, {_LISTED_DEVICE.sql}, {_NAME_DEVICE.sql}, {_OWNER.nulls()}, {_OWNER_USER.nulls()}",
            f'FROM "{Device._meta.db_table}" d',
            f'JOIN "{owners_table}" mine ON mine."{owners.m2m_column_name()}" = d."id" '
            f'AND mine."{owners.m2m_reverse_name()}" = %s',
            name_device,
            f"UNION ALL SELECT 1, {_LISTED_DEVICE.sql}, {_NAME_DEVICE.sql}, {_OWNER.sql}, {_OWNER_USER.sql}",
            f'FROM "{Device._meta.db_table}" d',
            f'JOIN "{shared_table}" sw ON sw."{shared_with.m2m_column_name()}" = d."id" '
            f'AND sw."{shared_with.m2m_reverse_name()}" = %s',
            name_device,
            _OWNER.left_join(f'ot."id" = {first_owner}'),
            _OWNER_USER.left_join(f'ou."id" = ot."{_TENANT_USER.column}"'),
            f"ORDER BY 1, {name_column}, {id_column}",
        )
    )


# --- Lists: tickets and notifications ----------------------------------------------------------

_LISTED_ATTACHMENT = ModelColumns(TicketAttachment, "la")
# Its row plan reads the count from the page's "histories_count" (the selector's annotation).
_TICKETS_ANNOTATIONS = ("histories_count",)


def tenant_tickets_page(*, tenant: Tenant, portal_status: str | None, request) -> tuple[list[dict], int]:
    """(rows, total) as paginate_serialized(PortalTicketListItemSerializer,
    selectors.tenant_tickets(...), complete_unless_paged=True) answers them: without a paging
    parameter every ticket (up to MAX_UNPAGED_RESULTS, past it the first page)."""
    plan = row_plan(PortalTicketListItemSerializer, Ticket, connection.alias, _TICKETS_ANNOTATIONS)
    paged = paging_requested(request)
    offset, limit = page_window(request)
    if not paged:
        # Every row when there are at most MAX_UNPAGED_RESULTS, else the first page: enough
        # rows for either, cut once the total is known.
        limit = max(settings.MAX_UNPAGED_RESULTS, limit)
    # In the statement's order: public messages only, the status, the owner, the window.
    params = [False, *([portal_status] if portal_status else []), tenant.user_id, limit, offset]
    with connection.cursor() as cursor:
        use_compiled_timestamps(cursor)
        cursor.execute(_tickets_sql(plan, filtered=bool(portal_status)), params)
        rows = cursor.fetchall()
    width = len(plan.sql.columns)
    if rows:
        total = rows[0][width]
    elif offset:
        total = portal_selectors.tenant_tickets(tenant=tenant, portal_status=portal_status).count()
    else:
        total = 0
    if not paged:
        limit = page_window(request, total=total)[1]
    tickets, attachments = [], defaultdict(list)
    context = {"request": request}
    child = plan.to_many[0].child
    for row in rows:
        ticket_id = row[plan.pk_index]
        if not tickets or tickets[-1][plan.pk_index] != ticket_id:
            tickets.append(row)
        attachment = _LISTED_ATTACHMENT.build(row, width + 1, connection.alias)
        if attachment is not None:
            attachments[ticket_id].append(child.represent(attachment, context))
    build, tz = plan.build, timezone.get_current_timezone()
    return [build(row, {"attachments": attachments}, tz, connection) for row in tickets[:limit]], total


@cache
def _tickets_sql(plan, *, filtered: bool) -> str:
    """The page of a tenant's tickets (newest first) with the plan's columns, the list's total
    and each ticket's attachments (oldest first), one row per attachment."""
    if [many.name for many in plan.to_many] != ["attachments"] or plan.used_annotations != ["histories_count"]:
        raise TypeError("the tickets list's row plan is not the one this read was written for")
    ticket, history, message = Ticket._meta, TicketHistory._meta, TicketMessage._meta
    state = ticket.get_field("estado").column
    by_status = (
        f'JOIN "{Estado._meta.db_table}" st ON st."id" = t."{state}" AND st."portal_status" = %s' if filtered else ""
    )
    # The counts sit in the page's own SELECT, as the selector's annotation does: PostgreSQL
    # then joins the page's rows back by key (a wrapping SELECT made it hash-join a scan of
    # every ticket, 5x slower at 10k tickets).
    histories = (
        f'(SELECT COUNT(*) FROM "{history.db_table}" h WHERE h."{history.get_field("ticket").column}" = t."id") + '  # noqa: S608 - names from the models
        f'(SELECT COUNT(*) FROM "{message.db_table}" m WHERE m."{message.get_field("ticket").column}" = t."id" '
        f'AND m."{message.get_field("internal").column}" = %s)'
    )
    order = 't."fecha" DESC, t."id" DESC'
    page = (
        f'SELECT t."id" AS "pk", COUNT(*) OVER () AS "total", {histories} AS "histories_count" '  # noqa: S608 - names from the models
        f'FROM "{ticket.db_table}" t {by_status} '
        f'WHERE t."{ticket.get_field("cliente").column}" = %s ORDER BY {order} LIMIT %s OFFSET %s'
    )
    attachment_ticket = TicketAttachment._meta.get_field("ticket").column
    return " ".join(
        (
            f'SELECT {plan.select}, page."total", {_LISTED_ATTACHMENT.sql} FROM ({page}) page',  # noqa: S608 - names from the models
            f'JOIN "{ticket.db_table}" t ON t."id" = page."pk" {plan.joins}',
            _LISTED_ATTACHMENT.left_join(f'la."{attachment_ticket}" = t."id"'),
            f'ORDER BY {order}, la."created_at", la."id"',
        )
    )


def tenant_notifications_page(*, user: User, request) -> tuple[list[dict], int, int, int, int]:
    """(rows, total, unread, offset, limit) of the user's notifications, newest first: the
    page as paginate_serialized(PortalNotificationSerializer, selectors.tenant_notifications)
    answers it, the counters as notification_stats gives them."""
    plan = row_plan(PortalNotificationSerializer, Notification, connection.alias, ())
    offset, limit = page_window(request)
    with connection.cursor() as cursor:
        use_compiled_timestamps(cursor)
        cursor.execute(_notifications_sql(plan), [user.pk, limit, offset])
        rows = cursor.fetchall()
    width = len(plan.sql.columns)
    if rows:
        total, read = rows[0][width], rows[0][width + 1]
        unread = total - read
    else:
        stats = notification_selectors.notification_stats(user=user)
        total, unread = stats["total"], stats["no_leidas"]
    build, tz, children = plan.build, timezone.get_current_timezone(), {}
    return [build(row, children, tz, connection) for row in rows], total, unread, offset, limit


@cache
def _notifications_sql(plan) -> str:
    """A page of a user's notifications with the plan's columns, the user's total and how
    many of them were read (as notification_stats counts: a read one has fecha_lectura)."""
    if plan.to_many or plan.used_annotations:
        raise TypeError("the notifications' row plan is not the one this read was written for")
    notification = Notification._meta
    order = 't."fecha_creacion" DESC, t."id" DESC'
    page = (
        f'SELECT t."id" AS "pk", COUNT(*) OVER () AS "total", '  # noqa: S608 - names from the models
        f'COUNT(t."{notification.get_field("fecha_lectura").column}") OVER () AS "read" '
        f'FROM "{notification.db_table}" t WHERE t."{notification.get_field("usuario").column}" = %s '
        f"ORDER BY {order} LIMIT %s OFFSET %s"
    )
    return (
        f'SELECT {plan.select}, page."total", page."read" FROM ({page}) page '  # noqa: S608 - names from the models
        f'JOIN "{notification.db_table}" t ON t."id" = page."pk" {plan.joins} ORDER BY {order}'
    )
