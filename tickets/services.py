"""Writes on tickets. Each function is one transaction that locks what it decides on.

Lock order, everywhere: technicians (pk order) -> ticket -> its state-change request. The
ticket row is locked and read with its relations in one statement (see `lock_ticket`). Every
change appends a `TicketHistory` row and announces itself in `_publish`, which writes the
change (ticket UPDATE, history row, ...), its notifications and their delivery tasks together
in the same transaction, one statement on PostgreSQL (tickethelp.compiled); the e-mails and
pushes go out after commit (notifications app).
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone

from notifications.events import notify_ticket_event
from sla import clocks
from sla.business_time import business_seconds_between
from sla.calendar import configured_calendar
from tickethelp import compiled
from tickethelp.exceptions import Conflict, DomainError, Forbidden, NotFound
from tickethelp.instances import set_prefetched
from tickethelp.uploads import STORAGE_ERRORS, CheckedUpload, UploadRejected, check_upload, store_upload
from tickets import selectors
from tickets.models import (
    CANCELLABLE_STATE_CODES,
    PENDING_REQUEST_CONSTRAINT,
    Estado,
    EstadoCodigo,
    HistoryAction,
    PortalStatus,
    Priority,
    RequestStatus,
    StateChangeRequest,
    Ticket,
    TicketAttachment,
    TicketCount,
    TicketHistory,
    ticket_code_for,
)
from users.models import Role, User

logger = logging.getLogger(__name__)

FINAL_TICKET_MESSAGE = "El ticket está en un estado final y no admite cambios."


# --- Side effects --------------------------------------------------------------------------


def _publish(event: str, *, ticket: Ticket, actor: User | None, writes: Sequence[compiled.Write], **data) -> None:
    """The one place every ticket change announces itself and writes what it changed: its
    `writes` (the ticket's UPDATE, the history row, ...) and its notifications (one per
    recipient) go to the database together, one statement on PostgreSQL, in the current
    transaction; their e-mails are queued after commit."""
    notify_ticket_event(event, ticket=ticket, actor=actor, along=writes, **data)


def _record(
    *,
    ticket: Ticket,
    actor: User | None,
    action: str,
    description: str,
    from_state: Estado | None = None,
    to_state: Estado | None = None,
) -> compiled.Write:
    """The history row of a change, to be written with it (see `_publish`)."""
    return compiled.insert(
        [
            TicketHistory(
                ticket=ticket,
                actor=actor,
                action=action,
                from_state=from_state,
                to_state=to_state,
                description=description,
            )
        ]
    )


# --- Locks ---------------------------------------------------------------------------------


def lock_ticket(ticket_id: int) -> Ticket:
    """The ticket row, locked until the end of the transaction (caller is inside atomic), with
    its relations: one `SELECT … FOR UPDATE OF` the ticket alone, joined to its relations."""
    ticket = LOCKED_TICKET.first(ticket_id)
    if ticket is not None and _relations_match(ticket):
        return ticket
    # The joined rows can be stale: when the row we waited for changed a foreign key (its
    # `estado_id`, its technician), PostgreSQL re-checks the join against the rows it had
    # already read, and either drops the ticket (inner join: seen as "not found" under
    # concurrent approvals) or null-extends the relation (outer join). The lock is held by
    # now (or the ticket does not exist): read it again, with a snapshot taken after the wait.
    # (SQLite has no row locks: its single writer serialises the writes instead.)
    _lock_ticket_row(ticket_id)
    return Ticket.objects.select_related(*TICKET_RELATIONS).get(pk=ticket_id)


TICKET_RELATIONS = ("estado", "tecnico", "cliente", "administrador")
# The hottest read of the writes, compiled once (tickethelp.compiled).
LOCKED_TICKET = compiled.CompiledQuery(
    lambda ticket_id: (
        Ticket.objects.select_related(*TICKET_RELATIONS).select_for_update(of=("self",)).filter(pk=ticket_id).order_by()
    )
)


def _relations_match(ticket: Ticket) -> bool:
    """Whether each joined relation is the row its foreign key names (see `lock_ticket`)."""
    for name in TICKET_RELATIONS:
        related = getattr(ticket, name)
        if getattr(ticket, f"{name}_id") != (related.pk if related is not None else None):
            return False
    return True


def _lock_ticket_row(ticket_id: int) -> None:
    """Only the lock of `lock_ticket`, for callers that read the ticket with another row."""
    if not Ticket.objects.select_for_update().filter(pk=ticket_id).values_list("pk", flat=True).first():
        raise NotFound("Ticket no encontrado.", code="ticket_not_found")


def _refuse_if_final(ticket: Ticket) -> None:
    if ticket.estado.es_final:
        raise Conflict(FINAL_TICKET_MESSAGE, code="ticket_final")


def _pick_least_busy_technician() -> User | None:
    """Least busy active technician; technicians are locked (pk order) so that concurrent
    assignments see each other's tickets and spread the load."""
    list(User.objects.filter(role=Role.TECH, is_active=True).order_by("pk").select_for_update().values_list("pk"))
    return selectors.least_busy_technician()


