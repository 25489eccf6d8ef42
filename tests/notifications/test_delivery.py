"""E-mail delivery against a real SMTP server: sent once, retried while the server is down,
FALLIDA with the error after the last attempt, and sent once more after re-queuing."""

import pytest
from django.core.management import call_command
from django.db import transaction

from notifications.delivery.email import retry_delay_seconds
from notifications.models import Notification, NotificationStatus
from notifications.services import notify
from tests.factories import UserFactory
from tests.notifications.smtp_server import LocalSMTPServer

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def smtp(settings):
    server = LocalSMTPServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    settings.TASKS = DB_TASKS
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 0  # retries are due at once: the test drains them now
    yield server
    server.stop()


def run_worker() -> None:
    call_command("db_worker", batch=True, no_startup_delay=True, reload=False, verbosity=0)


def notify_user(user, titulo: str) -> Notification:
    with transaction.atomic():
        (notification,) = notify(codigo="estado_cambiado", recipients=[user], titulo=titulo, mensaje="Cambio")
    return notification


@pytest.mark.django_db(transaction=True)
def test_outage_retries_then_fails_and_requeue_delivers_each_mail_exactly_once(smtp):
    alice, bob = UserFactory(email="alice@example.com"), UserFactory(email="bob@example.com")

    # given the server is up: a notification is delivered once
    delivered = notify_user(alice, "Primera")
    run_worker()
    delivered.refresh_from_db()
    assert delivered.estado == NotificationStatus.ENVIADA
    assert delivered.fecha_envio is not None
    assert delivered.intentos == 1
    assert smtp.recipients() == ["alice@example.com"]

    # when the server goes down, the next one is retried up to the limit and then FALLIDA
    smtp.stop()
    failed = notify_user(bob, "Segunda")
    run_worker()
    failed.refresh_from_db()
    assert failed.estado == NotificationStatus.FALLIDA
    assert failed.intentos == 3
    assert "Connection refused" in failed.ultimo_error or "Error" in failed.ultimo_error
    assert failed.fecha_envio is None

    # when the server is back and failed notifications are re-queued (command of operators)
    smtp.start()
    call_command("resend_notifications", verbosity=0)
    run_worker()

    # then the failed one went out, the delivered one was not sent again
    failed.refresh_from_db()
    assert failed.estado == NotificationStatus.ENVIADA
    assert failed.ultimo_error == ""
    assert sorted(smtp.recipients()) == ["alice@example.com", "bob@example.com"]
    assert Notification.objects.filter(fecha_envio__isnull=True).count() == 0

    # and re-running the worker or the command sends nothing twice
    call_command("resend_notifications", stale_minutes=0, verbosity=0)
    run_worker()
    assert len(smtp.handler.messages) == 2


@pytest.mark.django_db(transaction=True)
def test_the_mail_is_html_and_text_in_spanish(smtp):
    user = UserFactory(email="carla@example.com", first_name="Carla")
    notify_user(user, "Ticket TK-000001: En diagnóstico")
    run_worker()
    (message,) = smtp.handler.messages
    assert message["Subject"] == "[TicketHelp] Ticket TK-000001: En diagnóstico"
    parts = {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in message.walk()
        if not part.is_multipart()
    }
    assert set(parts) == {"text/plain", "text/html"}
    assert "Hola Carla" in parts["text/plain"]
    assert "<h2" in parts["text/html"]


@pytest.mark.django_db(transaction=True)
def test_a_notification_read_before_its_mail_left_is_still_mailed_once(smtp):
    # given a notification the user reads in the app before the worker ran
    user = UserFactory()
    notification = notify_user(user, "Leída antes")
    Notification.objects.filter(pk=notification.pk).update(
        estado=NotificationStatus.LEIDA, fecha_lectura=notification.fecha_creacion
    )

    # when the worker runs
    run_worker()

    # then the e-mail went out once and it stays read
    notification.refresh_from_db()
    assert notification.estado == NotificationStatus.LEIDA
    assert notification.fecha_envio is not None
    assert len(smtp.handler.messages) == 1


def test_back_off_doubles_from_the_base(settings):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 30
    assert [retry_delay_seconds(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
