"""Reads of the conversation: every queryset is already cut to what the reader may see."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, CharField, Count, OuterRef, Prefetch, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from conversations.models import MessageAttachment, TicketMessage
from tickethelp.exceptions import NotFound
from tickets.models import Ticket
from tickets.selectors import ticket_get_for_participant
from users.models import Role, User

# How the residents' app names a message in a ticket's timeline, by its author's role.
PORTAL_ACTIONS = {Role.CLIENT: "member_message", Role.TECH: "technician_message", Role.ADMIN: "admin_message"}


def sees_internal_notes(*, ticket: Ticket, user: User) -> bool:
    """Internal notes are for ADMINs and the ticket's assigned technician only."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.TECH and ticket.tecnico_id == user.pk


def _attachments_prefetch() -> Prefetch:
    # The message is joined: each file's download URL names its ticket.
    return Prefetch(
        "attachments", queryset=MessageAttachment.objects.select_related("message").order_by("created_at", "id")
    )


def public_messages() -> QuerySet[TicketMessage]:
    """Messages everyone who sees their ticket may read (no internal note, ever)."""
    return TicketMessage.objects.filter(internal=False)


def ticket_messages(*, ticket: Ticket, user: User, since: datetime | None = None) -> QuerySet[TicketMessage]:
    """The ticket's messages `user` may read, oldest first, with author and attachments
    (a constant number of queries whatever their number); `since`: only later ones."""
    queryset = TicketMessage.objects if sees_internal_notes(ticket=ticket, user=user) else public_messages()
    queryset = queryset.filter(ticket=ticket)
    if since is not None:
        queryset = queryset.filter(created_at__gt=since)
    return queryset.select_related("author").prefetch_related(_attachments_prefetch()).order_by("created_at", "id")


def portal_messages(*, ticket: Ticket) -> QuerySet[TicketMessage]:
    """A resident's view of the conversation: public messages only, each with the action the
    residents' app shows it as (`member_message` for the resident's own)."""
    action = Case(
        *[When(author__role=role, then=Value(name)) for role, name in PORTAL_ACTIONS.items()],
        output_field=CharField(),
    )
    return (
        public_messages()
        .filter(ticket=ticket)
        .annotate(action=action)
        .select_related("author")
        .prefetch_related(_attachments_prefetch())
        .order_by("created_at", "id")
    )


def public_message_count() -> Coalesce:
    """A ticket's public messages, counted per listed ticket (correlated subquery)."""
    rows = public_messages().filter(ticket=OuterRef("pk")).order_by().values("ticket")
    return Coalesce(Subquery(rows.annotate(total=Count("pk")).values("total")), 0)


def portal_action(message: TicketMessage) -> str:
    return PORTAL_ACTIONS.get(message.author.role, "member_message")


def attachment_get_for_reader(*, ticket_id: int, attachment_id: int, user: User) -> MessageAttachment:
    """A message's file for someone who may read that message; else the same 404 as a
    missing one (an internal note's file does not exist for the client)."""
    ticket = ticket_get_for_participant(ticket_id=ticket_id, user=user)
    attachments = MessageAttachment.objects.filter(pk=attachment_id, message__ticket=ticket)
    if not sees_internal_notes(ticket=ticket, user=user):
        attachments = attachments.filter(message__internal=False)
    attachment = attachments.first()
    if attachment is None:
        raise NotFound("Adjunto no encontrado.", code="attachment_not_found")
    return attachment


def admins_who_wrote(*, ticket: Ticket) -> list[User]:
    """Active ADMINs with at least one message (public or internal) on the ticket."""
    authors = TicketMessage.objects.filter(ticket=ticket, author__role=Role.ADMIN).values("author_id")
    return list(User.objects.filter(pk__in=authors, is_active=True).order_by("pk"))


@dataclass(frozen=True)
class TimelineEntry:
    """A message read as a ticket history row (`id, action, description, actor, created_at`),
    for timelines that merge both."""

    id: int
    action: str
    description: str
    actor: User
    actor_id: int
    created_at: datetime


def timeline_entry(message: TicketMessage) -> TimelineEntry:
    """`message` (author loaded) as a history-shaped entry; `action` as the residents' app names it."""
    return TimelineEntry(
        id=message.pk,
        action=portal_action(message),
        description=message.body,
        actor=message.author,
        actor_id=message.author_id,
        created_at=message.created_at,
    )
