"""Expo's push service is down for 10 minutes while ticket events happen: the worker's
attempts fail (503), back off (30 s, 60 s, 120 s, 240 s, 480 s with the production
settings), and once the service is back every push is delivered exactly once.

Ten minutes are simulated: the clock the app and the task queue read (django.utils.timezone.now)
stands still and jumps to each retry's due time instead of waiting for it; the worker, the HTTP requests to
the fake Expo on loopback and the database are real."""

import itertools
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Min
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from notifications.models import DeliveryStatus, Notification, PushDelivery, PushToken
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.notifications.expo_server import FakeExpo, expo_settings
from users.models import Role

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
OUTAGE = timedelta(minutes=10)
TICKETS = 3


class SimulatedClock:
    """A stopped clock that only moves when told to: `advance_to` jumps ahead, never back."""

    def __init__(self, start) -> None:
        self.start = start
        self.current = start

    def now(self):
        return self.current

    def advance_to(self, moment) -> None:
        self.current = max(self.current, moment)

    def elapsed(self) -> float:
        return (self.current - self.start).total_seconds()


def _work_once() -> None:
    call_command("db_worker", batch=True, no_startup_delay=True, reload=False, verbosity=0)


@pytest.fixture
def clock(monkeypatch):
    simulated = SimulatedClock(timezone.now())
    monkeypatch.setattr("django.utils.timezone.now", simulated.now)
    return simulated


@pytest.fixture
def expo_down_for_ten_minutes(settings, clock):
    fake = FakeExpo()
    expo_settings(settings, fake)
    settings.TASKS = DB_TASKS
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # the production defaults (tickethelp/settings.py)
    settings.PUSH_MAX_ATTEMPTS, settings.PUSH_RETRY_BASE_SECONDS = 6, 30
    settings.PUSH_RECEIPT_DELAY_SECONDS = 900
    settings.PUSH_TIMEOUT_SECONDS = 5
    back_at = clock.now() + OUTAGE
    fake.answers: list[tuple[float, str]] = []

    def mode_now() -> str:
        mode = "503" if clock.now() < back_at else "ok"
        fake.answers.append((round(clock.elapsed()), mode))
        return mode

    fake.mode_now = mode_now
    yield fake
    fake.stop()


@pytest.mark.django_db(transaction=True)
def test_pushes_during_a_ten_minute_outage_are_delivered_once_when_it_ends(
    expo_down_for_ten_minutes, clock, print_figures
):
    fake = expo_down_for_ten_minutes
    real_start = time.monotonic()
    admin = UserFactory(role=Role.ADMIN)
    techs = [UserFactory(role=Role.TECH) for _ in range(2)]
    clients = [UserFactory(role=Role.CLIENT) for _ in range(TICKETS)]
    tokens = {
        user.pk: [
            PushToken.objects.create(
                usuario=user, token=f"ExponentPushToken[{user.pk}-{n}]", token_type="expo", platform="android"
            )
            for n in range(2)
        ]
        for user in [*techs, *clients]
    }

    # given Expo is down while tickets are opened (each tells its client and its technician)
    for n, client in enumerate(clients):
        response = client_for(admin).post(
            "/api/tickets/",
            {
                "cliente": client.document,
                "tecnico": techs[n % 2].document,
                "titulo": f"Caída de push {n}",
                "descripcion": "El servicio de push no responde.",
            },
            format="json",
        )
        assert response.status_code == 201
    notifications = list(Notification.objects.filter(push_pendiente=True))
    assert len(notifications) == 2 * TICKETS

    # when the worker runs as time goes by: every due task, then the clock jumps to the next
    passes = 0
    while True:
        _work_once()
        passes += 1
        waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
        if not waiting.exists():
            break
        assert passes < 50, "the queue does not drain"
        clock.advance_to(waiting.aggregate(first=Min("run_after"))["first"])

    # then every push was answered once the service was back: no loss, no duplicate
    expected = Counter(
        {
            token.token: sum(1 for n in notifications if n.usuario_id == user_id)
            for user_id, user_tokens in tokens.items()
            for token in user_tokens
        }
    )
    assert fake.accepted == expected
    pairs = Counter((m["to"], m["data"]["notification_id"]) for m in fake.messages)
    assert max(pairs.values()) == 1
    # the attempts backed off 30, 60, 120, 240, 480 s: five failed, the sixth (of six) went through
    # (each ticket's pushes are one task)
    attempts: dict[frozenset, list[tuple[int, str]]] = {}
    for (second, mode), body in zip(fake.answers, fake.bodies, strict=True):
        attempts.setdefault(frozenset(m["data"]["notification_id"] for m in body), []).append((second, mode))
    assert len(attempts) == TICKETS
    for timeline in attempts.values():
        assert [mode for _, mode in timeline] == ["503"] * 5 + ["ok"]
        gaps = [later - earlier for (earlier, _), (later, _) in itertools.pairwise(timeline)]
        assert gaps == pytest.approx([30, 60, 120, 240, 480], abs=1)
    failed = [second for second, mode in fake.answers if mode == "503"]
    delivered = [second for second, mode in fake.answers if mode == "ok"]
    assert min(delivered) >= OUTAGE.total_seconds()
    assert Counter(PushDelivery.objects.values_list("estado", "intentos")) == {
        (DeliveryStatus.ENTREGADA, 6): sum(expected.values())  # receipts checked 15 min later
    }
    assert not Notification.objects.filter(push_pendiente=True).exists()

    print_figures(
        "Push service down for 10 minutes (simulated clock)",
        {
            "notifications with push": len(notifications),
            "pushes (tokens x notifications)": sum(expected.values()),
            "outage (simulated s)": int(OUTAGE.total_seconds()),
            "failed requests during the outage": len(failed),
            "attempts of one task at (simulated s)": [second for second, _ in next(iter(attempts.values()))],
            "delivered at (simulated s)": min(delivered),
            "pushes accepted": sum(fake.accepted.values()),
            "pushes duplicated": sum(count - 1 for count in pairs.values()),
            "pushes lost": sum(expected.values()) - sum(fake.accepted.values()),
            "receipts checked at (simulated s)": round(clock.elapsed()),
            "worker passes": passes,
            "real duration (s)": f"{time.monotonic() - real_start:.1f}",
        },
    )
