"""Reads on tickets: scoped, optimised querysets (one query per list, whatever its length)."""

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from tickethelp.compiled import CompiledQuery
from tickethelp.exceptions import DomainError, NotFound
from tickets.models import (
    Estado,
    RequestStatus,
    StateChangeRequest,
    Ticket,
    TicketAttachment,
    TicketCount,
    TicketHistory,
)
from users.models import Role, User
from users.selectors import is_document

TICKET_RELATED = ("administrador", "tecnico", "cliente", "estado")
ROLE_NAMES = {Role.ADMIN: "administrador", Role.TECH: "técnico", Role.CLIENT: "cliente"}


# --- Estados -------------------------------------------------------------------------------


def estado_list() -> QuerySet[Estado]:
    return Estado.objects.order_by("id")


# estado_find's statement of every state change, compiled once (tickethelp.compiled).
ESTADO_WITH_PENDING_REQUEST = CompiledQuery(
    lambda estado_id, ticket_id: (
        Estado.objects.filter(pk=estado_id)
        .annotate(
            ticket_has_pending_request=Exists(
                StateChangeRequest.objects.filter(ticket_id=ticket_id, status=RequestStatus.PENDING)
            )
        )
        .order_by("pk")[:1]
    )
)


def estado_find(*, estado_id, with_pending_request_of: int | None = None) -> Estado | None:
    """The state `estado_id`, or None. `with_pending_request_of`: a ticket's id; the state
    then carries `ticket_has_pending_request` (read in the same statement)."""
    if not isinstance(estado_id, int) or isinstance(estado_id, bool):
        return None
    if with_pending_request_of is not None:
        return ESTADO_WITH_PENDING_REQUEST.first(estado_id, with_pending_request_of)
    queryset = Estado.objects.filter(pk=estado_id)
    if with_pending_request_of is not None:
        pending = StateChangeRequest.objects.filter(ticket_id=with_pending_request_of, status=RequestStatus.PENDING)
        queryset = queryset.annotate(ticket_has_pending_request=Exists(pending))
    return queryset.first()


# --- Tickets -------------------------------------------------------------------------------


def ticket_queryset() -> QuerySet[Ticket]:
    """Tickets with the users and state every output shows, newest first."""
    return Ticket.objects.select_related(*TICKET_RELATED).order_by("-fecha", "-id")


def ticket_counts() -> QuerySet[TicketCount] | None:
    """Every ticket counter, or None where the database keeps none (see TicketCount)."""
    if connection.vendor != "postgresql":
        return None
    return TicketCount.objects.all()


@dataclass(frozen=True)
class TicketScope:
    """The tickets a list shows: all of them, or those where `field` is `user`."""

    field: str | None = None
    user: User | None = None

    def tickets(self) -> QuerySet[Ticket]:
        # Lists read their page as rows (tickethelp/rows.py): the output decides the columns.
        queryset = ticket_queryset()
        return queryset.filter(**{self.field: self.user}) if self.field else queryset

    def counts(self) -> QuerySet[TicketCount] | None:
        """The counters that add up to this scope (None: count the tickets instead)."""
        counts = ticket_counts()
        if counts is None or self.field is None:
            return counts
        return counts.filter(tecnico=self.user) if self.field == "tecnico" else None


ROLE_FIELDS = {Role.CLIENT: "cliente", Role.TECH: "tecnico", Role.ADMIN: "administrador"}


def ticket_scope_for(*, user: User) -> TicketScope:
    """The tickets `user` is party to: a client's own, a technician's assigned, an admin's all."""
    return TicketScope() if user.role == Role.ADMIN else TicketScope(ROLE_FIELDS[user.role], user)


def ticket_consulta_scope(*, actor: User, subject: User) -> TicketScope:
    """`tickets/consulta/`: own/assigned tickets; an ADMIN sees all, or those of `subject`
    (subject_user already refused anyone else reading another user's tickets)."""
    if subject.pk == actor.pk:
        return ticket_scope_for(user=actor)
    return TicketScope(ROLE_FIELDS[subject.role], subject)


