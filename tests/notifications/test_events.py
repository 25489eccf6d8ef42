"""The event table of PRODUCT.md §4: exact recipients, exactly one notification each, written
in the same transaction as the change (a refused change leaves no notification)."""

from collections import Counter

import pytest

from notifications.models import Notification, NotificationStatus
from tests.factories import StateChangeRequestFactory, TicketFactory, UserFactory, estado
from tickethelp.exceptions import DomainError
from tickets import services
from users.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    """Two active admins (and one inactive), two technicians, one client."""
    return {
        "admin": UserFactory(role=Role.ADMIN),
        "admin2": UserFactory(role=Role.ADMIN),
        "retired_admin": UserFactory(role=Role.ADMIN, is_active=False),
        "tech": UserFactory(role=Role.TECH),
        "tech2": UserFactory(role=Role.TECH),
        "client": UserFactory(role=Role.CLIENT),
    }


def sent(**filters) -> Counter:
    """(recipient pk, tipo code) -> how many notifications."""
    return Counter(Notification.objects.filter(**filters).values_list("usuario_id", "tipo__codigo"))


def test_creation_notifies_client_and_assigned_technician(people, django_capture_on_commit_callbacks):
    # when an admin opens a ticket for the client, assigned to tech
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.ticket_create(
            actor=people["admin"],
            administrador=people["admin"],
            cliente=people["client"],
            tecnico=people["tech"],
            titulo="Impresora",
            descripcion="No imprime",
        )

    # then exactly the client and the technician hear of it, once each
    assert sent(ticket=ticket) == Counter(
        {(people["client"].pk, "ticket_creado"): 1, (people["tech"].pk, "ticket_asignado"): 1}
    )
    assert set(Notification.objects.values_list("estado", flat=True)) == {NotificationStatus.ENVIADA}


def test_technician_change_notifies_old_and_new_technician(people):
    ticket = TicketFactory(tecnico=people["tech"], cliente=people["client"], administrador=people["admin"])
    services.ticket_change_technician(ticket_id=ticket.pk, actor=people["admin"], tecnico=people["tech2"])
    assert sent(ticket=ticket) == Counter(
        {(people["tech"].pk, "tecnico_cambiado"): 1, (people["tech2"].pk, "tecnico_cambiado"): 1}
    )


def test_direct_state_change_notifies_the_client(people):
    ticket = TicketFactory(tecnico=people["tech"], cliente=people["client"], administrador=people["admin"])
    services.ticket_change_state(ticket_id=ticket.pk, actor=people["tech"], to_state_id=estado("diagnosis").pk)
    assert sent(ticket=ticket) == Counter({(people["client"].pk, "estado_cambiado"): 1})


def test_final_state_request_notifies_every_active_admin(people):
    ticket = TicketFactory(
        tecnico=people["tech"], cliente=people["client"], administrador=people["admin"], estado=estado("in_repair")
    )
    services.ticket_change_state(ticket_id=ticket.pk, actor=people["tech"], to_state_id=estado("finalized").pk)
    assert sent(ticket=ticket) == Counter(
        {(people["admin"].pk, "solicitud_cambio_estado"): 1, (people["admin2"].pk, "solicitud_cambio_estado"): 1}
    )


def test_approval_notifies_requesting_technician_and_client(people):
    request = StateChangeRequestFactory(
        ticket=TicketFactory(
            tecnico=people["tech"], cliente=people["client"], administrador=people["admin"], estado=estado("in_repair")
        )
    )
    services.state_request_decide(request_id=request.pk, actor=people["admin"], approve=True)
    assert sent(ticket=request.ticket) == Counter(
        {(people["tech"].pk, "cambio_estado_aprobado"): 1, (people["client"].pk, "ticket_finalizado"): 1}
    )


def test_rejection_notifies_requesting_technician_and_client(people):
    request = StateChangeRequestFactory(
        ticket=TicketFactory(
            tecnico=people["tech"], cliente=people["client"], administrador=people["admin"], estado=estado("in_repair")
        )
    )
    services.state_request_decide(
        request_id=request.pk, actor=people["admin"], approve=False, rejection_reason="Faltan pruebas"
    )
    assert sent(ticket=request.ticket) == Counter(
        {(people["tech"].pk, "cambio_estado_rechazado"): 1, (people["client"].pk, "cambio_estado_rechazado"): 1}
    )


def test_cancellation_notifies_client_technician_and_active_admins(people):
    ticket = TicketFactory(tecnico=people["tech"], cliente=people["client"], administrador=people["admin"])
    services.ticket_cancel(ticket_id=ticket.pk, actor=people["client"])
    assert sent(ticket=ticket) == Counter(
        {
            (people["client"].pk, "ticket_cancelado"): 1,
            (people["tech"].pk, "ticket_cancelado"): 1,
            (people["admin"].pk, "ticket_cancelado"): 1,
            (people["admin2"].pk, "ticket_cancelado"): 1,
        }
    )


def test_a_refused_change_leaves_no_notification(people):
    # given a ticket already finalized
    ticket = TicketFactory(
        tecnico=people["tech"], cliente=people["client"], administrador=people["admin"], estado=estado("finalized")
    )

    # when the technician tries to move it
    with pytest.raises(DomainError):
        services.ticket_change_state(ticket_id=ticket.pk, actor=people["tech"], to_state_id=estado("diagnosis").pk)

    # then nobody was notified
    assert not Notification.objects.exists()


def test_welcome_and_reset_emails_are_notifications_too(people, django_capture_on_commit_callbacks, mailoutbox):
    from users import services as user_services

    with django_capture_on_commit_callbacks(execute=True):
        user = user_services.user_create(document="NEW-1", email="nuevo@example.com", first_name="N", role=Role.TECH)
    with django_capture_on_commit_callbacks(execute=True):
        user_services.user_request_password_reset(user=user)

    assert sent(usuario=user) == Counter({(user.pk, "bienvenida"): 1, (user.pk, "password_reset"): 1})
    assert [m.to for m in mailoutbox] == [["nuevo@example.com"], ["nuevo@example.com"]]
    assert set(Notification.objects.filter(usuario=user).values_list("estado", flat=True)) == {
        NotificationStatus.ENVIADA
    }
