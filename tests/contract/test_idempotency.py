"""`Idempotency-Key` on every create of the tenant API and on the staff ticket create: a retry
with the same key and body answers the first result and creates nothing; another body is a
422 naming the header; keys are per user; failures are not kept; concurrent duplicates
create one object (tickethelp.idempotency)."""

from base64 import b64encode
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from conversations.models import TicketMessage
from notifications.models import Notification
from tests.conftest import client_for
from tests.factories import AppointmentFactory, DeviceFactory, TenantFactory, TicketFactory, UserFactory
from tests.media_files import image_bytes
from tests.tickets.test_concurrency import THREADS, run_together
from tickethelp.models import IdempotencyKey
from tickets.models import Ticket
from users.models import Role
from visits.models import AppointmentStatus

PNG = image_bytes("PNG")
OTHER_PNG = image_bytes("PNG", size=(9, 9))
TICKETS = "/api/tenant/tickets"
STAFF_TICKETS = "/api/tickets/"
KEY = "8d0c6f2e-2f7a-4c1e-9a51-0d6f3f1b9a77"
TENANT_MISMATCH = {
    "message": "The given data was invalid.",
    "errors": {"Idempotency-Key": ["This Idempotency-Key was already used with a different request body."]},
}


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def resident(db):
    return TenantFactory()


@pytest.fixture
def device(resident):
    return DeviceFactory(owners=[resident])


def ticket_form(device, **overrides) -> dict:
    return {
        "device_id": device.pk,
        "category": "Hardware",
        "title": "No enciende",
        "description": "Desde ayer.",
        **overrides,
    }


def keyed(key=KEY) -> dict:
    return {"HTTP_IDEMPOTENCY_KEY": key}


def replayed(response) -> bool:
    return response.headers.get("Idempotent-Replayed") == "true"


# --- Tenant ticket create (multipart, JSON, Android) -------------------------------------------------


@pytest.mark.sqlite
@pytest.mark.django_db
def test_a_retried_tenant_create_answers_the_first_result_and_creates_nothing(resident, device):
    client = client_for(resident.user)
    files = lambda: [SimpleUploadedFile("a.png", PNG, "image/png")]  # noqa: E731

    # when the app sends the same create twice with one key
    first = client.post(TICKETS, {**ticket_form(device), "attachments[]": files()}, format="multipart", **keyed())
    again = client.post(TICKETS, {**ticket_form(device), "attachments[]": files()}, format="multipart", **keyed())

    # then the second answer is the first one, marked as a replay, and one ticket exists
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert (replayed(first), replayed(again)) == (False, True)
    assert Ticket.objects.count() == 1
    row = IdempotencyKey.objects.get()
    assert (row.user, row.key, row.status_code, row.response) == (resident.user, KEY, 201, first.json())


@pytest.mark.sqlite
@pytest.mark.django_db
def test_the_same_key_with_another_file_is_a_422(resident, device):
    client = client_for(resident.user)
    body = lambda content: {**ticket_form(device), "attachments[]": [SimpleUploadedFile("a.png", content)]}  # noqa: E731

    first = client.post(TICKETS, body(PNG), format="multipart", **keyed())
    other = client.post(TICKETS, body(OTHER_PNG), format="multipart", **keyed())

    assert first.status_code == 201
    assert other.status_code == 422
    assert other.json() == TENANT_MISMATCH
    assert not replayed(other)
    assert Ticket.objects.count() == 1


@pytest.mark.sqlite
@pytest.mark.django_db
@pytest.mark.parametrize("change", [{"title": "Otro título"}, {"priority": "high"}])
def test_the_same_key_with_another_field_is_a_422(resident, device, change):
    client = client_for(resident.user)

    first = client.post(TICKETS, ticket_form(device), format="json", **keyed())
    other = client.post(TICKETS, ticket_form(device, **change), format="json", **keyed())

    assert (first.status_code, other.status_code) == (201, 422)
    assert other.json() == TENANT_MISMATCH
    assert Ticket.objects.count() == 1


@pytest.mark.sqlite
@pytest.mark.django_db
def test_key_order_and_trailing_slash_do_not_change_the_fingerprint(resident, device):
    client = client_for(resident.user)
    body = ticket_form(device)

    first = client.post(TICKETS, body, format="json", **keyed())
    again = client.post(TICKETS + "/", dict(reversed(list(body.items()))), format="json", **keyed())

    assert again.status_code == 201
    assert replayed(again)
    assert Ticket.objects.count() == 1
    assert first.json() == again.json()


@pytest.mark.sqlite
@pytest.mark.django_db
def test_the_android_create_is_idempotent_too(resident, device):
    client = client_for(resident.user)
    body = {
        **ticket_form(device),
        "attachments_base64": [{"name": "a.png", "data": "data:image/png;base64," + b64encode(PNG).decode()}],
    }

    first = client.post(f"{TICKETS}/android", body, format="json", **keyed())
    again = client.post(f"{TICKETS}/android", body, format="json", **keyed())
    # the multipart route is another request: the same key there is another body
    other_route = client.post(TICKETS, ticket_form(device), format="json", **keyed())

    assert (first.status_code, again.status_code, other_route.status_code) == (201, 201, 422)
    assert again.json() == first.json()
    assert replayed(again)
    assert Ticket.objects.count() == 1