# The ticket text a search looks in; a trigram index on this very expression (migration
# 0007, PostgreSQL) answers `LIKE '%...%'` without reading every ticket.
TICKET_SEARCH_TEXT = "upper(code || ' ' || titulo || ' ' || descripcion || ' ' || equipo)"


def ticket_search_matches(text: str) -> RawSQL:
    """Ids of the tickets whose code, title, description or equipment contain `text`, or
    whose client's document or names do (case-insensitive; % and _ are literal).

    One UNION of ids, so that PostgreSQL finds the few matches first (trigram index) and
    then sorts them, instead of walking the whole list order testing each ticket."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    contains = "LIKE upper(%s) ESCAPE '\\'"
    sql = (
        f"SELECT id FROM tickets_ticket WHERE {TICKET_SEARCH_TEXT} {contains} "  # noqa: S608 - constant SQL
        "UNION SELECT id FROM tickets_ticket WHERE cliente_id IN ("
        f"SELECT id FROM users_user WHERE upper(document) {contains} "
        f"OR upper(first_name) {contains} OR upper(last_name) {contains})"
    )
    return RawSQL(sql, [f"%{escaped}%"] * 4)  # noqa: S611 - constant SQL; the text travels as a parameter


def is_participant(*, ticket: Ticket, user: User) -> bool:
    """ADMINs, the assigned technician and the owning client take part in a ticket."""
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.TECH:
        return ticket.tecnico_id == user.pk
    return ticket.cliente_id == user.pk


def ticket_get(*, ticket_id: int) -> Ticket:
    ticket = ticket_queryset().filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound("Ticket no encontrado.", code="ticket_not_found")
    return ticket


def ticket_get_for_participant(*, ticket_id: int, user: User) -> Ticket:
    """The ticket when `user` takes part in it; anyone else gets the same 404 as a missing id."""
    ticket = ticket_get(ticket_id=ticket_id)
    if not is_participant(ticket=ticket, user=user):
        raise NotFound("Ticket no encontrado.", code="ticket_not_found")
    return ticket


def ticket_history(*, ticket: Ticket) -> QuerySet[TicketHistory]:
    return ticket.history.select_related("actor", "from_state", "to_state").order_by("created_at", "id")


def ticket_attachments(*, ticket: Ticket) -> QuerySet[TicketAttachment]:
    return ticket.attachments.select_related("uploaded_by").order_by("created_at", "id")


def attachment_get_for_participant(*, ticket_id: int, attachment_id: int, user: User) -> TicketAttachment:
    ticket = ticket_get_for_participant(ticket_id=ticket_id, user=user)
    attachment = TicketAttachment.objects.filter(pk=attachment_id, ticket=ticket).first()
    if attachment is None:
        raise NotFound("Adjunto no encontrado.", code="attachment_not_found")
    return attachment


# --- State-change requests -----------------------------------------------------------------


def pending_requests() -> QuerySet[StateChangeRequest]:
    """Pending requests, oldest first, with the ticket, users and states their output shows."""
    return (
        StateChangeRequest.objects.filter(status=RequestStatus.PENDING)
        .select_related(
            "ticket__estado",
            "ticket__administrador",
            "ticket__cliente",
            "ticket__tecnico",
            "from_state",
            "to_state",
            "requested_by",
            "decided_by",
        )
        .order_by("created_at", "id")
    )


def request_get(*, request_id: int) -> StateChangeRequest:
    state_request = StateChangeRequest.objects.filter(pk=request_id).first()
    if state_request is None:
        raise NotFound("Solicitud de cambio de estado no encontrada.", code="request_not_found")
    return state_request


# --- Technicians ---------------------------------------------------------------------------


def technicians_with_load() -> QuerySet[User]:
    """Active technicians annotated with open (non-final) and total tickets, least busy first.

    Ties are broken deterministically: fewest total tickets, then last name, first name, id.
    The loads are read from the ticket counters (a handful of rows per technician)."""
    if ticket_counts() is None:
        open_tickets = Count("tickets_asignados", filter=Q(tickets_asignados__estado__es_final=False))
        total_tickets = Count("tickets_asignados")
    else:
        open_tickets = Coalesce(Sum("ticket_counts__total", filter=Q(ticket_counts__estado__es_final=False)), 0)
        total_tickets = Coalesce(Sum("ticket_counts__total"), 0)
    return (
        User.objects.filter(role=Role.TECH, is_active=True)
        .annotate(open_tickets=open_tickets, total_tickets=total_tickets)
        .order_by("open_tickets", "total_tickets", "last_name", "first_name", "id")
    )


def least_busy_technician() -> User | None:
    """The first of `technicians_with_load()`: on PostgreSQL its SQL written once (no ORM
    compilation per call), one statement."""
    if ticket_counts() is None:
        return technicians_with_load().first()
    return next(iter(User.objects.raw(_least_busy_sql(), [Role.TECH])), None)


@cache
def _least_busy_sql() -> str:
    """`technicians_with_load().first()` over the ticket counters, written once from the
    models' metadata (the role is the one parameter); the loads cast to bigint, the integers
    the ORM's Coalesce(Sum(...)) answers."""
    user, counts, state = User._meta, TicketCount._meta, Estado._meta

    def column(meta, name: str) -> str:
        return f'"{meta.get_field(name).column}"'

    total = f"c.{column(counts, 'total')}"
    open_only = f"FILTER (WHERE NOT e.{column(state, 'es_final')})"
    return (
        f"SELECT u.*, CAST(COALESCE(SUM({total}) {open_only}, 0) AS BIGINT) AS open_tickets, "  # noqa: S608 - identifiers from the models
        f"CAST(COALESCE(SUM({total}), 0) AS BIGINT) AS total_tickets "
        f'FROM "{user.db_table}" u '
        f'LEFT JOIN "{counts.db_table}" c ON c.{column(counts, "tecnico")} = u."{user.pk.column}" '
        f'LEFT JOIN "{state.db_table}" e ON e."{state.pk.column}" = c.{column(counts, "estado")} '
        f"WHERE u.{column(user, 'role')} = %s AND u.{column(user, 'is_active')} "
        f'GROUP BY u."{user.pk.column}" '
        f"ORDER BY open_tickets, total_tickets, u.{column(user, 'last_name')}, u.{column(user, 'first_name')}, "
        f'u."{user.pk.column}" LIMIT 1'
    )


