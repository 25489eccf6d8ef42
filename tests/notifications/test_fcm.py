"""Pushes to `fcm` tokens through FCM HTTP v1, against a real HTTP server on loopback playing
Google's OAuth token endpoint and FCM's send (tests/notifications/fcm_server.py): sent once
each, beside Expo's in the same batches; failures retried with the same back-off; dead tokens
retired; without credentials they are skipped, not failed."""

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.delivery import fcm, push
from notifications.models import DeliveryStatus, Notification, PushDelivery
from tests.factories import TicketFactory, UserFactory
from tests.notifications.test_push import DB_TASKS, make_due_now, notify, send_at_once, states


@pytest.fixture
def fake_fcm(settings, tmp_path):
    """FCM and Google's token endpoint on a loopback port; FCM_CREDENTIALS_FILE a service
    account key (generated here) whose token_uri points at it."""
    from tests.notifications.fcm_server import FakeFcm

    fake = FakeFcm()
    key_file = tmp_path / "service-account.json"
    key_file.write_text(json.dumps(fake.service_account()))
    settings.FCM_CREDENTIALS_FILE = str(key_file)
    settings.FCM_PROJECT_ID = ""
    settings.FCM_BASE_URL = fake.url
    settings.PUSH_TIMEOUT_SECONDS = 10
    yield fake
    fake.stop()


