"""Property-based fuzzing of every operation of the OpenAPI document as every role: no
response is a 5xx, and every response is one the document promises (status code documented
for the operation, body valid against that status's schema, documented content type).

The budget is fixed (EXAMPLES_PER_ROLE requests per operation and role, valid and invalid
input mixed) and the generation is seeded, so CI runs the same requests every time; set
FUZZ_SEED=<int> to explore other inputs and FUZZ_EXAMPLES=<int> for a longer run.
"""

import copy
import os

import pytest
import schemathesis
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from notifications.models import Notification, NotificationType, PushToken
from tests.factories import (
    ApartmentFactory,
    BuildingFactory,
    DeviceFactory,
    DoormanFactory,
    NameDeviceFactory,
    StateChangeRequestFactory,
    TenantFactory,
    TicketAttachmentFactory,
    TicketFactory,
    TicketHistoryFactory,
    UserFactory,
    estado,
)
from tests.security.fuzzing import ROLES, FuzzReport, InProcessApp, fuzz_operation, operation_label
from users.models import Role
from users.tokens import issue_tokens

EXAMPLES_PER_ROLE = int(os.environ.get("FUZZ_EXAMPLES", "5"))
FUZZ_SEED = int(os.environ.get("FUZZ_SEED", "20260"))
MINIMUM_REQUESTS = 2000
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def seeded(db, settings, tmp_path):
    """A few users of each role, tickets in every kind of state, a resident with devices,
    notifications, a pending approval and an attachment with its file."""
    settings.MEDIA_ROOT = tmp_path / "media"
    admins = [UserFactory(role=Role.ADMIN) for _ in range(2)]
    techs = [UserFactory(role=Role.TECH) for _ in range(3)]
    clients = [UserFactory(role=Role.CLIENT) for _ in range(2)]
    building = BuildingFactory()
    DoormanFactory(building=building)
    apartment = ApartmentFactory(building=building)
    tenant = TenantFactory(apartment=apartment)
    roommate = TenantFactory(apartment=apartment)
    device = DeviceFactory(owners=[tenant], shared_with=[roommate], name_device=NameDeviceFactory(name="Nevera"))
    DeviceFactory(owners=[roommate], shared_with=[tenant])

    tickets = []
    for index, codigo in enumerate(["open", "diagnosis", "in_repair", "finalized", "canceled"]):
        for cliente in (clients[index % 2], tenant.user):
            tickets.append(
                TicketFactory(
                    administrador=admins[0],
                    tecnico=techs[index % 3],
                    cliente=cliente,
                    estado=estado(codigo),
                    device=device if cliente == tenant.user else None,
                )
            )
    for ticket in tickets:
        TicketHistoryFactory(ticket=ticket)
    pending = StateChangeRequestFactory(ticket=tickets[4], requested_by=tickets[4].tecnico)
    name = default_storage.save("tickets/fuzz/foto.png", ContentFile(PNG))
    attachment = TicketAttachmentFactory(ticket=tickets[1], file=name, uploaded_by=admins[0])

    tipo = NotificationType.objects.get(codigo="estado_cambiado")
    notifications = [
        Notification.objects.create(usuario=user, ticket=tickets[0], tipo=tipo, titulo="Aviso", mensaje="Texto")
        for user in [*admins, *techs, *clients, tenant.user]
    ]
    phones = [
        PushToken.objects.create(usuario=user, token=f"ExpoPushToken[fuzz{user.pk}]", token_type="expo", platform="ios")
        for user in (clients[0], tenant.user, admins[0])
    ]
    users = {
        "anonymous": None,
        "CLIENT": clients[0],
        "tenant": tenant.user,
        "TECH": tickets[2].tecnico,
        "ADMIN": admins[0],
    }
    path_values = {
        "document": [user.document for user in [*admins, *techs, *clients, tenant.user]],
        "ticket_id": [ticket.pk for ticket in tickets],
        "request_id": [pending.pk],
        "attachment_id": [attachment.pk],
        "notification_id": [notification.pk for notification in notifications],
        "token_id": [phone.pk for phone in phones],
        ("buildings", "id"): [building.pk],
        ("apartments", "id"): [apartment.pk],
        ("owners", "id"): [building.owner_id],
        ("doormen", "id"): list(building.doormen.values_list("pk", flat=True)),
        ("tenants", "id"): [tenant.pk, roommate.pk],
        ("devices", "id"): [device.pk],
        ("device-types", "id"): [device.name_device_id],
    }
    return users, path_values


def test_fuzz_every_operation_as_every_role(schema_document, seeded):
    # given the project's own schema, seeded data and one token per role
    users, path_values = seeded
    schema = schemathesis.openapi.from_dict(schema_document)
    operations = [result.ok() for result in schema.get_all_operations()]
    tokens = {role: str(issue_tokens(user).access_token) if user else None for role, user in users.items()}
    app = InProcessApp()
    report = FuzzReport()

    # when every operation receives generated requests as every role
    for operation in operations:
        for role in ROLES:
            fuzz_operation(
                app=app,
                operation=operation,
                role=role,
                token=tokens[role],
                path_values=path_values,
                examples=EXAMPLES_PER_ROLE,
                report=report,
                fuzz_seed=FUZZ_SEED,
            )

    if os.environ.get("FUZZ_STATS"):
        for (label, code), count in sorted(report.statuses.items()):
            print(f"{label} {code} {count}")
        print(f"total {report.total}")
    # then no response broke the contract
    failures = report.summary()
    if failures:
        pytest.fail(f"{len(failures)} failing (operation, role, check):\n\n" + "\n\n".join(failures), pytrace=False)
    # and the budget was spent on every operation
    never_called = [operation_label(op) for op in operations if report.calls[operation_label(op)] == 0]
    assert never_called == []
    assert report.total >= MINIMUM_REQUESTS


def test_the_fuzzer_reports_responses_the_document_does_not_promise(schema_document, seeded):
    # given a document in which the stats operation lost its 401 and promises a field it never sends
    users, path_values = seeded
    document = copy.deepcopy(schema_document)
    stats = document["paths"]["/api/notifications/stats/"]["get"]["responses"]
    del stats["401"]
    stats["200"]["content"]["application/json"]["schema"] = {"type": "object", "required": ["no_such_field"]}
    (operation,) = [
        result.ok()
        for result in schemathesis.openapi.from_dict(document).get_all_operations()
        if result.ok().path == "/api/notifications/stats/"
    ]
    report = FuzzReport()

    # when it is fuzzed anonymously and as a client
    for role in ("anonymous", "CLIENT"):
        token = str(issue_tokens(users[role]).access_token) if users[role] else None
        fuzz_operation(
            app=InProcessApp(),
            operation=operation,
            role=role,
            token=token,
            path_values=path_values,
            examples=2,
            report=report,
            fuzz_seed=FUZZ_SEED,
        )

    # then both broken promises are reported, each for its role
    found = {(checks, frozenset(roles)) for (_, checks), (roles, _) in report.failures.items()}
    assert found == {
        ("Undocumented status code", frozenset({"anonymous"})),
        ("Response violates schema", frozenset({"CLIENT"})),
    }