# --- Estados -------------------------------------------------------------------------------


def estado_create(
    *,
    codigo: str,
    nombre: str,
    es_activo: bool = True,
    es_final: bool = False,
    portal_status: str = PortalStatus.IN_PROGRESS,
) -> Estado:
    """A new catalog state; `portal_status` is optional in the API, so it takes the model's default."""
    try:
        with transaction.atomic():
            return Estado.objects.create(
                codigo=codigo, nombre=nombre, es_activo=es_activo, es_final=es_final, portal_status=portal_status
            )
    except IntegrityError:
        raise Conflict("Ya existe un estado con ese código o nombre.", code="estado_exists") from None


# --- Tickets -------------------------------------------------------------------------------


def ticket_create(
    *,
    actor: User | None,
    cliente: User,
    titulo: str,
    descripcion: str,
    administrador: User | None = None,
    tecnico: User | None = None,
    auto_assign: bool = True,
    estado: Estado | None = None,
    equipo: str = "",
    fecha: datetime | None = None,
    category: str = "",
    priority: str = Priority.MEDIUM,
    device=None,
    source: str = "staff",
    attachments: Sequence[tuple[object, CheckedUpload]] = (),
) -> Ticket:
    """Open a ticket (state "open" unless a non-final active state is given); with no
    technician and `auto_assign`, the least busy active technician gets it. The code is
    derived from the primary key, so it cannot collide. `source="tenant"` marks tickets
    residents open from the portal (every admin is notified of those). `attachments` are
    (uploaded file, its `check_upload` result) pairs, checked by the caller before calling:
    they are stored in the same transaction as the ticket (all or nothing)."""
    if estado is None:
        estado = _opening_state()
        if estado is None:
            raise Conflict("El catálogo de estados no tiene el estado inicial 'open'.", code="catalog_incomplete")
    if estado.es_final or not estado.es_activo:
        raise DomainError(
            "Un ticket nuevo no puede crearse en un estado final o inactivo.",
            code="invalid_initial_state",
            field_errors={"estado": ["El estado inicial debe ser un estado activo y no final."]},
        )
    if administrador is None and actor is not None and actor.role == Role.ADMIN:
        administrador = actor
    stored_names: list[str] = []
    try:
        with transaction.atomic():
            if tecnico is None and auto_assign:
                tecnico = _pick_least_busy_technician()
            ticket = Ticket(
                administrador=administrador,
                tecnico=tecnico,
                cliente=cliente,
                estado=estado,
                titulo=titulo.strip(),
                descripcion=descripcion.strip(),
                equipo=(equipo or "").strip(),
                fecha=fecha or timezone.now(),
                category=(category or "").strip(),
                priority=priority,
                device=device,
            )
            # The service-level clocks ride on the INSERT.
            clocks.on_created(ticket, now=timezone.now())
            ticket_insert = None
            if getattr(estado, "next_ticket_id", None) is not None:
                # Its id drawn with the state: the INSERT goes with the rest of the change.
                ticket.pk = estado.next_ticket_id
                ticket.code = ticket_code_for(ticket.pk)
                ticket_insert = compiled.insert([ticket])
            else:
                ticket.save(force_insert=True)
                ticket.code = ticket_code_for(ticket.pk)
                if connection.vendor != "postgresql":
                    # PostgreSQL fills it in the INSERT itself (trigger of tickets 0013).
                    Ticket.objects.filter(pk=ticket.pk).update(code=ticket.code)
            assigned = f", asignado a {tecnico.get_full_name()}" if tecnico else ", sin técnico asignado"
            history = _record(
                ticket=ticket,
                actor=actor,
                action=HistoryAction.CREATED,
                to_state=estado,
                description=f"Ticket {ticket.code} creado{assigned}.",
            )
            _publish("ticket_creado", ticket=ticket, actor=actor, writes=[ticket_insert, history], source=source)
            stored = [
                _store_attachment(
                    ticket=ticket, actor=actor, uploaded_file=uploaded_file, checked=checked, stored_names=stored_names
                )
                for uploaded_file, checked in attachments
            ]
            # The stored attachments are the new ticket's `attachments`, as prefetch_related
            # would read them back: whoever shows the new ticket does not read them again.
            set_prefetched(ticket, "attachments", stored)
    except Exception:
        # Nothing was committed: no stored file may outlive its row.
        _delete_stored(stored_names)
        raise
    return ticket