def occupation_percentage(open_tickets: int) -> float:
    """Open tickets relative to settings.TECHNICIAN_CAPACITY (100.0 = at capacity; may exceed)."""
    capacity = max(int(settings.TECHNICIAN_CAPACITY), 1)
    return round(open_tickets / capacity * 100, 2)


# --- Users referenced by document in request bodies ----------------------------------------


def users_for_fields(*, wanted: dict[str, tuple[str, str]]) -> dict[str, User]:
    """{field: (document, role)} -> {field: the active user with that document and role},
    all found in one query; the first field that does not resolve is a 400 naming it."""
    documents = {document for document, _ in wanted.values() if is_document(document)}
    found = {user.document: user for user in User.objects.filter(document__in=documents)} if documents else {}
    return {
        field: _checked_user(found.get(document), document=document, role=role, field=field)
        for field, (document, role) in wanted.items()
    }


def user_for_field(*, document: str, role: str, field: str) -> User:
    """The active user with `document` and `role`, or a 400 naming `field`."""
    return users_for_fields(wanted={field: (document, role)})[field]


def _checked_user(user: User | None, *, document: str, role: str, field: str) -> User:
    role_name = ROLE_NAMES[role]
    if user is None:
        raise DomainError(
            f"No existe un usuario con el documento '{document[:20]}'.",
            code="user_not_found",
            field_errors={field: [f"No existe un {role_name} con ese documento."]},
        )
    if user.role != role:
        raise DomainError(
            f"El usuario con documento '{user.document}' no es {role_name}.",
            code="wrong_role",
            field_errors={field: [f"El usuario indicado no es {role_name}."]},
        )
    if not user.is_active:
        raise DomainError(
            f"El {role_name} con documento '{user.document}' está inactivo.",
            code="user_inactive",
            field_errors={field: [f"El {role_name} indicado está inactivo."]},
        )
    return user
