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
  first owner (one statement).
"""

from functools import cache

from django.db import connection

from conversations.models import TicketMessage
from tenants.models import Device, NameDevice, Tenant
from tenants.portal.selectors import MAX_ID, TICKET_NOT_FOUND
from tickethelp.exceptions import NotFound
from tickethelp.instances import ModelColumns, set_prefetched
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