@pytest.mark.sqlite
@pytest.mark.django_db
def test_without_the_header_every_request_creates(resident, device):
    client = client_for(resident.user)

    client.post(TICKETS, ticket_form(device), format="json")
    client.post(TICKETS, ticket_form(device), format="json")

    assert Ticket.objects.count() == 2
    assert not IdempotencyKey.objects.exists()


# --- Keys are per user; failures are not kept; expiry --------------------------------------------


@pytest.mark.sqlite
@pytest.mark.django_db
def test_another_users_key_never_replays_someone_elses_answer(resident, device):
    # given a resident's create under a key
    first = client_for(resident.user).post(TICKETS, ticket_form(device), format="json", **keyed())

    # when another resident sends the same key (and the same body, about a device they own)
    other = TenantFactory()
    other_device = DeviceFactory(owners=[other])
    second = client_for(other.user).post(
        TICKETS, ticket_form(other_device, device_id=device.pk), format="json", **keyed()
    )
    third = client_for(other.user).post(TICKETS, ticket_form(other_device), format="json", **keyed())

    # then nothing of the first resident is answered: the foreign device is refused, the own created
    assert first.status_code == 201
    assert second.status_code == 422
    assert second.json()["errors"] == {"device_id": ["The selected device id is invalid."]}
    assert third.status_code == 201
    assert not replayed(third)
    assert third.json()["ticket"]["id"] != first.json()["ticket"]["id"]
    assert set(Ticket.objects.values_list("cliente", flat=True)) == {resident.user.pk, other.user.pk}
    assert IdempotencyKey.objects.filter(key=KEY).count() == 2


@pytest.mark.sqlite
@pytest.mark.django_db
def test_a_refused_request_is_not_kept_so_a_corrected_retry_succeeds(resident, device):
    client = client_for(resident.user)

    refused = client.post(TICKETS, ticket_form(device, title=""), format="json", **keyed())
    assert refused.status_code == 422
    assert not IdempotencyKey.objects.exists()

    corrected = client.post(TICKETS, ticket_form(device), format="json", **keyed())
    assert corrected.status_code == 201
    assert not replayed(corrected)
    assert Ticket.objects.count() == 1


@pytest.mark.sqlite
@pytest.mark.django_db
def test_a_key_older_than_24_hours_is_ignored_and_replaced(resident, device):
    client = client_for(resident.user)
    first = client.post(TICKETS, ticket_form(device), format="json", **keyed())
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=24, seconds=1))

    # when the key comes back a day later, with another body even
    again = client.post(TICKETS, ticket_form(device, title="Otro"), format="json", **keyed())

    # then it is a new create, and the key now answers for it
    assert (first.status_code, again.status_code) == (201, 201)
    assert not replayed(again)
    assert Ticket.objects.count() == 2
    row = IdempotencyKey.objects.get()
    assert row.response == again.json()


@pytest.mark.sqlite
@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", " ", "x" * 256, "clave\x01", "clave ñ", " lead", "trail "])
def test_a_malformed_key_is_refused_naming_the_header(resident, device, key):
    response = client_for(resident.user).post(TICKETS, ticket_form(device), format="json", **keyed(key))

    assert response.status_code == 422
    assert response.json() == {
        "message": "The given data was invalid.",
        "errors": {"Idempotency-Key": ["The Idempotency-Key header must be 1 to 255 printable ASCII characters."]},
    }
    assert not Ticket.objects.exists()


@pytest.mark.sqlite
@pytest.mark.django_db
@pytest.mark.parametrize("key", ["a", "x" * 255, "with inner spaces", "01HF7Z3KQ~!@#$%^&*()"])
def test_keys_of_1_to_255_printable_characters_are_accepted(resident, device, key):
    response = client_for(resident.user).post(TICKETS, ticket_form(device), format="json", **keyed(key))

    assert response.status_code == 201
    assert IdempotencyKey.objects.get().key == key


@pytest.mark.sqlite
@pytest.mark.django_db
def test_purge_deletes_only_expired_keys_and_prune_tokens_runs_it(resident, device):
    client = client_for(resident.user)
    client.post(TICKETS, ticket_form(device), format="json", **keyed("old"))
    client.post(TICKETS, ticket_form(device, title="Nuevo"), format="json", **keyed("new"))
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))

    out = StringIO()
    call_command("prune_tokens", stdout=out)

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
    assert "Purged 1 expired idempotency keys." in out.getvalue()
    call_command("purge_idempotency_keys", stdout=out)
    assert "Purged 0 expired idempotency keys." in out.getvalue()


# --- Messages and feedback ------------------------------------------------------------------------