def _opening_state() -> Estado | None:
    """The "open" state; on PostgreSQL with the next ticket id (`next_ticket_id`) drawn from
    the tickets' sequence in the same statement, so that the ticket's INSERT needs no answer
    from the database and goes with its history and notifications (see `_publish`). An id
    drawn for a create that then fails is skipped, as a failed INSERT's is."""
    states = Estado.objects.filter(codigo=EstadoCodigo.OPEN)
    if connection.vendor == "postgresql":
        sequence = RawSQL("nextval(pg_get_serial_sequence(%s, %s))", [Ticket._meta.db_table, Ticket._meta.pk.column])
        states = states.annotate(next_ticket_id=sequence)
    return states.first()


def ticket_change_technician(*, ticket_id: int, actor: User, tecnico: User) -> Ticket:
    """Reassign a non-final ticket to another active technician."""
    with transaction.atomic():
        ticket = lock_ticket(ticket_id)
        _refuse_if_final(ticket)
        if ticket.tecnico_id == tecnico.pk:
            raise DomainError(
                "El ticket ya está asignado a ese técnico.",
                code="same_technician",
                field_errors={"documento_tecnico": ["El ticket ya está asignado a ese técnico."]},
            )
        previous = ticket.tecnico
        ticket.tecnico = tecnico
        before = previous.get_full_name() if previous else "sin asignar"
        history = _record(
            ticket=ticket,
            actor=actor,
            action=HistoryAction.TECHNICIAN_CHANGED,
            from_state=ticket.estado,
            to_state=ticket.estado,
            description=f"Técnico cambiado: {before} → {tecnico.get_full_name()}.",
        )
        _publish(
            "tecnico_cambiado",
            ticket=ticket,
            actor=actor,
            writes=[compiled.update(ticket, ["tecnico", "updated_at"]), history],
            old_tecnico=previous,
            new_tecnico=tecnico,
        )
    return ticket


@dataclass(frozen=True)
class StateChangeOutcome:
    ticket: Ticket
    request: StateChangeRequest | None  # set when the target is final (awaiting approval)


def _target_state(to_state_id: int, *, ticket_id: int) -> Estado:
    """The target state, read together with whether the (locked) ticket has a pending
    request (`to_state.ticket_has_pending_request`): one statement for both checks."""
    to_state = selectors.estado_find(estado_id=to_state_id, with_pending_request_of=ticket_id)
    if to_state is None:
        raise DomainError(
            f"El estado {to_state_id} no existe.",
            code="state_not_found",
            field_errors={"to_state": [f"El estado {to_state_id} no existe."]},
        )
    if not to_state.es_activo:
        raise DomainError(
            f"El estado '{to_state.nombre}' no está activo.",
            code="state_inactive",
            field_errors={"to_state": ["El estado indicado no está activo."]},
        )
    return to_state


def _pending_request_conflict() -> Conflict:
    return Conflict(
        "El ticket ya tiene una solicitud de cambio de estado pendiente de aprobación.",
        code="request_already_pending",
    )


def ticket_change_state(*, ticket_id: int, actor: User, to_state_id: int, reason: str = "") -> StateChangeOutcome:
    """Only the assigned technician moves a ticket: a non-final state applies at once, a
    final state becomes a pending request for an admin (at most one per ticket)."""
    try:
        return _ticket_change_state(ticket_id=ticket_id, actor=actor, to_state_id=to_state_id, reason=reason)
    except IntegrityError as exc:
        # Only reachable if the ticket lock were bypassed; the transaction is rolled back.
        if PENDING_REQUEST_CONSTRAINT in str(exc):
            raise _pending_request_conflict() from None
        raise


