"""Fixtures of the management API tests: a small residential world."""

from types import SimpleNamespace

import pytest

from tenants.models import Shift
from tests.factories import (
    ApartmentFactory,
    BuildingFactory,
    DeviceFactory,
    DoormanFactory,
    NameDeviceFactory,
    OwnerFactory,
    TenantFactory,
)


@pytest.fixture
def world(db):
    """One building with an owner, a doorman, an apartment with two residents and a device
    owned by one and shared with the other."""
    owner = OwnerFactory(name="Inversiones Altamira")
    building = BuildingFactory(name="Torres del Parque", owner=owner)
    doorman = DoormanFactory(building=building, shift=Shift.NIGHT)
    apartment = ApartmentFactory(building=building, name="101")
    tenant = TenantFactory(apartment=apartment)
    roommate = TenantFactory(apartment=apartment)
    device_type = NameDeviceFactory(name="Televisor")
    device = DeviceFactory(name="Televisor sala", name_device=device_type, owners=[tenant], shared_with=[roommate])
    return SimpleNamespace(
        owner=owner,
        building=building,
        doorman=doorman,
        apartment=apartment,
        tenant=tenant,
        roommate=roommate,
        device_type=device_type,
        device=device,
    )
