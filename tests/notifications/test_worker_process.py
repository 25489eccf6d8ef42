"""With the database task backend and a real `db_worker` process running, a state change
answers at once and its e-mail is sent afterwards by the worker.

The SMTP server holds every message until the test releases it: had the request sent the
mail itself, it could not have returned before the release."""

import subprocess
import sys

import pytest

from notifications.models import Notification, NotificationStatus
from tests.conftest import client_for
from tests.factories import TicketFactory, UserFactory, estado
from tests.notifications.smtp_server import LocalSMTPServer
from tests.processes import ROOT, production_env, wait_for
from users.models import Role

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db(transaction=True)
def test_state_change_mail_is_sent_by_the_worker_not_the_request(settings, tmp_path):
    # given an SMTP server that holds messages, and a db_worker process on the test database
    smtp = LocalSMTPServer()
    smtp.handler.release.clear()
    smtp.start()
    settings.TASKS = DB_TASKS
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", smtp.port, False
    env = production_env(
        TASKS_BACKEND="database",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
        EMAIL_USE_TLS="false",
        EMAIL_TIMEOUT="60",
    )
    worker_log_path = tmp_path / "worker.log"
    worker_log = worker_log_path.open("w")
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=worker_log,
        stderr=subprocess.STDOUT,
    )
    try:
        client = UserFactory(role=Role.CLIENT, email="cliente@example.com")
        tech = UserFactory(role=Role.TECH)
        ticket = TicketFactory(tecnico=tech, cliente=client)

        # when the technician moves the ticket forward
        response = client_for(tech).put(
            f"/api/tickets/change-state/{ticket.pk}/", {"to_state": estado("diagnosis").pk}, format="json"
        )

        # then the request has already answered, while no mail has been accepted yet
        assert response.status_code == 200
        assert response.json()["message"] == "Estado actualizado correctamente"
        notification = Notification.objects.get(ticket=ticket, usuario=client)
        assert smtp.handler.messages == []

        # and once the server lets mail through, the worker delivers it: ENVIADA, one e-mail
        smtp.handler.release.set()

        def delivered() -> bool:
            if worker.poll() is not None:
                pytest.fail(f"the worker exited ({worker.returncode}):\n{worker_log_path.read_text()[-3000:]}")
            return Notification.objects.get(pk=notification.pk).estado == NotificationStatus.ENVIADA

        # Generous: on a loaded 2-core machine the worker process alone can take a while to boot.
        wait_for(delivered, seconds=120, what=f"the worker to deliver the notification (log: {worker_log_path})")
        assert smtp.recipients() == ["cliente@example.com"]
    finally:
        smtp.handler.release.set()
        worker.terminate()
        worker.wait(timeout=30)
        worker_log.close()
        smtp.stop()
