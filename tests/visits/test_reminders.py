"""The reminder command: the day before, to client and technician, once however often it runs."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from notifications.models import Notification
from tests.visits.conftest import appointment_in
from visits.models import AppointmentStatus

pytestmark = pytest.mark.django_db


def run() -> str:
    out = StringIO()
    call_command("send_appointment_reminders", stdout=out)
    return out.getvalue().strip()


def reminders():
    return Notification.objects.filter(tipo__codigo="visita_recordatorio")


def test_tomorrows_visit_is_reminded_once_however_often_the_command_runs(ticket, technician, resident):
    # given a visit in 20 hours, one in 3 days and a cancelled one in 5 hours
    due = appointment_in(ticket, scheduled_for=timezone.now() + timedelta(hours=20))
    appointment_in(ticket, scheduled_for=timezone.now() + timedelta(days=3))
    appointment_in(ticket, AppointmentStatus.CANCELLED, scheduled_for=timezone.now() + timedelta(hours=5))

    # when the command runs twice
    first, second = run(), run()

    # then only the due visit is reminded, to both, once
    assert (first, second) == ("Recordatorios enviados: 1", "Recordatorios enviados: 0")
    assert sorted(reminders().values_list("usuario_id", flat=True)) == sorted([resident.user.pk, technician.pk])
    due.refresh_from_db()
    assert due.reminder_sent_at is not None


def test_a_rescheduled_visit_is_reminded_again(ticket, as_admin):
    appointment = appointment_in(ticket, scheduled_for=timezone.now() + timedelta(hours=20))
    run()

    as_admin.post(
        f"/api/appointments/{appointment.pk}/reschedule/",
        {"scheduled_for": (timezone.now() + timedelta(hours=22)).isoformat()},
        format="json",
    )
    run()

    assert reminders().count() == 4
