"""Push delivery against a real HTTP server on loopback playing Expo's API
(tests/notifications/expo_server.py): every active token of every recipient gets each push
once; failures are retried with back-off and never doubled; dead tokens are retired."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications import services
from notifications.delivery import push
from notifications.models import (
    DeliveryStatus,
    Notification,
    NotificationPreference,
    NotificationType,
    PushDelivery,
)
from tests.conftest import client_for
from tests.factories import TicketFactory, UserFactory
from users.models import Role, User

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def notify(users, codigo="estado_cambiado", ticket=None, n=1) -> list[Notification]:
    announcements = [
        services.Announcement(codigo, users, f"Aviso {i}", f"Texto {i}", {"evento": codigo}) for i in range(n)
    ]
    with transaction.atomic():
        return services.notify_all(announcements, ticket=ticket)


def make_due_now() -> None:
    """The back-off has passed (a simulated clock moved past every pending push's due time)."""
    PushDelivery.objects.filter(estado=DeliveryStatus.PENDIENTE).update(
        proximo_intento=timezone.now() - timedelta(seconds=1)
    )


def states() -> dict[str, list[str]]:
    rows = PushDelivery.objects.select_related("token").order_by("token__token")
    return {row.token.token: [row.estado, row.intentos] for row in rows}


@pytest.mark.sqlite
@pytest.mark.django_db
def test_a_ticket_event_is_pushed_once_to_every_active_token_of_every_recipient(
    fake_expo, make_push_token, django_capture_on_commit_callbacks
):
    # given a client with two phones (and a retired one), a technician with an Expo and an FCM token
    admin = UserFactory(role=Role.ADMIN)
    client, tech = UserFactory(role=Role.CLIENT), UserFactory(role=Role.TECH)
    phone1, phone2 = make_push_token(client), make_push_token(client)
    make_push_token(client, is_active=False, retired_reason="removed")
    tech_phone, tech_fcm = make_push_token(tech), make_push_token(tech, token_type="fcm")
    ticket = TicketFactory(cliente=client, tecnico=tech)

    # when the admin cancels the ticket (client, technician and admin are notified)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin).put(f"/api/tickets/cancel/{ticket.pk}/", {"reason": "Duplicado"}, format="json")

    # then the request answered, and each active Expo token received the push exactly once
    assert response.status_code == 200
    assert fake_expo.accepted == {phone1.token: 1, phone2.token: 1, tech_phone.token: 1}
    assert fake_expo.sizes == [3]
    assert fake_expo.authorizations == [None]
    notification = Notification.objects.get(usuario=client, ticket=ticket)
    (message,) = [m for m in fake_expo.messages if m["to"] == phone1.token]
    assert message == {
        "to": phone1.token,
        "title": notification.titulo,
        "body": notification.mensaje,
        "sound": "default",
        "data": {
            "notification_id": notification.pk,
            "ticket_id": ticket.pk,
            "ticket_code": ticket.code,
            "type": "ticket_cancelado",
        },
    }
    # and the FCM token is recorded as skipped (FCM is not configured), not failed
    assert states() == {
        phone1.token: [DeliveryStatus.ENVIADA, 1],
        phone2.token: [DeliveryStatus.ENVIADA, 1],
        tech_phone.token: [DeliveryStatus.ENVIADA, 1],
        tech_fcm.token: [DeliveryStatus.OMITIDA, 0],
    }
    assert PushDelivery.objects.get(token=tech_fcm).ultimo_error == "FCM not configured"
    assert not Notification.objects.filter(push_pendiente=True).exists()

    # when Expo's receipts are checked, and one phone has uninstalled the app meanwhile
    fake_expo.dead_at_receipt = {phone2.token}
    counts = push.push_check_receipts(older_than=timedelta(0))

    # then the others are ENTREGADA, that one FALLIDA and its token retired
    assert counts == {"entregadas": 2, "fallidas": 1, "sin_recibo": 0}
    assert states()[phone1.token] == [DeliveryStatus.ENTREGADA, 1]
    assert states()[phone2.token] == [DeliveryStatus.FALLIDA, 1]
    assert PushDelivery.objects.get(token=phone2).ultimo_error.startswith("DeviceNotRegistered")
    phone2.refresh_from_db()
    assert (phone2.is_active, phone2.retired_reason) == (False, "DeviceNotRegistered")
    assert phone2.retired_at is not None
    # and checking again asks for nothing more
    assert push.push_check_receipts(older_than=timedelta(0)) == {"entregadas": 0, "fallidas": 0, "sin_recibo": 0}


@pytest.mark.sqlite
@pytest.mark.django_db
def test_device_not_registered_at_send_retires_the_token_and_the_others_are_sent(fake_expo, make_push_token, settings):
    # given a user with a live phone and one whose app is gone; an access token is configured
    settings.EXPO_ACCESS_TOKEN = "expo-secret"
    user = UserFactory()
    live, dead = make_push_token(user), make_push_token(user)
    fake_expo.dead_tokens = {dead.token}
    (notification,) = notify([user])

    # when the push is delivered
    push.push_prepare(notification_ids=[notification.pk])
    sent, retry_in = push.push_send(notification_ids=[notification.pk])

    # then the live phone got it, the dead token is retired and its push FALLIDA, nothing to retry
    assert (sent, retry_in) == (1, None)
    assert fake_expo.accepted == {live.token: 1}
    assert fake_expo.authorizations == ["Bearer expo-secret"]
    assert states() == {live.token: [DeliveryStatus.ENVIADA, 1], dead.token: [DeliveryStatus.FALLIDA, 1]}
    dead.refresh_from_db()
    assert (dead.is_active, dead.retired_reason) == (False, "DeviceNotRegistered")
    # and the next notification is not even attempted on the retired token
    (second,) = notify([user])
    push.push_prepare(notification_ids=[second.pk])
    assert list(PushDelivery.objects.filter(notification=second).values_list("token", flat=True)) == [live.pk]


@pytest.mark.parametrize(
    ("mode", "error", "delay"),
    [
        ("500", "HTTP 500", 30),
        ("429:120", "HTTP 429", 120),  # Retry-After longer than the back-off wins
        ("429:5", "HTTP 429", 30),  # shorter: the back-off wins
        ("hang", "Timeout", 30),
    ],
)
@pytest.mark.django_db
def test_a_failed_batch_is_retried_after_the_backoff_and_sent_once(
    fake_expo, make_push_token, settings, mode, error, delay
):
    settings.PUSH_RETRY_BASE_SECONDS = 30
    settings.PUSH_TIMEOUT_SECONDS = 1
    user = UserFactory()
    tokens = [make_push_token(user), make_push_token(user)]
    (notification,) = notify([user])
    push.push_prepare(notification_ids=[notification.pk])

    # given Expo fails the first request
    fake_expo.script = [mode]
    before = timezone.now()
    sent, retry_in = push.push_send(notification_ids=[notification.pk])
    fake_expo.release.set()  # a hanging request's thread may go (it never answers)

    # then nothing is sent, the attempt and the error are kept, and the retry is due after the delay
    assert sent == 0
    assert retry_in == pytest.approx(delay, abs=3)
    rows = list(PushDelivery.objects.filter(notification=notification))
    assert {(row.estado, row.intentos) for row in rows} == {(DeliveryStatus.PENDIENTE, 1)}
    assert all(row.ultimo_error.startswith(error) for row in rows)
    assert all(row.proximo_intento >= before + timedelta(seconds=delay) for row in rows)
    # and before that moment another pass sends nothing
    assert push.push_send(notification_ids=[notification.pk]) == (0, pytest.approx(delay, abs=3))
    assert fake_expo.requests == 1

    # when the delay has passed
    make_due_now()
    assert push.push_send(notification_ids=[notification.pk]) == (2, None)

    # then each phone got it exactly once, on the second attempt
    assert fake_expo.accepted == {token.token: 1 for token in tokens}
    assert fake_expo.requests == 2
    assert {(row.estado, row.intentos, row.ultimo_error) for row in PushDelivery.objects.all()} == {
        (DeliveryStatus.ENVIADA, 2, "")
    }


@pytest.mark.django_db
def test_after_the_last_attempt_the_push_is_failed_with_its_error(fake_expo, make_push_token, settings):
    settings.PUSH_MAX_ATTEMPTS = 3
    user = UserFactory()
    token = make_push_token(user)
    (notification,) = notify([user])
    push.push_prepare(notification_ids=[notification.pk])
    fake_expo.mode = "500"

    # when every attempt fails
    for _ in range(settings.PUSH_MAX_ATTEMPTS):
        push.push_send(notification_ids=[notification.pk])
        make_due_now()

    # then it is FALLIDA after the last one, with the error; nothing else is due
    delivery = PushDelivery.objects.get(token=token)
    assert (delivery.estado, delivery.intentos) == (DeliveryStatus.FALLIDA, 3)
    assert delivery.ultimo_error.startswith("HTTP 500")
    assert delivery.ultimo_error.endswith("(after 3 attempts)")
    assert push.push_send(notification_ids=[notification.pk]) == (0, None)
    assert fake_expo.requests == 3
    assert fake_expo.accepted == {}


@pytest.mark.django_db
def test_pushes_go_in_requests_of_at_most_100_messages(fake_expo, make_push_token):
    # given 25 notifications to a user with 10 phones: 250 pushes
    user = UserFactory()
    tokens = [make_push_token(user) for _ in range(10)]
    notifications = notify([user], n=25)

    # when they are delivered
    assert push.push_prepare(notification_ids=[n.pk for n in notifications]) == 250
    sent, _ = push.push_send(notification_ids=[n.pk for n in notifications])

    # then in three requests of 100, 100 and 50, each push once
    assert sent == 250
    assert fake_expo.sizes == [100, 100, 50]
    assert fake_expo.accepted == {token.token: 25 for token in tokens}
    pairs = [(m["to"], m["data"]["notification_id"]) for m in fake_expo.messages]
    assert len(pairs) == len(set(pairs)) == 250


@pytest.mark.django_db
def test_preparing_twice_writes_each_delivery_once(make_push_token):
    user = UserFactory()
    make_push_token(user)
    (notification,) = notify([user])

    assert push.push_prepare(notification_ids=[notification.pk]) == 1
    Notification.objects.filter(pk=notification.pk).update(push_pendiente=True)  # a re-run of a lost task
    push.push_prepare(notification_ids=[notification.pk])

    assert PushDelivery.objects.filter(notification=notification).count() == 1


@pytest.mark.sqlite
@pytest.mark.django_db
def test_channels_follow_preferences_over_the_type_defaults(make_push_token):
    tipo = NotificationType.objects.get(codigo="estado_cambiado")
    no_push, no_email, defaults = UserFactory(), UserFactory(), UserFactory()
    NotificationPreference.objects.create(usuario=no_push, tipo=tipo, email=True, push=False)
    NotificationPreference.objects.create(usuario=no_email, tipo=tipo, email=False, push=True)

    rows = {row.usuario_id: row for row in notify([no_push, no_email, defaults])}

    assert (rows[no_push.pk].push_pendiente, rows[no_push.pk].fecha_envio) == (False, None)
    assert rows[no_email.pk].push_pendiente is True
    assert rows[no_email.pk].fecha_envio is not None  # no e-mail to wait for
    assert rows[no_email.pk].estado == "ENVIADA"
    assert (rows[defaults.pk].push_pendiente, rows[defaults.pk].fecha_envio) == (True, None)
    # a type whose default is not to push pushes only to those who chose push for it
    NotificationType.objects.filter(pk=tipo.pk).update(envia_push=False)
    assert [row.push_pendiente for row in notify([no_email, defaults])] == [True, False]
    # account notifications always go by e-mail, never by push
    (account,) = notify([no_email], codigo="password_reset")
    assert (account.push_pendiente, account.fecha_envio) == (False, None)


@pytest.mark.postgresql(reason="SELECT ... FOR UPDATE SKIP LOCKED between two connections")
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_push_once(fake_expo, make_push_token, settings):
    # given 300 pending pushes (queued, not run: the two workers below send them)
    settings.TASKS = DB_TASKS
    users = [UserFactory() for _ in range(3)]
    tokens = [make_push_token(user) for user in users for _ in range(2)]
    notifications = notify(users, n=50)
    push.push_prepare(notification_ids=[n.pk for n in notifications])

    # when two workers send at the same moment
    results, errors = send_at_once(workers=2, timeout=60)

    # then every push went out once, between them
    assert errors == []
    assert sum(sent for sent, _ in results) == 300
    assert fake_expo.accepted == {token.token: 50 for token in tokens}
    assert all(size <= 100 for size in fake_expo.sizes)
    assert set(PushDelivery.objects.values_list("estado", "intentos")) == {(DeliveryStatus.ENVIADA, 1)}


def _cancel_queries(admin, ticket, django_capture_on_commit_callbacks) -> list[str]:
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin).put(f"/api/tickets/cancel/{ticket.pk}/", {"reason": "x"}, format="json")
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


