"""The task worker is killed (SIGKILL) in the middle of a batch of pushes: the batch that
Expo had answered stays sent, the one in flight is left PENDIENTE with its attempt counted,
and after a restart (with the recovery the worker runs at start) it is sent once more:
every phone ends with every push, the interrupted ones re-sent exactly once.

Expo is played by a real HTTP server on loopback (tests/notifications/expo_server.py) that
answers the first request and hangs on the second, so the kill lands mid-send."""

import time
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from notifications import services
from notifications.models import DeliveryStatus, PushDelivery, PushToken
from tests.factories import UserFactory
from tests.faults.test_worker_killed import Worker
from tests.notifications.expo_server import RECEIPTS_PATH, SEND_PATH, FakeExpo, expo_settings
from tests.processes import production_env, wait_for

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
TOKENS, NOTIFICATIONS = 6, 25  # 150 pushes: a batch of 100 answered, one of 50 in flight
CLAIM_SECONDS = 5


@pytest.fixture
def fake_expo(settings):
    fake = FakeExpo()
    expo_settings(settings, fake)
    settings.TASKS = DB_TASKS
    yield fake
    fake.stop()


@pytest.fixture
def push_workers(tmp_path):
    started: list[Worker] = []

    def start(env):
        worker = Worker(env, tmp_path / "worker.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def _push_tasks():
    return DBTaskResult.objects.filter(task_path="notifications.tasks.deliver_push")


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_batch_resends_the_interrupted_pushes_once(fake_expo, push_workers, print_figures):
    env = production_env(
        TASKS_BACKEND="database",
        EXPO_PUSH_URL=fake_expo.url + SEND_PATH,
        EXPO_RECEIPTS_URL=fake_expo.url + RECEIPTS_PATH,
        PUSH_TIMEOUT_SECONDS="120",
        PUSH_CLAIM_SECONDS=str(CLAIM_SECONDS),
        PUSH_RECEIPT_DELAY_SECONDS="3600",
    )
    # given a worker, and Expo answering the first request and hanging on the second
    fake_expo.script = ["ok", "hang"]
    worker = push_workers(env)
    user = UserFactory()
    tokens = [
        PushToken.objects.create(
            usuario=user, token=f"ExponentPushToken[killed-{n}]", token_type="expo", platform="ios"
        )
        for n in range(TOKENS)
    ]
    with transaction.atomic():
        services.notify_all(
            [services.Announcement("estado_cambiado", [user], f"Aviso {n}", "Texto") for n in range(NOTIFICATIONS)]
        )

    def stuck_mid_batch() -> bool:
        if worker.process.poll() is not None:
            pytest.fail(f"the worker exited ({worker.process.returncode}):\n{worker.logfile.read_text()[-3000:]}")
        return len(fake_expo.hanging) == 1

    wait_for(stuck_mid_batch, seconds=120, what="the worker to be stuck sending the second batch")

    # when the worker is killed with SIGKILL mid-send
    worker.kill()
    killed_at = time.monotonic()

    # then the answered batch is ENVIADA, the interrupted one PENDIENTE with its attempt counted
    total = TOKENS * NOTIFICATIONS
    assert Counter(PushDelivery.objects.values_list("estado", "intentos")) == {
        (DeliveryStatus.ENVIADA, 1): 100,
        (DeliveryStatus.PENDIENTE, 1): total - 100,
    }
    assert _push_tasks().get().status == TaskResultStatus.RUNNING  # stranded

    # when Expo answers again, the worker is started with the recovery it runs at start
    # (render.yaml: resend_notifications --no-failed --stale-minutes 15, here 0)
    fake_expo.release.set()
    call_command("resend_notifications", stale_minutes=0, no_failed=True, verbosity=0)
    worker = push_workers(env)

    def all_sent() -> bool:
        if worker.process.poll() is not None:
            pytest.fail(f"the worker exited ({worker.process.returncode}):\n{worker.logfile.read_text()[-3000:]}")
        return not PushDelivery.objects.exclude(estado=DeliveryStatus.ENVIADA).exists()

    wait_for(all_sent, seconds=120, what="the restarted worker to send the interrupted batch")
    recovered_after = time.monotonic() - killed_at
    # and running the recovery again once all went out queues nothing that sends
    call_command("resend_notifications", stale_minutes=0, no_failed=True, verbosity=0)
    wait_for(lambda: not _push_tasks().filter(status=TaskResultStatus.READY).exists(), seconds=60, what="drain")

    # then every phone got every push exactly once (the hung request was never answered),
    # and the interrupted ones were sent once more: two attempts, one accepted message
    assert fake_expo.accepted == {token.token: NOTIFICATIONS for token in tokens}
    pairs = Counter((m["to"], m["data"]["notification_id"]) for m in fake_expo.messages)
    assert len(pairs) == total
    assert max(pairs.values()) == 1
    assert Counter(PushDelivery.objects.values_list("estado", "intentos")) == {
        (DeliveryStatus.ENVIADA, 1): 100,
        (DeliveryStatus.ENVIADA, 2): total - 100,
    }
    assert fake_expo.sizes == [100, total - 100, total - 100]

    print_figures(
        "Worker killed mid-batch of pushes",
        {
            "pushes": total,
            "sent before the kill (answered batch)": 100,
            "in flight when killed": total - 100,
            "re-sent after the restart": fake_expo.sizes[-1],
            "pushes accepted per token": dict(Counter(fake_expo.accepted.values())),
            "duplicates accepted": sum(count - 1 for count in pairs.values()),
            "kill -> all sent (s)": f"{recovered_after:.1f}",
        },
    )
