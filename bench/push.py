"""Push delivery throughput of the task worker against a fake Expo server on loopback.

    createdb -h 127.0.0.1 -U postgres tickethelp_bench_push
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tickethelp_bench_push .venv/bin/python bench/push.py

The database is migrated, and the rows of the previous run are removed. Expo is played by the
test suite's fake (tests/notifications/expo_server.py: a real HTTP server on 127.0.0.1 that
answers at once), so the figure is the worker's own cost per push: claiming rows, building
messages, one HTTP round trip per 100, recording outcomes. The worker is the project's
`db_worker` command, run in-process in batch mode until the queue is drained. Two workloads:

- events: `--events` ticket events, each one task for 3 recipients x 2 phones (6 pushes);
- backlog: one task for `--backlog` notifications to a user with 2 phones (what a
  re-queue after an outage looks like), sent 100 per request.

Bounded: the defaults take a few seconds. Prints pushes per second for each, and their ratio.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tickethelp.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ["TASKS_BACKEND"] = "database"
os.environ["PUSH_RECEIPT_DELAY_SECONDS"] = "86400"  # receipts are not part of the measure

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from notifications import tasks  # noqa: E402
from notifications.models import DeliveryStatus, Notification, NotificationType, PushDelivery, PushToken, PushTokenType  # noqa: E402
from tests.notifications.expo_server import FakeExpo, expo_settings  # noqa: E402
from users.models import User  # noqa: E402

DOMAIN = "push-bench.example.com"


def users(count: int) -> list[User]:
    made = []
    for n in range(count):
        user = User.objects.create_user(f"u{n}@{DOMAIN}", document=f"88{n:08d}", first_name=f"Bench {n}")
        for phone in range(2):
            PushToken.objects.create(
                usuario=user,
                token=f"ExponentPushToken[bench-{n}-{phone}]",
                token_type=PushTokenType.EXPO,
                platform="android",
            )
        made.append(user)
    return made


def notifications_for(recipients: list[User], tipo: NotificationType) -> list[int]:
    rows = Notification.objects.bulk_create(
        [
            Notification(
                usuario=user, tipo=tipo, titulo="Ticket TK-1: En diagnóstico", mensaje="Avance", push_pendiente=True
            )
            for user in recipients
        ]
    )
    return [row.pk for row in rows]


def drain() -> float:
    started = time.perf_counter()
    call_command("db_worker", batch=True, no_startup_delay=True, reload=False, verbosity=0)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=300, help="ticket events of 3 recipients x 2 phones")
    parser.add_argument("--backlog", type=int, default=1500, help="notifications of one re-queued task")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    User.objects.filter(email__endswith=DOMAIN).delete()  # and, by cascade, the previous run's rows
    DBTaskResult.objects.filter(task_path__startswith="notifications.tasks.").delete()
    fake = FakeExpo()
    expo_settings(settings, fake)
    tipo = NotificationType.objects.get(codigo="estado_cambiado")
    people = users(3)
    try:
        # events: one task per event, as the request queues it
        with transaction.atomic():
            for _ in range(args.events):
                tasks.enqueue_push(notifications_for(people, tipo))
        events_seconds = drain()
        events_pushes = PushDelivery.objects.filter(estado=DeliveryStatus.ENVIADA).count()
        events_requests = fake.requests

        # backlog: one task for many notifications
        with transaction.atomic():
            tasks.enqueue_push(notifications_for([people[0]] * args.backlog, tipo))
        backlog_seconds = drain()
        backlog_pushes = PushDelivery.objects.filter(estado=DeliveryStatus.ENVIADA).count() - events_pushes
        backlog_requests = fake.requests - events_requests
    finally:
        fake.stop()
    if PushDelivery.objects.exclude(estado=DeliveryStatus.ENVIADA).exists():
        sys.exit("some pushes were not sent")
    events_rate, backlog_rate = events_pushes / events_seconds, backlog_pushes / backlog_seconds
    print("| workload | pushes | requests to Expo | seconds | pushes/s |")
    print("|---|---:|---:|---:|---:|")
    print(
        f"| events (1 task = 3 recipients x 2 phones) | {events_pushes} | {events_requests} "
        f"| {events_seconds:.2f} | {events_rate:.0f} |"
    )
    print(
        f"| backlog (1 task, 100 per request) | {backlog_pushes} | {backlog_requests} "
        f"| {backlog_seconds:.2f} | {backlog_rate:.0f} |"
    )
    print(f"\nbacklog / events: {backlog_rate / events_rate:.1f}x")


if __name__ == "__main__":
    main()