def _ticket_change_state(*, ticket_id: int, actor: User, to_state_id: int, reason: str) -> StateChangeOutcome:
    with transaction.atomic():
        ticket = lock_ticket(ticket_id)
        if actor.role != Role.TECH or ticket.tecnico_id != actor.pk:
            raise Forbidden(
                "Solo el técnico asignado puede cambiar el estado de este ticket.", code="not_assigned_technician"
            )
        _refuse_if_final(ticket)
        to_state = _target_state(to_state_id, ticket_id=ticket.pk)
        if to_state.pk == ticket.estado_id:
            raise DomainError(
                f"El ticket ya está en el estado '{to_state.nombre}'.",
                code="same_state",
                field_errors={"to_state": ["El ticket ya está en ese estado."]},
            )
        if to_state.ticket_has_pending_request:
            raise _pending_request_conflict()
        from_state = ticket.estado
        reason = (reason or "").strip()
        if to_state.es_final:
            # The ticket lock and the check above make a second pending request impossible;
            # the partial unique index still guards it (see _pending_request_conflict).
            state_request = StateChangeRequest.objects.create(
                ticket=ticket, requested_by=actor, from_state=from_state, to_state=to_state, reason=reason
            )
            sla_fields = clocks.on_request_pending(ticket, now=timezone.now())
            history = _record(
                ticket=ticket,
                actor=actor,
                action=HistoryAction.STATE_CHANGE_REQUESTED,
                from_state=from_state,
                to_state=to_state,
                description=f"Solicitud #{state_request.pk}: {from_state.nombre} → {to_state.nombre}"
                + (f". Motivo: {reason}" if reason else "."),
            )
            ticket_update = compiled.update(ticket, [*sla_fields, "updated_at"]) if sla_fields else None
            _publish(
                "solicitud_cambio_estado",
                ticket=ticket,
                actor=actor,
                writes=[ticket_update, history],
                request_id=state_request.pk,
            )
            return StateChangeOutcome(ticket=ticket, request=state_request)
        ticket.estado = to_state
        sla_fields = clocks.on_state_changed(ticket, from_state=from_state, to_state=to_state, now=timezone.now())
        history = _record(
            ticket=ticket,
            actor=actor,
            action=HistoryAction.STATE_CHANGED,
            from_state=from_state,
            to_state=to_state,
            description=f"{from_state.nombre} → {to_state.nombre}" + (f". Motivo: {reason}" if reason else "."),
        )
        _publish(
            "estado_cambiado",
            ticket=ticket,
            actor=actor,
            writes=[compiled.update(ticket, ["estado", *sla_fields, "updated_at"]), history],
            from_state=from_state.pk,
            to_state=to_state.pk,
        )
    return StateChangeOutcome(ticket=ticket, request=None)


def _keep_approval_wait(state_request: StateChangeRequest, *, ticket: Ticket, now) -> list[str]:
    """The approval clock of a request being decided, kept on it for the sla-compliance report
    (reports.ApprovalMonth): its due instant and the business minutes it waited. Read from
    the ticket before sla.clocks clears the clock; nothing without a policy."""
    if ticket.approval_due is None:
        return []
    state_request.approval_due = ticket.approval_due
    waited = business_seconds_between(configured_calendar(), state_request.created_at, now)
    state_request.waited_minutes = max(0, round(waited / 60))
    return ["approval_due", "waited_minutes"]


# The request a decision locks, read with the ticket and every relation the decision's
# answer and notifications use (nine tables: compiled once, tickethelp.compiled).
DECIDED_REQUEST = compiled.CompiledQuery(
    lambda request_id: (
        StateChangeRequest.objects.select_for_update(of=("self",))
        .select_related("from_state", "to_state", "requested_by", "ticket", *(f"ticket__{r}" for r in TICKET_RELATIONS))
        .filter(pk=request_id)
        .order_by()
    )
)


