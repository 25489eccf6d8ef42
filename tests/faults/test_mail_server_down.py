"""The mail server is down while ticket events happen: their e-mail tasks fail and are retried
with the app's back-off; once the server is up every notification is mailed exactly once."""

import time
from collections import Counter

import pytest
from django.core.management import call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from notifications.delivery.email import retry_delay_seconds
from notifications.models import Notification, NotificationStatus
from tests.conftest import client_for
from tests.factories import UserFactory, estado
from tests.notifications.smtp_server import LocalSMTPServer
from tests.processes import wait_for
from users.models import Role

# The batch task of a write's e-mails (push tasks carry notification ids too).
EMAIL_TASK = "notifications.tasks.deliver_notifications"
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
TICKETS = 3
FAILED_ATTEMPTS_BEFORE_RECOVERY = 2


def _work_once() -> None:
    """One pass of the project's task worker over the tasks that are due (in-process)."""
    call_command("db_worker", batch=True, no_startup_delay=True, reload=False, verbosity=0)


def _retry_delays(notification_id: int) -> list[float]:
    """Seconds between enqueueing and `run_after` of every retry queued for a notification
    (the first task, queued with the write, is due at once and has no `run_after`)."""
    rows = DBTaskResult.objects.filter(
        task_path=EMAIL_TASK, args_kwargs__kwargs__notification_ids__contains=[notification_id]
    ).order_by("enqueued_at")
    return [(row.run_after - row.enqueued_at).total_seconds() for row in rows[1:]]


@pytest.fixture
def smtp_down_at_first(settings):
    server = LocalSMTPServer()  # its port is reserved but nothing listens yet
    settings.TASKS = DB_TASKS
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", server.port, False
    settings.EMAIL_TIMEOUT = 5
    settings.NOTIFICATION_MAX_ATTEMPTS = 5  # the production default
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 1  # 30 s in production: same doubling, faster clock
    yield server
    server.stop()


@pytest.mark.django_db(transaction=True)
def test_mails_queued_during_an_outage_are_delivered_exactly_once(smtp_down_at_first, settings, print_figures):
    smtp = smtp_down_at_first
    admin = UserFactory(role=Role.ADMIN)
    techs = [UserFactory(role=Role.TECH, email=f"tech{n}@faults.example.com") for n in range(2)]
    clients = [UserFactory(role=Role.CLIENT, email=f"client{n}@faults.example.com") for n in range(2)]

    # given the mail server is down while tickets are opened and moved forward
    outage_start = time.monotonic()
    created = []
    for n in range(TICKETS):
        response = client_for(admin).post(
            "/api/tickets/",
            {
                "cliente": clients[n % 2].document,
                "tecnico": techs[n % 2].document,
                "titulo": f"Caída de correo {n}",
                "descripcion": "El servidor de correo no responde.",
            },
            format="json",
        )
        assert response.status_code == 201
        created.append(response.json()["ticket"]["id"])
    moved = client_for(techs[0]).put(
        f"/api/tickets/change-state/{created[0]}/", {"to_state": estado("diagnosis").pk}, format="json"
    )
    assert moved.status_code == 200
    notifications = list(Notification.objects.filter(tipo__envia_email=True).select_related("usuario"))
    assert len(notifications) == 2 * TICKETS + 1  # client + technician per ticket, client on the move

    # when the worker runs while the server is down, every e-mail fails and is retried
    def all_failed_enough() -> bool:
        _work_once()
        attempts = Notification.objects.filter(pk__in=[n.pk for n in notifications]).values_list("intentos", flat=True)
        return min(attempts) >= FAILED_ATTEMPTS_BEFORE_RECOVERY

    wait_for(all_failed_enough, seconds=60, what="two failed attempts of every e-mail", interval=0.2)
    during_outage = {n.pk: n for n in Notification.objects.filter(pk__in=[n.pk for n in notifications])}
    failed_attempts = sum(n.intentos for n in during_outage.values())
    assert smtp.handler.messages == []
    assert all(n.estado == NotificationStatus.PENDIENTE and n.fecha_envio is None for n in during_outage.values())
    assert all("Connection refused" in n.ultimo_error for n in during_outage.values())
    # and each retry was deferred by the app's back-off for the attempt that had failed
    for notification in during_outage.values():
        delays = _retry_delays(notification.pk)
        expected = [retry_delay_seconds(attempt) for attempt in range(1, notification.intentos + 1)]
        assert delays == pytest.approx(expected, abs=0.5)

    # when the server comes back
    smtp.start()
    outage_seconds = time.monotonic() - outage_start
    back_at = time.monotonic()

    def all_delivered() -> bool:
        _work_once()
        return not Notification.objects.filter(pk__in=list(during_outage), fecha_envio__isnull=True).exists()

    wait_for(all_delivered, seconds=60, what="every e-mail to be delivered", interval=0.2)
    delivered_after = time.monotonic() - back_at
    # and no retry is left in the queue to send anything twice; another pass sends nothing
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
    _work_once()

    # then every notification went out exactly once: one message each, per recipient
    expected = Counter(n.usuario.email for n in notifications)
    received = Counter(smtp.recipients())
    assert received == expected
    subjects = Counter((m["To"], str(m["Subject"])) for m in smtp.handler.messages)
    assert subjects == Counter((n.usuario.email, f"[TicketHelp] {n.titulo}") for n in notifications)
    final = Notification.objects.filter(pk__in=list(during_outage))
    assert all(n.estado == NotificationStatus.ENVIADA and n.ultimo_error == "" for n in final)
    assert all(n.intentos <= settings.NOTIFICATION_MAX_ATTEMPTS for n in final)

    print_figures(
        "Mail server down, then up",
        {
            "notifications (e-mail)": len(notifications),
            "failed attempts during the outage": failed_attempts,
            "outage (s)": f"{outage_seconds:.1f}",
            "delivered after the server came back (s)": f"{delivered_after:.1f}",
            "messages delivered": len(smtp.handler.messages),
            "messages duplicated": sum(count - 1 for count in subjects.values() if count > 1),
            "notifications lost": sum(1 for n in final if n.fecha_envio is None),
            "recipients": dict(received),
        },
    )
