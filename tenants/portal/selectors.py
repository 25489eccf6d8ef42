"""Reads of the tenant portal (/api/tenant/...): every queryset is scoped to one tenant.

A tenant reaches only their profile, apartment (and its other residents), building, owner,
active doormen, own and shared devices, and the tickets of their user. Anything else is
the same 404 as a missing id.
"""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from conversations.selectors import public_message_count, public_messages
from notifications import selectors as notification_selectors
from notifications.models import Notification
from tenants.models import Device, Doorman, Owner, Tenant
from tickethelp.exceptions import NotFound
from tickets.models import Ticket, TicketAttachment, TicketHistory
from users.models import Role, User

TICKET_NOT_FOUND = "Ticket not found."
# Ids beyond a bigint cannot exist; they are answered without asking the database.
MAX_ID = 2**63 - 1


def tenant_for_user(*, user: User) -> Tenant | None:
    """The resident profile of an active CLIENT user, with apartment, building and owner."""
    if not (user and user.is_authenticated and user.is_active and user.role == Role.CLIENT):
        return None
    profile = Tenant._meta.get_field("user").remote_field
    if profile.is_cached(user):
        # Loaded with the user by the portal's authentication (tenants/portal/authentication.py).
        return profile.get_cached_value(user)
    # One row (user_id is unique): no ordering, which would join for the model's default one;
    # the user is the caller, already loaded.
    queryset = Tenant.objects.select_related("apartment__building__owner").filter(user_id=user.pk).order_by()
    tenant = next(iter(queryset[:1]), None)
    if tenant is not None:
        tenant.user = user
    return tenant


# --- Property ----------------------------------------------------------------------------------


def apartment_other_tenants(*, tenant: Tenant) -> QuerySet[Tenant]:
    return (
        Tenant.objects.filter(apartment_id=tenant.apartment_id)
        .exclude(pk=tenant.pk)
        .select_related("user")
        .order_by("id")
    )


def building_active_doormen(*, tenant: Tenant) -> QuerySet[Doorman]:
    return Doorman.objects.filter(building_id=tenant.apartment.building_id, active=True).order_by("shift", "name", "id")


def building_owner(*, tenant: Tenant) -> Owner:
    owner = tenant.apartment.building.owner
    if owner is None:
        raise NotFound("Owner not found.", code="owner_not_found")
    return owner


# --- Devices -----------------------------------------------------------------------------------


def devices_owned(*, tenant: Tenant) -> QuerySet[Device]:
    return Device.objects.filter(owners=tenant).select_related("name_device").order_by("name", "id")


def devices_shared(*, tenant: Tenant) -> QuerySet[Device]:
    """Devices shared with the tenant, each with its owners (by id) prefetched in one query."""
    owners = Tenant.objects.select_related("user").order_by("id")
    return (
        Device.objects.filter(shared_with=tenant)
        .select_related("name_device")
        .prefetch_related(Prefetch("owners", queryset=owners, to_attr="owners_by_id"))
        .order_by("name", "id")
    )


def device_for_ticket(*, tenant: Tenant, device_id: int) -> Device | None:
    """A device the tenant owns or that is shared with them, else None (same for a missing id)."""
    if not 0 < device_id <= MAX_ID:
        return None
    # One statement on every database: two EXISTS on the link tables. (A UNION of the two
    # lookups cut with .first() orders its parts, which SQLite refuses in a compound
    # statement: POST /api/tenant/tickets was a 500 under `make run`.)
    owned = Device.owners.through.objects.filter(device_id=OuterRef("pk"), tenant=tenant)
    shared = Device.shared_with.through.objects.filter(device_id=OuterRef("pk"), tenant=tenant)
    queryset = Device.objects.filter(Q(Exists(owned)) | Q(Exists(shared)), pk=device_id).order_by()
    return next(iter(queryset[:1]), None)


# --- Tickets -----------------------------------------------------------------------------------


def _attachments_prefetch() -> Prefetch:
    return Prefetch("attachments", queryset=TicketAttachment.objects.order_by("created_at", "id"))


def _history_count() -> Coalesce:
    """A ticket's history rows, counted for the page's rows only (a correlated count, where
    Count("history") grouped every ticket of the tenant before the page was cut)."""
    rows = TicketHistory.objects.filter(ticket=OuterRef("pk")).order_by().values("ticket")
    return Coalesce(Subquery(rows.annotate(total=Count("pk")).values("total")), 0)


def tenant_tickets(*, tenant: Tenant, portal_status: str | None = None) -> QuerySet[Ticket]:
    """The tenant user's tickets, newest first, with device, technician, state, attachments and
    their history count: the same number of queries whatever the number of tickets."""
    queryset = (
        Ticket.objects.filter(cliente_id=tenant.user_id)
        .select_related("estado", "device", "tecnico")
        # The detail's `histories` merges history rows and public messages: so does the count.
        .annotate(histories_count=_history_count() + public_message_count())
        .prefetch_related(_attachments_prefetch())
        .order_by("-fecha", "-id")
    )
    if portal_status:
        queryset = queryset.filter(estado__portal_status=portal_status)
    return queryset


def tenant_ticket_get(*, tenant: Tenant, ticket_id: int) -> Ticket:
    """One of the tenant's tickets with its history (actors loaded) and attachments; anyone
    else's ticket is the same 404 as a missing one."""
    if not 0 < ticket_id <= MAX_ID:
        raise NotFound(TICKET_NOT_FOUND, code="ticket_not_found")
    history = TicketHistory.objects.select_related("actor").order_by("created_at", "id")
    messages = public_messages().select_related("author").order_by("created_at", "id")
    ticket = (
        Ticket.objects.filter(pk=ticket_id, cliente_id=tenant.user_id)
        .select_related("estado", "device", "tecnico")
        .prefetch_related(
            Prefetch("history", queryset=history),
            Prefetch("messages", queryset=messages, to_attr="public_messages"),
            _attachments_prefetch(),
        )
        .first()
    )
    if ticket is None:
        raise NotFound(TICKET_NOT_FOUND, code="ticket_not_found")
    return ticket


def tenant_ticket_for_messages(*, tenant: Tenant, ticket_id: int) -> Ticket:
    """One of the tenant's tickets, bare (its conversation is read apart); else a 404."""
    ticket = None
    if 0 < ticket_id <= MAX_ID:
        ticket = Ticket.objects.filter(pk=ticket_id, cliente_id=tenant.user_id).only("pk", "cliente_id").first()
    if ticket is None:
        raise NotFound(TICKET_NOT_FOUND, code="ticket_not_found")
    return ticket


# --- Notifications -----------------------------------------------------------------------------


def tenant_notifications(*, user: User) -> QuerySet[Notification]:
    """The user's notifications, newest first, with what the portal shows of their ticket
    (state, device, technician) joined in."""
    return notification_selectors.notification_list(user=user).select_related(
        "ticket__estado", "ticket__device", "ticket__tecnico"
    )


def tenant_notification(*, user: User, notification_id: int) -> Notification:
    notification = tenant_notifications(user=user).filter(pk=notification_id).first()
    if notification is None:
        raise NotFound("Notification not found.", code="notification_not_found")
    return notification