def state_request_decide(
    *, request_id: int, actor: User, approve: bool, rejection_reason: str = ""
) -> StateChangeRequest:
    """Approve (apply the final state) or reject a pending request, exactly once: the ticket
    and the request are locked and the request's status is re-read under the lock."""
    rejection_reason = (rejection_reason or "").strip()
    if not approve and not rejection_reason:
        raise DomainError(
            "El motivo de rechazo es obligatorio.",
            code="rejection_reason_required",
            field_errors={"rejection_reason": ["Este campo es obligatorio al rechazar."]},
        )
    with transaction.atomic():
        # The request's ticket row locked alone, found through the request in the same
        # statement (a request never changes ticket); then the request locked and read with
        # the ticket and its relations in one statement: whoever changes a request holds its
        # ticket's lock first, so under that lock the joined rows cannot change.
        ticket_of_request = StateChangeRequest.objects.filter(pk=request_id).values("ticket_id")[:1]
        if not Ticket.objects.select_for_update().filter(pk=Subquery(ticket_of_request)).values_list("pk").first():
            raise NotFound("Solicitud de cambio de estado no encontrada.", code="request_not_found")
        state_request = DECIDED_REQUEST.first(request_id)
        if state_request is None:  # deleted with its ticket while we waited for the lock
            raise NotFound("Solicitud de cambio de estado no encontrada.", code="request_not_found")
        ticket = state_request.ticket
        if state_request.status != RequestStatus.PENDING:
            verb = "aprobada" if state_request.status == RequestStatus.APPROVED else "rechazada"
            raise Conflict(f"La solicitud #{state_request.pk} ya fue {verb}.", code="request_already_decided")
        if approve:
            _refuse_if_final(ticket)
        now = timezone.now()
        state_request.decided_by = actor
        state_request.decided_at = now
        wait_fields = _keep_approval_wait(state_request, ticket=ticket, now=now)  # before the clocks end it
        from_state = ticket.estado
        if approve:
            state_request.status = RequestStatus.APPROVED
            ticket.estado = state_request.to_state
            if ticket.estado.codigo == EstadoCodigo.FINALIZED:
                ticket.fecha_resolucion = now
            sla_fields = clocks.on_request_decided(ticket, approved=True, now=now)
            ticket_update = compiled.update(ticket, ["estado", "fecha_resolucion", *sla_fields, "updated_at"])
            history = _record(
                ticket=ticket,
                actor=actor,
                action=HistoryAction.STATE_CHANGE_APPROVED,
                from_state=from_state,
                to_state=ticket.estado,
                description=f"Solicitud #{state_request.pk} aprobada: {from_state.nombre} → {ticket.estado.nombre}.",
            )
        else:
            state_request.status = RequestStatus.REJECTED
            state_request.rejection_reason = rejection_reason
            sla_fields = clocks.on_request_decided(ticket, approved=False, now=now)
            ticket_update = compiled.update(ticket, [*sla_fields, "updated_at"]) if sla_fields else None
            history = _record(
                ticket=ticket,
                actor=actor,
                action=HistoryAction.STATE_CHANGE_REJECTED,
                from_state=from_state,
                to_state=state_request.to_state,
                description=f"Solicitud #{state_request.pk} rechazada. Motivo: {rejection_reason}",
            )
        request_update = compiled.update(
            state_request, ["status", "decided_by", "decided_at", "rejection_reason", *wait_fields]
        )
        _publish(
            "cambio_estado_aprobado" if approve else "cambio_estado_rechazado",
            ticket=ticket,
            actor=actor,
            writes=[ticket_update, history, request_update],
            request_id=state_request.pk,
            requested_by=state_request.requested_by,
        )
    state_request.ticket = ticket
    return state_request


def ticket_cancel(*, ticket_id: int, actor: User, reason: str = "") -> Ticket:
    """The owning client or an admin cancels a ticket still in an early state (open,
    diagnosis). A pending request of that ticket is closed as rejected."""
    with transaction.atomic():
        ticket = lock_ticket(ticket_id)
        if actor.role == Role.CLIENT and ticket.cliente_id != actor.pk:
            raise NotFound("Ticket no encontrado.", code="ticket_not_found")
        if actor.role not in (Role.ADMIN, Role.CLIENT):
            raise Forbidden("Solo el cliente del ticket o un administrador pueden cancelarlo.")
        _refuse_if_final(ticket)
        if ticket.estado.codigo not in CANCELLABLE_STATE_CODES:
            raise Conflict(
                "Solo se pueden cancelar tickets en estado Abierto o En diagnóstico.", code="ticket_not_cancellable"
            )
        canceled = Estado.objects.filter(codigo=EstadoCodigo.CANCELED).first()
        if canceled is None:
            raise Conflict("El catálogo de estados no tiene el estado 'canceled'.", code="catalog_incomplete")
        reason = (reason or "").strip()
        from_state = ticket.estado
        # One UPDATE closes a pending request, if any: requests change only under their
        # ticket's lock, which this transaction holds.
        requests_update = compiled.update_all(
            StateChangeRequest.objects.filter(ticket=ticket, status=RequestStatus.PENDING),
            status=RequestStatus.REJECTED,
            decided_by=actor,
            decided_at=timezone.now(),
            rejection_reason="El ticket fue cancelado.",
        )
        ticket.estado = canceled
        sla_fields = clocks.on_canceled(ticket, now=timezone.now())
        history = _record(
            ticket=ticket,
            actor=actor,
            action=HistoryAction.CANCELED,
            from_state=from_state,
            to_state=canceled,
            description="Ticket cancelado" + (f". Motivo: {reason}" if reason else "."),
        )
        _publish(
            "ticket_cancelado",
            ticket=ticket,
            actor=actor,
            writes=[requests_update, compiled.update(ticket, ["estado", *sla_fields, "updated_at"]), history],
            from_state=from_state.pk,
        )
    return ticket