@pytest.mark.django_db
def test_push_adds_no_statement_to_a_ticket_event(settings, make_push_token, django_capture_on_commit_callbacks):
    # given the database task queue (an enqueue is an INSERT, the work is the worker's)
    settings.TASKS = DB_TASKS
    admin, tech = UserFactory(role=Role.ADMIN), UserFactory(role=Role.TECH)
    clients = [UserFactory(role=Role.CLIENT) for _ in range(3)]
    tickets = [TicketFactory(cliente=client, tecnico=tech) for client in clients]
    client_for(admin)  # its token issued outside the measured request
    cancelado = NotificationType.objects.get(codigo="ticket_cancelado")

    # when a ticket is cancelled (3 recipients: client, technician, admin) with pushes turned
    # off by every recipient (one task: the e-mails)
    for user in User.objects.filter(is_active=True):
        NotificationPreference.objects.create(usuario=user, tipo=cancelado, email=True, push=False)
    baseline = _cancel_queries(admin, tickets[0], django_capture_on_commit_callbacks)
    NotificationPreference.objects.filter(tipo=cancelado).delete()
    # ...with push, the recipients without phones
    without_tokens = _cancel_queries(admin, tickets[1], django_capture_on_commit_callbacks)
    # ...and with push, 3 recipients x 2 phones each
    for user in (clients[2], tech, admin):
        make_push_token(user), make_push_token(user)
    with_tokens = _cancel_queries(admin, tickets[2], django_capture_on_commit_callbacks)

    # then push costs the request no statement, phones or not: the recipients' preferences
    # come with the notification types (one read), the push task with the e-mail task, in
    # the notifications' own INSERT statement
    assert len(with_tokens) == len(without_tokens) == len(baseline)
    preferences_read = [sql for sql in with_tokens if "notificationpreference" in sql]
    assert len(preferences_read) == 1
    assert preferences_read[0].startswith("SELECT")
    assert "notifications_notificationtype" in preferences_read[0]
    task_inserts = [sql for sql in with_tokens if 'INSERT INTO "django_tasks_database_dbtaskresult"' in sql]
    assert len(task_inserts) == 1
    assert 'INSERT INTO "notifications_notification"' in task_inserts[0]
    assert "deliver_push" in task_inserts[0]
    assert "deliver_notifications" in task_inserts[0]
    assert not any("deliver_push" in sql for sql in baseline)
    assert not any("notifications_pushtoken" in sql for sql in with_tokens)


def send_at_once(*, workers: int, timeout: float) -> tuple[list, list]:
    """`push_send()` in `workers` threads released together: (their results, their errors)."""
    results, errors = [], []
    start = threading.Barrier(workers)

    def worker():
        try:
            start.wait()
            results.append(push.push_send())
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results, errors
