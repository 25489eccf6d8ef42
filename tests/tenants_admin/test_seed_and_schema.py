"""seed_demo's residential data, and the management API in the OpenAPI document."""

import pytest
from django.core.management import call_command

from tenants.models import Apartment, Building, Device, Doorman, NameDevice, Owner, Shift, Tenant
from tickets.models import Ticket
from users.models import Role, User

pytestmark = pytest.mark.django_db

MANAGEMENT_RESOURCES = {
    "buildings": "Gestión · edificios",
    "apartments": "Gestión · apartamentos",
    "owners": "Gestión · propietarios",
    "doormen": "Gestión · porteros",
    "tenants": "Gestión · residentes",
    "devices": "Gestión · dispositivos",
    "device-types": "Gestión · tipos de dispositivo",
}


def counts() -> dict[str, int]:
    models = (User, Owner, Building, Doorman, Apartment, Tenant, NameDevice, Device, Ticket)
    return {model.__name__: model.objects.count() for model in models}


def test_seed_demo_creates_residential_data_once(capsys):
    # when the demo data is loaded twice
    call_command("seed_demo", force=True)
    first = counts()
    call_command("seed_demo", force=True)

    # then the second run duplicated nothing
    assert counts() == first
    assert first["Building"] == 2
    assert first["Tenant"] == 4
    # and every building has a doorman in each shift, and an owner
    for building in Building.objects.all():
        assert building.owner is not None
        assert set(building.doormen.values_list("shift", flat=True)) == set(Shift.values)
    # and two residents share an apartment, another lives in the other building
    resident = Tenant.objects.get(user__email="resident@tickethelp.local")
    roommate = Tenant.objects.get(user__email="resident2@tickethelp.local")
    assert resident.apartment == roommate.apartment
    assert Tenant.objects.exclude(apartment__building=resident.apartment.building).exists()
    assert all(tenant.user.role == Role.CLIENT for tenant in Tenant.objects.select_related("user"))
    # and a device of one is shared with the other
    assert Device.objects.filter(owners=resident, shared_with=roommate).exists()
    # and residents opened tickets about their devices, which log in with the demo password
    tenant_tickets = Ticket.objects.filter(device__isnull=False)
    assert tenant_tickets.count() >= 2
    for ticket in tenant_tickets.select_related("cliente__tenant_profile", "device"):
        tenant = ticket.cliente.tenant_profile
        assert (
            ticket.device.owners.filter(pk=tenant.pk).exists()
            or ticket.device.shared_with.filter(pk=tenant.pk).exists()
        )
    assert resident.user.check_password("TicketHelp-demo-2026")
    # and the residents' credentials are printed
    output = capsys.readouterr().out
    assert "resident@tickethelp.local" in output
    assert "resident2@tickethelp.local" in output


def test_schema_tags_every_management_endpoint(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = response.json()["paths"]

    for resource, tag in MANAGEMENT_RESOURCES.items():
        assert set(paths[f"/api/{resource}/"]) >= {"get", "post"}
        assert set(paths[f"/api/{resource}/{{id}}/"]) >= {"get", "put", "patch", "delete"}
        assert f"/api/{resource}" not in paths
        for operations in (paths[f"/api/{resource}/"], paths[f"/api/{resource}/{{id}}/"]):
            for method in ("get", "post", "put", "patch", "delete"):
                if method in operations:
                    assert operations[method]["tags"] == [tag]
    device_filters = {p["name"] for p in paths["/api/devices/"]["get"]["parameters"]}
    assert {"owner", "shared_with", "tenant", "name_device", "status", "search", "page", "limit"} <= device_filters