def _checked_upload(uploaded_file, *, field: str) -> CheckedUpload:
    """`check_upload`, its refusal turned into a domain error on `field`."""
    try:
        return check_upload(uploaded_file)
    except UploadRejected as exc:
        raise DomainError(exc.message, code=exc.code, field_errors={field: [exc.message]}) from None


def _store_attachment(
    *, ticket: Ticket, actor: User | None, uploaded_file, checked: CheckedUpload, stored_names: list[str]
) -> TicketAttachment:
    """Write one checked upload through Django's default storage under a random name, its row,
    its history entry and its event. The caller is inside the transaction and deletes the
    names collected in `stored_names` if that transaction fails."""
    original_name = (getattr(uploaded_file, "name", "") or "archivo").replace("\x00", "")[-255:]
    attachment = TicketAttachment(
        ticket=ticket,
        uploaded_by=actor,
        original_name=original_name,
        mime_type=checked.mime_type,
        size=checked.size,
    )
    # What is stored is the checked content (an image's clean re-encoding), under a random
    # name with the extension of the sniffed type, never the client's. A failing storage
    # raises StorageUnavailable (503); the caller's transaction then rolls back.
    stored_names.append(store_upload(attachment.file, f"upload{checked.extension}", checked.content))
    attachment.save()
    history = _record(
        ticket=ticket,
        actor=actor,
        action=HistoryAction.ATTACHMENT_ADDED,
        from_state=ticket.estado,
        to_state=ticket.estado,
        description=f"Archivo adjuntado: {original_name} ({checked.mime_type}, {checked.size} bytes).",
    )
    _publish("adjunto_agregado", ticket=ticket, actor=actor, writes=[history], attachment_id=attachment.pk)
    return attachment


def _delete_stored(stored_names: list[str]) -> None:
    for name in stored_names:
        try:
            default_storage.delete(name)
        except STORAGE_ERRORS:
            # The storage is failing too: keep the original error; say what is left to clean up.
            logger.exception("Could not delete stored upload %s of a rolled-back transaction", name)


def ticket_add_attachment(*, ticket_id: int, actor: User, uploaded_file) -> TicketAttachment:
    """Store a photo/video on a non-final ticket (ADMIN or the assigned technician).

    The type is sniffed from the bytes and the size counted in chunks before any lock is
    taken; the file goes through Django's default storage under a random name."""
    checked = _checked_upload(uploaded_file, field="file")
    stored_names: list[str] = []
    try:
        with transaction.atomic():
            ticket = lock_ticket(ticket_id)
            if not selectors.is_participant(ticket=ticket, user=actor):
                raise NotFound("Ticket no encontrado.", code="ticket_not_found")
            if actor.role not in (Role.ADMIN, Role.TECH):
                raise Forbidden("Solo un administrador o el técnico asignado pueden adjuntar archivos.")
            _refuse_if_final(ticket)
            attachment = _store_attachment(
                ticket=ticket, actor=actor, uploaded_file=uploaded_file, checked=checked, stored_names=stored_names
            )
    except Exception:
        # Nothing was committed: the stored file must not outlive its row.
        _delete_stored(stored_names)
        raise
    return attachment


# --- Users ---------------------------------------------------------------------------------


def user_deletion_guard(user: User) -> str | None:
    """users.services deletion guard: refuse while the user takes part in a non-final ticket."""
    busy = (
        Ticket.objects.filter(Q(administrador=user) | Q(tecnico=user) | Q(cliente=user))
        .filter(estado__es_final=False)
        .exists()
    )
    if busy:
        return "El usuario tiene tickets activos (no finalizados) y no puede eliminarse."
    return None


# --- Counters ------------------------------------------------------------------------------


def ticket_counts_rebuild() -> int | None:
    """Recount TicketCount from the tickets (the triggers' SQL function, under a share lock on
    the tickets); None where the database keeps no counters."""
    if connection.vendor != "postgresql":
        return None
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT tickets_ticketcount_rebuild()")
    return TicketCount.objects.count()
