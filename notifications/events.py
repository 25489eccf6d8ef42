"""Who hears about which ticket event (PRODUCT.md §4), one notification per recipient.

Called by the tickets services inside the transaction of the change. The ticket passed in
is the locked, up-to-date row with its state and users loaded.
"""

from notifications.services import Announcement, active_admins, notify_all
from tickethelp.compiled import run_together
from users.models import User


def _label(ticket) -> str:
    return f"{ticket.code} «{ticket.titulo}»"


def _datos(ticket, event: str, **extra) -> dict:
    return {"evento": event, "ticket_id": ticket.pk, "ticket_code": ticket.code, **extra}


def notify_ticket_event(event: str, *, ticket, actor: User | None, along=(), **data) -> None:
    """Write the event's notifications (all of them in one INSERT) in the current transaction,
    with the change's own writes (`along`, see `notify_all`)."""
    handler = _HANDLERS.get(event)
    if handler is None:
        run_together(along)
    else:
        notify_all(handler(ticket=ticket, actor=actor, **data), ticket=ticket, along=along)


def _ticket_created(*, ticket, actor, source: str = "staff", **_) -> list[Announcement]:
    label = _label(ticket)
    announcements = [
        Announcement(
            codigo="ticket_creado",
            recipients=[ticket.cliente],
            titulo=f"Ticket {ticket.code} creado",
            mensaje=f"Se registró tu ticket {label}. Te avisaremos de cada avance.",
            datos=_datos(ticket, "ticket_creado"),
        )
    ]
    if ticket.tecnico_id:
        announcements.append(
            Announcement(
                codigo="ticket_asignado",
                recipients=[ticket.tecnico],
                titulo=f"Nuevo ticket asignado: {ticket.code}",
                mensaje=f"Se te asignó el ticket {label}.",
                datos=_datos(ticket, "ticket_creado"),
            )
        )
    if source == "tenant":
        # Tickets opened by residents reach the desk without an admin: every admin hears of it.
        announcements.append(
            Announcement(
                codigo="ticket_creado",
                recipients=[admin for admin in active_admins() if admin.pk != ticket.cliente_id],
                titulo=f"Nuevo ticket del portal de residentes: {ticket.code}",
                mensaje=f"{ticket.cliente.get_full_name()} abrió el ticket {label}.",
                datos=_datos(ticket, "ticket_creado", origen="tenant"),
            )
        )
    return announcements


# Keys of `datos_adicionales` naming both technicians of a change (the API shows them as
# `old_technician_info` / `new_technician_info`, as they were when the change happened).
TECHNICIAN_OLD, TECHNICIAN_NEW = "tecnico_anterior", "tecnico_nuevo"


def _technician(user: User | None) -> dict | None:
    return None if user is None else {"documento": user.document, "nombre": user.get_full_name()}


def _technician_changed(*, ticket, actor, old_tecnico=None, new_tecnico=None, **_) -> list[Announcement]:
    label = _label(ticket)
    announcements = []
    both = {TECHNICIAN_OLD: _technician(old_tecnico), TECHNICIAN_NEW: _technician(new_tecnico)}
    if old_tecnico is not None and old_tecnico.pk != getattr(new_tecnico, "pk", None):
        announcements.append(
            Announcement(
                codigo="tecnico_cambiado",
                recipients=[old_tecnico],
                titulo=f"Ticket {ticket.code} reasignado",
                mensaje=f"El ticket {label} fue asignado a otro técnico.",
                datos=_datos(ticket, "tecnico_cambiado", rol="anterior", **both),
            )
        )
    if new_tecnico is not None:
        announcements.append(
            Announcement(
                codigo="tecnico_cambiado",
                recipients=[new_tecnico],
                titulo=f"Ticket {ticket.code} asignado a ti",
                mensaje=f"Ahora eres el técnico responsable del ticket {label}.",
                datos=_datos(ticket, "tecnico_cambiado", rol="nuevo", **both),
            )
        )
    return announcements


def _state_changed(*, ticket, actor, **_) -> list[Announcement]:
    return [
        Announcement(
            codigo="estado_cambiado",
            recipients=[ticket.cliente],
            titulo=f"Ticket {ticket.code}: {ticket.estado.nombre}",
            mensaje=f"Tu ticket {_label(ticket)} pasó al estado «{ticket.estado.nombre}».",
            datos=_datos(ticket, "estado_cambiado", estado=ticket.estado.codigo),
        )
    ]


def _state_change_requested(*, ticket, actor, request_id=None, **_) -> list[Announcement]:
    return [
        Announcement(
            codigo="solicitud_cambio_estado",
            recipients=active_admins(),
            titulo=f"Aprobación pendiente: ticket {ticket.code}",
            mensaje=(
                f"{actor.get_full_name() if actor else 'Un técnico'} solicita cerrar el ticket {_label(ticket)}. "
                "Revisa la solicitud para aprobarla o rechazarla."
            ),
            datos=_datos(ticket, "solicitud_cambio_estado", request_id=request_id),
        )
    ]


def _request_decided(approved: bool):
    def handler(*, ticket, actor, request_id=None, requested_by=None, **_) -> list[Announcement]:
        label = _label(ticket)
        event = "cambio_estado_aprobado" if approved else "cambio_estado_rechazado"
        if approved:
            tech_text = f"Se aprobó tu solicitud: el ticket {label} quedó «{ticket.estado.nombre}»."
        else:
            tech_text = f"Se rechazó tu solicitud de cambio de estado del ticket {label}."
        if approved and ticket.estado.codigo == "finalized":
            codigo, titulo = "ticket_finalizado", f"Ticket {ticket.code} finalizado"
            client_text = f"Tu ticket {label} fue finalizado."
        elif approved:
            codigo, titulo = event, f"Ticket {ticket.code}: {ticket.estado.nombre}"
            client_text = f"Tu ticket {label} pasó al estado «{ticket.estado.nombre}»."
        else:
            codigo, titulo = event, f"Ticket {ticket.code} sigue en curso"
            client_text = f"Tu ticket {label} continúa en el estado «{ticket.estado.nombre}»."
        return [
            Announcement(
                codigo=event,
                recipients=[requested_by],
                titulo=f"Solicitud {'aprobada' if approved else 'rechazada'}: ticket {ticket.code}",
                mensaje=tech_text,
                datos=_datos(ticket, event, request_id=request_id),
            ),
            Announcement(
                codigo=codigo,
                recipients=[ticket.cliente],
                titulo=titulo,
                mensaje=client_text,
                datos=_datos(ticket, event, request_id=request_id),
            ),
        ]

    return handler


def _ticket_canceled(*, ticket, actor, **_) -> list[Announcement]:
    return [
        Announcement(
            codigo="ticket_cancelado",
            recipients=[ticket.cliente, ticket.tecnico, *active_admins()],
            titulo=f"Ticket {ticket.code} cancelado",
            mensaje=(
                f"El ticket {_label(ticket)} fue cancelado por {actor.get_full_name() if actor else 'el sistema'}."
            ),
            datos=_datos(ticket, "ticket_cancelado"),
        )
    ]


_HANDLERS = {
    "ticket_creado": _ticket_created,
    "tecnico_cambiado": _technician_changed,
    "estado_cambiado": _state_changed,
    "solicitud_cambio_estado": _state_change_requested,
    "cambio_estado_aprobado": _request_decided(approved=True),
    "cambio_estado_rechazado": _request_decided(approved=False),
    "ticket_cancelado": _ticket_canceled,
}