@pytest.mark.sqlite
@pytest.mark.django_db
def test_a_retried_message_is_sent_once(resident):
    tech = UserFactory(role=Role.TECH)
    ticket = TicketFactory(cliente=resident.user, tecnico=tech)
    client = client_for(resident.user)
    path = f"{TICKETS}/{ticket.pk}/send-message-to-technical"

    first = client.post(path, {"message": "¿Vienen hoy?"}, format="json", **keyed())
    again = client.post(path, {"message": "¿Vienen hoy?"}, format="json", **keyed())
    other = client.post(path, {"message": "¿Y mañana?"}, format="json", **keyed())

    assert (first.status_code, again.status_code, other.status_code) == (200, 200, 422)
    assert (
        again.json()
        == first.json()
        == {"success": True, "message": "Message sent successfully", "ticket_id": ticket.pk}
    )
    assert replayed(again)
    assert other.json() == TENANT_MISMATCH
    assert TicketMessage.objects.count() == 1
    assert Notification.objects.filter(usuario=tech, tipo__codigo="mensaje_nuevo").count() == 1


@pytest.mark.sqlite
@pytest.mark.django_db
def test_a_retried_feedback_answers_the_first_result_instead_of_a_409(resident):
    ticket = TicketFactory(cliente=resident.user)
    appointment = AppointmentFactory(
        ticket=ticket,
        status=AppointmentStatus.AWAITING_FEEDBACK,
        started_at=timezone.now(),
        completed_at=timezone.now(),
    )
    client = client_for(resident.user)
    path = f"/api/tenant/appointments/{appointment.pk}/member-feedback"

    first = client.post(path, {"service_rating": 5}, format="json", **keyed())
    again = client.post(path, {"service_rating": 5}, format="json", **keyed())
    unkeyed = client.post(path, {"service_rating": 5}, format="json")

    assert (first.status_code, again.status_code, unkeyed.status_code) == (200, 200, 409)
    assert again.json() == first.json()
    assert replayed(again)


# --- Staff ticket create --------------------------------------------------------------------------


def staff_body(client_user, **extra) -> dict:
    return {"cliente": client_user.document, "titulo": "Portátil", "descripcion": "No arranca.", **extra}


@pytest.mark.sqlite
@pytest.mark.django_db
def test_a_retried_staff_create_answers_the_first_result(as_admin, client_user):
    first = as_admin.post(STAFF_TICKETS, staff_body(client_user), format="json", **keyed())
    again = as_admin.post(STAFF_TICKETS, staff_body(client_user), format="json", **keyed())
    other = as_admin.post(STAFF_TICKETS, staff_body(client_user, titulo="Otro"), format="json", **keyed())

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert replayed(again)
    assert other.status_code == 422
    assert other.json() == {
        "detail": "La cabecera Idempotency-Key no es válida.",
        "code": "idempotency_key_mismatch",
        "Idempotency-Key": ["Esta Idempotency-Key ya se usó con otro cuerpo de solicitud."],
    }
    assert Ticket.objects.count() == 1


@pytest.mark.sqlite
@pytest.mark.django_db
def test_a_malformed_key_on_the_staff_api_is_a_400_naming_the_header(as_admin, client_user):
    response = as_admin.post(STAFF_TICKETS, staff_body(client_user), format="json", **keyed("x" * 256))

    assert response.status_code == 400
    assert response.json() == {
        "detail": "La cabecera Idempotency-Key no es válida.",
        "code": "idempotency_key_invalid",
        "Idempotency-Key": ["La cabecera Idempotency-Key debe tener de 1 a 255 caracteres ASCII imprimibles."],
    }
    assert not Ticket.objects.exists()


# --- Concurrent duplicates ------------------------------------------------------------------------


@pytest.mark.postgresql(reason="threads with their own connections waiting on a row lock of the unique index")
@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_duplicates_create_one_ticket_and_answer_it_eight_times():
    # given eight connections of one resident sending the same create with one key
    resident = TenantFactory()
    device = DeviceFactory(owners=[resident])
    clients = [client_for(resident.user) for _ in range(THREADS)]

    def create(index: int):
        response = clients[index].post(TICKETS, ticket_form(device), format="json", **keyed())
        return response.status_code, response.json(), replayed(response)

    # when they arrive at once
    results = run_together(create)

    # then one ticket exists and every answer is its 201, seven of them replays
    assert all(isinstance(result, tuple) for result in results), results
    assert Ticket.objects.count() == 1
    ticket_id = Ticket.objects.get().pk
    assert Counter(status for status, _, _ in results) == {201: THREADS}
    assert {body["ticket"]["id"] for _, body, _ in results} == {ticket_id}
    assert Counter(flag for _, _, flag in results) == {False: 1, True: THREADS - 1}
    assert IdempotencyKey.objects.count() == 1
    assert connection.vendor == "postgresql"


@pytest.mark.postgresql(reason="threads with their own connections waiting on a row lock of the unique index")
@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_staff_duplicates_create_one_ticket():
    admin = UserFactory(role=Role.ADMIN)
    client_user = UserFactory(role=Role.CLIENT)
    clients = [client_for(admin) for _ in range(THREADS)]

    def create(index: int):
        response = clients[index].post(STAFF_TICKETS, staff_body(client_user), format="json", **keyed())
        return response.status_code, response.json()["ticket"]["id"]

    results = run_together(create)

    assert Ticket.objects.count() == 1
    assert set(results) == {(201, Ticket.objects.get().pk)}, results
