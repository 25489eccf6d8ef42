"""The task worker is killed (SIGKILL) in the middle of sending an e-mail: the attempt leaves
no trace, the worker is started again, the task runs again, and the mail goes out once.

The send is stalled by an SMTP server that accepts the connection and never answers, so the
kill lands while the worker holds the notification's row lock mid-task."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
from django.core.management import call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from notifications.models import Notification, NotificationStatus
from tests.conftest import client_for
from tests.factories import TicketFactory, UserFactory, estado
from tests.notifications.smtp_server import LocalSMTPServer
from tests.processes import ROOT, free_port, production_env, wait_for
from users.models import Role

# The batch task of a write's e-mails (push tasks carry notification ids too).
EMAIL_TASK = "notifications.tasks.deliver_notifications"
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Without the recovery job, how long to watch the restarted worker for a re-run on its own.
WATCH_RESTARTED_WORKER_SECONDS = 3


class SilentSMTPServer:
    """Accepts TCP connections on loopback and never says a word (no 220 greeting)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connections: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", port), reuse_port=False)
        self._listener.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(conn)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._listener.close()
        for conn in self.connections:
            conn.close()


class Worker:
    """`manage.py db_worker` as the platform runs it (render.yaml), on the test database."""

    def __init__(self, env: dict[str, str], logfile) -> None:
        self._log = logfile.open("a")
        self.logfile = logfile
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload"],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()


@pytest.fixture
def workers(tmp_path):
    started: list[Worker] = []

    def start(env: dict[str, str]) -> Worker:
        worker = Worker(env, tmp_path / "worker.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def mail_port(settings):
    port = free_port()
    settings.TASKS = DB_TASKS
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    return port


def _tasks_for(notification_id: int):
    return DBTaskResult.objects.filter(
        task_path=EMAIL_TASK, args_kwargs__kwargs__notification_ids__contains=[notification_id]
    ).order_by("enqueued_at")


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_send_runs_the_task_again_and_mails_once(mail_port, workers, print_figures):
    env = production_env(
        TASKS_BACKEND="database",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(mail_port),
        EMAIL_USE_TLS="false",
        EMAIL_TIMEOUT="120",
    )
    silent = SilentSMTPServer(mail_port)
    smtp = LocalSMTPServer()
    smtp.port = mail_port
    try:
        # given a worker whose e-mail send is stalled by a mail server that never answers
        worker = workers(env)
        client = UserFactory(role=Role.CLIENT, email="cliente@faults.example.com")
        tech = UserFactory(role=Role.TECH)
        ticket = TicketFactory(tecnico=tech, cliente=client)
        moved = client_for(tech).put(
            f"/api/tickets/change-state/{ticket.pk}/", {"to_state": estado("diagnosis").pk}, format="json"
        )
        assert moved.status_code == 200
        notification = Notification.objects.get(ticket=ticket, usuario=client)

        def stalled_mid_task() -> bool:
            if worker.process.poll() is not None:
                pytest.fail(f"the worker exited ({worker.process.returncode}):\n{worker.logfile.read_text()[-3000:]}")
            running = _tasks_for(notification.pk).filter(status=TaskResultStatus.RUNNING).exists()
            return running and len(silent.connections) == 1

        # Generous: on a loaded 2-core machine the worker process alone can take a while to boot.
        wait_for(stalled_mid_task, seconds=120, what="the worker to be stuck sending the e-mail")

        # when the worker is killed with SIGKILL mid-task
        worker.kill()
        killed_at = time.monotonic()

        # then the attempt left nothing behind on the notification (its transaction died with
        # the connection), and the task itself is stranded as RUNNING
        def attempt_rolled_back() -> bool:
            refreshed = Notification.objects.get(pk=notification.pk)
            return refreshed.intentos == 0 and refreshed.fecha_envio is None

        wait_for(attempt_rolled_back, seconds=30, what="the killed attempt to roll back")
        (stranded,) = _tasks_for(notification.pk)
        assert stranded.status == TaskResultStatus.RUNNING

        # when the mail server answers again and the worker is started again
        silent.stop()
        smtp.start()
        worker = workers(env)
        time.sleep(WATCH_RESTARTED_WORKER_SECONDS)
        rerun_without_recovery = _tasks_for(notification.pk).count() - 1
        # ...and the recovery the deploy schedules (docs/DEPLOY.md: resend_notifications
        # --stale-minutes) picks up the e-mail whose task was lost; in-flight sends hold their
        # row lock and are skipped, so this cannot double a live send
        call_command("resend_notifications", stale_minutes=0, no_failed=True, verbosity=0)

        def delivered() -> bool:
            if worker.process.poll() is not None:
                pytest.fail(f"the worker exited ({worker.process.returncode}):\n{worker.logfile.read_text()[-3000:]}")
            return Notification.objects.get(pk=notification.pk).fecha_envio is not None

        wait_for(delivered, seconds=60, what="the restarted worker to deliver the e-mail")
        delivered_after = time.monotonic() - killed_at
        # and running the recovery again once it went out queues nothing more
        call_command("resend_notifications", stale_minutes=0, no_failed=True, verbosity=0)
        wait_for(
            lambda: not _tasks_for(notification.pk).filter(status=TaskResultStatus.READY).exists(),
            seconds=30,
            what="the queue to drain",
        )
    finally:
        silent.stop()
        smtp.stop()

    # then the task ran again once, and its effect happened once: one e-mail, one attempt
    notification.refresh_from_db()
    assert notification.estado == NotificationStatus.ENVIADA
    assert notification.intentos == 1
    tasks = list(_tasks_for(notification.pk))
    reruns = [task for task in tasks[1:] if task.status == TaskResultStatus.SUCCESSFUL]
    assert len(reruns) == 1
    assert smtp.recipients() == ["cliente@faults.example.com"]

    print_figures(
        "Task worker killed (SIGKILL) mid-send, restarted",
        {
            "task reruns": len(reruns),
            "re-runs by the restarted worker alone (no recovery job)": rerun_without_recovery,
            "stranded task rows left RUNNING": sum(task.status == TaskResultStatus.RUNNING for task in tasks),
            "messages delivered": len(smtp.handler.messages),
            "messages duplicated": max(len(smtp.handler.messages) - 1, 0),
            "kill -> delivered (s)": f"{delivered_after:.1f}",
        },
    )