@pytest.mark.sqlite
@pytest.mark.django_db
def test_fcm_and_expo_tokens_of_a_notification_are_each_pushed_once(fake_fcm, fake_expo, make_push_token):
    # given a client with an Expo phone and an Android phone with an FCM token, and a
    # technician with only an FCM token
    client, tech = UserFactory(), UserFactory()
    expo_phone, client_fcm = make_push_token(client), make_push_token(client, token_type="fcm")
    tech_fcm = make_push_token(tech, token_type="fcm")
    ticket = TicketFactory(cliente=client, tecnico=tech)
    notifications = notify([client, tech], ticket=ticket)

    # when the pushes are delivered
    assert push.push_prepare(notification_ids=[n.pk for n in notifications]) == 3
    sent, retry_in = push.push_send(notification_ids=[n.pk for n in notifications])

    # then each token got its push once: the Expo one through Expo, the others through FCM
    assert (sent, retry_in) == (3, None)
    assert fake_expo.accepted == {expo_phone.token: 1}
    assert fake_fcm.accepted == {client_fcm.token: 1, tech_fcm.token: 1}
    # with one access token, asked once, for the messaging scope, signed by the service account
    assert len(fake_fcm.token_requests) == 1
    (grant,) = fake_fcm.token_requests
    assert grant["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    assert grant["claims"]["scope"] == "https://www.googleapis.com/auth/firebase.messaging"
    assert grant["claims"]["aud"] == "https://oauth2.googleapis.com/token"  # Google's audience, wherever posted
    assert grant["claims"]["iss"] == "push@tickethelp-test.iam.gserviceaccount.com"
    assert fake_fcm.authorizations == ["Bearer ya29.fake-1"] * 2
    # and the message carries the notification's title and text and string ids, nothing else
    notification = Notification.objects.get(usuario=client)
    (message,) = [m for m in fake_fcm.messages if m["token"] == client_fcm.token]
    assert message == {
        "token": client_fcm.token,
        "notification": {"title": notification.titulo, "body": notification.mensaje},
        "data": {
            "notification_id": str(notification.pk),
            "ticket_id": str(ticket.pk),
            "ticket_code": ticket.code,
            "type": "estado_cambiado",
        },
    }
    # and FCM's pushes are delivered (FCM has no receipts), with the message name kept
    assert states() == {
        expo_phone.token: [DeliveryStatus.ENVIADA, 1],
        client_fcm.token: [DeliveryStatus.ENTREGADA, 1],
        tech_fcm.token: [DeliveryStatus.ENTREGADA, 1],
    }
    delivery = PushDelivery.objects.get(token=client_fcm)
    assert delivery.receipt_id.startswith("projects/tickethelp-test/messages/0:")
    assert (delivery.ultimo_error, delivery.proximo_intento) == ("", None)
    assert delivery.fecha_envio is not None

    # when the next notification is pushed (and the send run again for the first)
    (second,) = notify([tech])
    push.push_prepare(notification_ids=[second.pk])
    assert push.push_send() == (1, None)

    # then only the new push went out, with the cached access token
    assert fake_fcm.accepted == {client_fcm.token: 1, tech_fcm.token: 2}
    assert len(fake_fcm.token_requests) == 1
    assert fake_fcm.requests == 3


@pytest.mark.django_db
def test_the_project_id_setting_overrides_the_key_file_project(fake_fcm, make_push_token, settings):
    settings.FCM_PROJECT_ID = "other-project"
    fake_fcm.project_id = "other-project"
    token = make_push_token(UserFactory(), token_type="fcm")
    (notification,) = notify([token.usuario])
    push.push_prepare(notification_ids=[notification.pk])

    assert push.push_send(notification_ids=[notification.pk]) == (1, None)

    assert fake_fcm.accepted == {token.token: 1}
    assert PushDelivery.objects.get().receipt_id.startswith("projects/other-project/messages/")


@pytest.mark.sqlite
@pytest.mark.django_db
def test_unregistered_and_invalid_fcm_tokens_are_retired_and_the_others_sent(fake_fcm, make_push_token):
    # given a user whose app was uninstalled on one phone and whose other token is garbage
    user = UserFactory()
    live = make_push_token(user, token_type="fcm")
    gone = make_push_token(user, token_type="fcm")
    garbage = make_push_token(user, token_type="fcm")
    fake_fcm.unregistered, fake_fcm.invalid = {gone.token}, {garbage.token}
    (notification,) = notify([user])

    # when the push is delivered
    push.push_prepare(notification_ids=[notification.pk])
    assert push.push_send(notification_ids=[notification.pk]) == (1, None)

    # then the live phone got it; the other two are FALLIDA with FCM's error, tokens retired
    assert fake_fcm.accepted == {live.token: 1}
    assert states() == {
        live.token: [DeliveryStatus.ENTREGADA, 1],
        gone.token: [DeliveryStatus.FALLIDA, 1],
        garbage.token: [DeliveryStatus.FALLIDA, 1],
    }
    assert PushDelivery.objects.get(token=gone).ultimo_error.startswith("FCM HTTP 404 UNREGISTERED")
    assert PushDelivery.objects.get(token=garbage).ultimo_error.startswith("FCM HTTP 400 INVALID_ARGUMENT")
    for token, reason in ((gone, "UNREGISTERED"), (garbage, "INVALID_ARGUMENT")):
        token.refresh_from_db()
        assert (token.is_active, token.retired_reason) == (False, reason)
        assert token.retired_at is not None
    live.refresh_from_db()
    assert live.is_active
    # and the next notification is not even attempted on the retired tokens
    (second,) = notify([user])
    push.push_prepare(notification_ids=[second.pk])
    assert list(PushDelivery.objects.filter(notification=second).values_list("token", flat=True)) == [live.pk]


@pytest.mark.parametrize(
    ("mode", "error", "delay", "token_requests"),
    [
        ("500", "FCM HTTP 500 INTERNAL", 30, 1),
        ("429:120", "FCM HTTP 429 QUOTA_EXCEEDED", 120, 1),  # Retry-After longer than the back-off wins
        ("hang", "FCM timeout", 30, 1),
        ("401", "FCM HTTP 401 UNAUTHENTICATED", 30, 2),  # our credentials: a new access token next time
    ],
)
@pytest.mark.django_db
def test_a_failed_fcm_send_is_retried_after_the_backoff_and_sent_once(
    fake_fcm, make_push_token, settings, mode, error, delay, token_requests
):
    settings.PUSH_RETRY_BASE_SECONDS = 30
    settings.PUSH_TIMEOUT_SECONDS = 1
    user = UserFactory()
    tokens = [make_push_token(user, token_type="fcm"), make_push_token(user, token_type="fcm")]
    (notification,) = notify([user])
    push.push_prepare(notification_ids=[notification.pk])

    # given FCM fails the first request
    fake_fcm.script = [mode]
    before = timezone.now()
    sent, retry_in = push.push_send(notification_ids=[notification.pk])
    fake_fcm.release.set()

    # then nothing is sent and the rest of the batch waits too (one failed request, not two)
    assert sent == 0
    assert fake_fcm.requests == 1
    assert retry_in == pytest.approx(delay, abs=3)
    rows = list(PushDelivery.objects.filter(notification=notification))
    assert {(row.estado, row.intentos) for row in rows} == {(DeliveryStatus.PENDIENTE, 1)}
    assert all(row.ultimo_error.startswith(error) for row in rows)
    assert all(row.proximo_intento >= before + timedelta(seconds=delay) for row in rows)
    # and before that moment another pass sends nothing
    assert push.push_send(notification_ids=[notification.pk]) == (0, pytest.approx(delay, abs=3))
    assert fake_fcm.requests == 1

    # when the delay has passed
    make_due_now()
    assert push.push_send(notification_ids=[notification.pk]) == (2, None)

    # then each phone got it exactly once, on the second attempt
    assert fake_fcm.accepted == {token.token: 1 for token in tokens}
    assert fake_fcm.requests == 3
    assert len(fake_fcm.token_requests) == token_requests
    assert {(row.estado, row.intentos, row.ultimo_error) for row in PushDelivery.objects.all()} == {
        (DeliveryStatus.ENTREGADA, 2, "")
    }


@pytest.mark.django_db
def test_a_worker_killed_mid_batch_resends_only_the_fcm_push_in_flight(
    fake_fcm, fake_expo, make_push_token, monkeypatch
):
    # given a batch of one Expo and three FCM pushes
    user = UserFactory()
    phone = make_push_token(user)
    androids = [make_push_token(user, token_type="fcm") for _ in range(3)]
    (notification,) = notify([user])
    push.push_prepare(notification_ids=[notification.pk])
    real_send, calls = fcm.send_message, []

    def killed_at_the_second(message):
        calls.append(message["token"])
        if len(calls) == 2:
            real_send(message)  # FCM got it, and the worker dies before recording it
            raise SystemExit("worker killed")
        return real_send(message)

    # when the worker dies during the second FCM POST
    monkeypatch.setattr(fcm, "send_message", killed_at_the_second)
    with pytest.raises(SystemExit):
        push.push_send(notification_ids=[notification.pk])
    monkeypatch.setattr(fcm, "send_message", real_send)

    # then what was sent before it is recorded; the rest waits for the claim to expire
    first, in_flight = calls
    (untried,) = {android.token for android in androids} - {first, in_flight}
    assert states() == {
        phone.token: [DeliveryStatus.ENVIADA, 1],
        first: [DeliveryStatus.ENTREGADA, 1],
        in_flight: [DeliveryStatus.PENDIENTE, 1],
        untried: [DeliveryStatus.PENDIENTE, 1],
    }
    assert push.push_send(notification_ids=[notification.pk])[0] == 0

    # when the claim has expired and another worker sends
    make_due_now()
    assert push.push_send(notification_ids=[notification.pk]) == (2, None)

    # then only the push in flight reached its phone twice; every other phone once
    assert fake_expo.accepted == {phone.token: 1}
    assert fake_fcm.accepted == {first: 1, in_flight: 2, untried: 1}
    assert states()[in_flight] == [DeliveryStatus.ENTREGADA, 2]


@pytest.mark.django_db
def test_fcm_pushes_not_sent_before_their_claim_runs_out_are_left_for_the_next_pass(
    fake_fcm, make_push_token, monkeypatch, settings
):
    # given a claim of 3 s, a 1 s timeout, and FCM taking 1.5 s per message
    settings.PUSH_CLAIM_SECONDS, settings.PUSH_TIMEOUT_SECONDS = 3, 1
    user = UserFactory()
    androids = [make_push_token(user, token_type="fcm") for _ in range(3)]
    (notification,) = notify([user])
    push.push_prepare(notification_ids=[notification.pk])
    real_send = fcm.send_message

    def slow(message):
        time.sleep(1.5)
        return real_send(message)

    monkeypatch.setattr(fcm, "send_message", slow)

    # when the batch is sent
    sent, retry_in = push.push_send(notification_ids=[notification.pk])

    # then only what fits in the claim was sent (another worker may take the rest after it);
    # the rest is due at once, its attempt not counted
    assert (sent, retry_in) == (1, 0.0)
    assert sorted(map(tuple, states().values())) == [
        (DeliveryStatus.ENTREGADA, 1),
        (DeliveryStatus.PENDIENTE, 0),
        (DeliveryStatus.PENDIENTE, 0),
    ]

    # when the next passes run (at full speed), every phone has it once
    monkeypatch.setattr(fcm, "send_message", real_send)
    assert push.push_send(notification_ids=[notification.pk]) == (2, None)
    assert fake_fcm.accepted == {android.token: 1 for android in androids}


@pytest.mark.django_db
def test_a_hanging_token_endpoint_is_an_outage_retried_later(fake_fcm, make_push_token, settings):
    settings.PUSH_TIMEOUT_SECONDS = 1
    settings.PUSH_RETRY_BASE_SECONDS = 30
    token = make_push_token(UserFactory(), token_type="fcm")
    (notification,) = notify([token.usuario])
    push.push_prepare(notification_ids=[notification.pk])

    # given Google's token endpoint does not answer
    fake_fcm.token_script = ["hang"]
    sent, retry_in = push.push_send(notification_ids=[notification.pk])
    fake_fcm.release.set()

    # then nothing was sent to FCM and the push waits for the back-off
    assert (sent, retry_in) == (0, pytest.approx(30, abs=3))
    assert fake_fcm.requests == 0
    delivery = PushDelivery.objects.get()
    assert (delivery.estado, delivery.intentos) == (DeliveryStatus.PENDIENTE, 1)
    assert delivery.ultimo_error.startswith("FCM OAuth")

    # when the back-off has passed: an access token is issued and the push sent once
    make_due_now()
    assert push.push_send(notification_ids=[notification.pk]) == (1, None)
    assert fake_fcm.accepted == {token.token: 1}
    assert len(fake_fcm.token_requests) == 1


@pytest.mark.django_db
def test_fcm_rejecting_our_credentials_at_every_attempt_fails_the_push_but_keeps_the_token(
    fake_fcm, make_push_token, settings
):
    settings.PUSH_MAX_ATTEMPTS = 2
    token = make_push_token(UserFactory(), token_type="fcm")
    (notification,) = notify([token.usuario])
    push.push_prepare(notification_ids=[notification.pk])
    fake_fcm.mode = "401"

    for _ in range(settings.PUSH_MAX_ATTEMPTS):
        push.push_send(notification_ids=[notification.pk])
        make_due_now()

    delivery = PushDelivery.objects.get()
    assert (delivery.estado, delivery.intentos) == (DeliveryStatus.FALLIDA, 2)
    assert delivery.ultimo_error.startswith("FCM HTTP 401")
    token.refresh_from_db()
    assert token.is_active  # not the token's fault
    assert fake_fcm.accepted == {}


@pytest.mark.parametrize("problem", ["missing file", "no project id"])
@pytest.mark.django_db
def test_unusable_credentials_retry_the_fcm_pushes_and_the_expo_ones_of_the_batch_are_recorded(
    fake_fcm, fake_expo, make_push_token, settings, tmp_path, problem
):
    # given FCM_CREDENTIALS_FILE that cannot be used
    if problem == "missing file":
        settings.FCM_CREDENTIALS_FILE = str(tmp_path / "nowhere.json")
    else:
        key = fake_fcm.service_account()
        del key["project_id"]
        (tmp_path / "no-project.json").write_text(json.dumps(key))
        settings.FCM_CREDENTIALS_FILE = str(tmp_path / "no-project.json")
    user = UserFactory()
    phone, android = make_push_token(user), make_push_token(user, token_type="fcm")
    (notification,) = notify([user])
    push.push_prepare(notification_ids=[notification.pk])

    # when the batch is sent
    sent, retry_in = push.push_send(notification_ids=[notification.pk])

    # then the Expo push is sent and recorded; the FCM one waits for the back-off, token kept
    assert (sent, retry_in) == (1, pytest.approx(settings.PUSH_RETRY_BASE_SECONDS, abs=3))
    assert fake_expo.accepted == {phone.token: 1}
    assert fake_fcm.requests == 0
    assert states() == {phone.token: [DeliveryStatus.ENVIADA, 1], android.token: [DeliveryStatus.PENDIENTE, 1]}
    assert "FCM" in PushDelivery.objects.get(token=android).ultimo_error
    android.refresh_from_db()
    assert android.is_active


@pytest.mark.sqlite
@pytest.mark.django_db
def test_without_credentials_fcm_pushes_are_skipped_not_failed(fake_expo, make_push_token, settings):
    # given FCM is not configured
    settings.FCM_CREDENTIALS_FILE = ""
    user = UserFactory()
    phone, android = make_push_token(user), make_push_token(user, token_type="fcm")
    (notification,) = notify([user])

    # when the push is delivered
    push.push_prepare(notification_ids=[notification.pk])
    assert push.push_send(notification_ids=[notification.pk]) == (1, None)

    # then the Expo phone got it and the FCM token's push is OMITIDA, its token kept
    assert fake_expo.accepted == {phone.token: 1}
    assert states() == {phone.token: [DeliveryStatus.ENVIADA, 1], android.token: [DeliveryStatus.OMITIDA, 0]}
    assert PushDelivery.objects.get(token=android).ultimo_error == "FCM not configured"
    android.refresh_from_db()
    assert android.is_active
    assert fcm.configured() is False


@pytest.mark.postgresql(reason="SELECT ... FOR UPDATE SKIP LOCKED between two connections")
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_expo_and_fcm_push_once(fake_fcm, fake_expo, make_push_token, settings):
    # given 120 pending pushes, half to Expo tokens and half to FCM tokens
    settings.TASKS = DB_TASKS
    users = [UserFactory() for _ in range(2)]
    tokens = [make_push_token(user, token_type=kind) for user in users for kind in ("expo", "fcm")]
    notifications = notify(users, n=30)
    push.push_prepare(notification_ids=[n.pk for n in notifications])

    # when two workers send at the same moment
    results, errors = send_at_once(workers=2, timeout=120)

    # then every push went out once, between them
    assert errors == []
    assert sum(sent for sent, _ in results) == 120
    assert fake_expo.accepted == {t.token: 30 for t in tokens if t.token_type == "expo"}
    assert fake_fcm.accepted == {t.token: 30 for t in tokens if t.token_type == "fcm"}
    assert fake_fcm.requests == 60
    assert set(PushDelivery.objects.values_list("estado", "intentos")) == {
        (DeliveryStatus.ENVIADA, 1),
        (DeliveryStatus.ENTREGADA, 1),
    }
