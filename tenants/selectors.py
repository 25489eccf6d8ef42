"""Reads of the tenants app.

SHARED FILE: two engineers work here at once. The ADMIN management API adds its
functions under "Management API", the /api/tenant portal under "Tenant portal".
Append to your own section (edit in place, never re-create this file).
"""

# --- Management API (buildings, apartments, owners, doormen, tenants, devices) ----------------

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from tenants.models import Apartment, Building, Device, Doorman, NameDevice, Owner, Tenant
from tickets.models import Ticket


def _count_of(model, fk: str) -> Coalesce:
    """`COUNT(*)` of `model` rows pointing at the outer row, as a correlated subquery: one
    SELECT for the whole page, and no row multiplication when several counts are combined."""
    counted = (
        model.objects.filter(**{fk: OuterRef("pk")}).order_by().values(fk).annotate(total=Count("pk")).values("total")
    )
    return Coalesce(Subquery(counted), Value(0))


def owners_for_management() -> QuerySet[Owner]:
    return Owner.objects.annotate(buildings_count=_count_of(Building, "owner"))


def buildings_for_management() -> QuerySet[Building]:
    return Building.objects.select_related("owner").annotate(
        apartments_count=_count_of(Apartment, "building"),
        doormen_count=_count_of(Doorman, "building"),
    )


def doormen_for_management() -> QuerySet[Doorman]:
    return Doorman.objects.select_related("building")


def apartments_for_management() -> QuerySet[Apartment]:
    return Apartment.objects.select_related("building").annotate(tenants_count=_count_of(Tenant, "apartment"))


def tenants_for_management() -> QuerySet[Tenant]:
    return Tenant.objects.select_related("user", "apartment__building")


def device_types_for_management() -> QuerySet[NameDevice]:
    return NameDevice.objects.annotate(devices_count=_count_of(Device, "name_device"))


def devices_for_management() -> QuerySet[Device]:
    residents = Tenant.objects.select_related("user", "apartment__building").order_by("pk")
    return (
        Device.objects.select_related("name_device")
        .prefetch_related(Prefetch("owners", queryset=residents), Prefetch("shared_with", queryset=residents))
        .annotate(tickets_count=_count_of(Ticket, "device"))
    )


# --- Tenant portal -----------------------------------------------------------------------------
