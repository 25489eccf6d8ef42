"""FastOutputMixin (tickethelp/serializers.py) and the lists' row plans (tickethelp/rows.py)
answer exactly what DRF's own serialization of model instances answers, on every read
endpoint whose serializers use them."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from rest_framework import serializers

from conversations import services as conversation_services
from notifications.services import notify
from tests.conftest import client_for
from tests.factories import (
    DeviceFactory,
    DoormanFactory,
    TenantFactory,
    TicketAttachmentFactory,
    TicketFactory,
    TicketHistoryFactory,
    UserFactory,
    estado,
)
from tickethelp import rows
from tickethelp.serializers import FastOutputMixin
from tickets import services
from users.models import Role
from visits import services as visit_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(settings, tmp_path):
    """Tickets, requests, history, attachments, notifications and a resident with devices."""
    settings.MEDIA_ROOT = tmp_path / "media"
    admin = UserFactory(role=Role.ADMIN)
    tech = UserFactory(role=Role.TECH, number="3001234567")
    resident = TenantFactory(user__first_name="Ana", phone="")
    DoormanFactory(building=resident.apartment.building)
    TenantFactory(apartment=resident.apartment)
    device = DeviceFactory(owners=[resident], brand="", model="X1")
    DeviceFactory(shared_with=[resident], owners=[TenantFactory()])
    ticket = services.ticket_create(
        actor=admin, cliente=resident.user, titulo="TV", descripcion="No enciende", tecnico=tech, device=device
    )
    services.ticket_change_state(ticket_id=ticket.pk, actor=tech, to_state_id=2, reason="Revisando")
    services.ticket_change_state(ticket_id=ticket.pk, actor=tech, to_state_id=4)
    TicketFactory(tecnico=None, administrador=None, estado=estado("canceled"))
    # a technician change: notifications that name both technicians (and one of a first assignment)
    services.ticket_change_technician(
        ticket_id=TicketFactory(tecnico=UserFactory(role=Role.TECH)).pk, actor=admin, tecnico=tech
    )
    services.ticket_change_technician(ticket_id=TicketFactory(tecnico=None).pk, actor=admin, tecnico=tech)
    TicketHistoryFactory(ticket=ticket, actor=None, from_state=None)
    attachment = TicketAttachmentFactory(ticket=ticket, uploaded_by=tech)
    attachment.file.save("foto.jpg", ContentFile(b"\xff\xd8\xff" + b"0" * 32))
    notify(codigo="estado_cambiado", recipients=[resident.user, tech], titulo="Sin ticket", mensaje="Hola")
    # a ticket still open, with visits (one started) and a conversation (one internal note)
    open_ticket = services.ticket_create(
        actor=admin, cliente=resident.user, titulo="Nevera", descripcion="Ruido", tecnico=tech
    )
    soon = timezone.now() + timedelta(days=1)
    visit = visit_services.appointment_book(ticket_id=open_ticket.pk, actor=admin, title="Revisión", scheduled_for=soon)
    visit_services.appointment_book(
        ticket_id=open_ticket.pk, actor=tech, title="Repuesto", scheduled_for=soon + timedelta(hours=3), description="x"
    )
    visit_services.appointment_start(appointment_id=visit.pk, actor=tech)
    conversation_services.message_send(ticket_id=open_ticket.pk, actor=resident.user, body="¿Vienen mañana?")
    conversation_services.message_send(ticket_id=open_ticket.pk, actor=tech, body="Sí", internal=True)
    return {"admin": admin, "tech": tech, "resident": resident, "ticket": ticket, "open_ticket": open_ticket}


def responses(desk) -> dict:
    ticket_id = desk["ticket"].pk
    open_id = desk["open_ticket"].pk
    calls = {
        "admin": [
            "/api/appointments/",
            f"/api/tickets/{open_id}/appointments/",
            f"/api/tickets/{open_id}/messages/",
            "/api/tickets/",
            "/api/tickets/pending-approvals/",
            f"/api/tickets/{ticket_id}/history/",
            f"/api/tickets/{ticket_id}/attachments/",
            "/api/tickets/active-technicians/",
            "/api/tickets/least-busy-technician/",
            "/api/estados/",
            "/api/users/",
            "/api/notifications/",
        ],
        "tech": [
            "/api/tickets/consulta/",
            "/api/notifications/",
            "/api/notifications/user-notifications/",
            "/api/appointments/",
        ],
        "resident": [
            "/api/tickets/consulta/",
            "/api/tenant/tickets",
            f"/api/tenant/tickets/{ticket_id}",
            f"/api/tenant/tickets/{ticket_id}/attachments",
            f"/api/tenant/tickets/{open_id}",
            f"/api/tenant/tickets/{open_id}/appointments",
            f"/api/tenant/tickets/{open_id}/messages",
            "/api/tenant/devices",
            "/api/tenant/me",
            "/api/tenant/apartment",
            "/api/tenant/building",
            "/api/tenant/doormen",
            "/api/tenant/owner",
            "/api/tenant/notifications",
        ],
    }
    users = {"admin": desk["admin"], "tech": desk["tech"], "resident": desk["resident"].user}
    answers = {}
    for role, paths in calls.items():
        client = client_for(users[role])
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (path, response.content)
            answers[(role, path)] = response.json()
    return answers


def test_fast_output_equals_drf_output_on_every_list(desk, monkeypatch):
    # given the answers with the fast output
    fast = responses(desk)

    # when DRF's own to_representation is used instead, on model instances (no row plans)
    monkeypatch.setattr(FastOutputMixin, "to_representation", serializers.Serializer.to_representation)
    monkeypatch.setattr(rows, "ROWS_ENABLED", False)
    drf = responses(desk)

    # then every answer is identical (signed attachment URLs aside, which differ by time)
    assert fast.keys() == drf.keys()
    for key in fast:
        assert _without_signatures(fast[key]) == _without_signatures(drf[key]), key


def _without_signatures(value):
    if isinstance(value, dict):
        return {k: ("<url>" if k in ("url", "full_url") else _without_signatures(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_signatures(item) for item in value]
    return value
