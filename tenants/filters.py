"""Filters of the management lists (django-filter): a bad value is a 400 naming the parameter."""

import django_filters
from django.db.models import Q

from tenants.models import Apartment, Building, Device, Doorman, NameDevice, Owner, Shift, Tenant
from tickets.filters import IdFilter, StrictBooleanFilter

SEARCH_MAX_LENGTH = 100


def search_filter() -> django_filters.CharFilter:
    return django_filters.CharFilter(method="filter_search", max_length=SEARCH_MAX_LENGTH, label="Texto a buscar")


class SearchFilterSet(django_filters.FilterSet):
    """`?search=` matches any of `search_fields` (case-insensitive substring)."""

    search_fields: tuple[str, ...] = ()

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)


class OwnerFilter(SearchFilterSet):
    search = search_filter()
    search_fields = ("name", "email", "phone")

    class Meta:
        model = Owner
        fields = ()


class BuildingFilter(SearchFilterSet):
    status = StrictBooleanFilter(label="Activo")
    owner = IdFilter(field_name="owner_id", label="Id del propietario")
    search = search_filter()
    search_fields = ("name", "address", "managing_company", "owner__name")

    class Meta:
        model = Building
        fields = ()


class DoormanFilter(SearchFilterSet):
    building = IdFilter(field_name="building_id", label="Id del edificio")
    shift = django_filters.ChoiceFilter(choices=Shift.choices, label="Turno")
    active = StrictBooleanFilter(label="Activo")
    search = search_filter()
    search_fields = ("name", "email", "phone")

    class Meta:
        model = Doorman
        fields = ()


class ApartmentFilter(SearchFilterSet):
    building = IdFilter(field_name="building_id", label="Id del edificio")
    status = StrictBooleanFilter(label="Activo")
    search = search_filter()
    search_fields = ("name", "ubicacion")

    class Meta:
        model = Apartment
        fields = ()


class TenantFilter(SearchFilterSet):
    apartment = IdFilter(field_name="apartment_id", label="Id del apartamento")
    building = IdFilter(field_name="apartment__building_id", label="Id del edificio")
    is_active = StrictBooleanFilter(field_name="user__is_active", label="Cuenta activa")
    search = search_filter()
    search_fields = ("user__document", "user__email", "user__first_name", "user__last_name", "phone")

    class Meta:
        model = Tenant
        fields = ()


class NameDeviceFilter(SearchFilterSet):
    status = StrictBooleanFilter(label="Activo")
    search = search_filter()
    search_fields = ("name",)

    class Meta:
        model = NameDevice
        fields = ()


class DeviceFilter(SearchFilterSet):
    owner = IdFilter(method="filter_owner", label="Id del residente propietario")
    shared_with = IdFilter(method="filter_shared_with", label="Id del residente con quien se comparte")
    tenant = IdFilter(method="filter_tenant", label="Id de un residente (propietario o compartido)")
    name_device = IdFilter(field_name="name_device_id", label="Id del tipo de dispositivo")
    status = StrictBooleanFilter(label="Activo")
    search = search_filter()
    search_fields = ("name", "brand", "model", "system", "device_type", "ubicacion")

    class Meta:
        model = Device
        fields = ()

    # Subqueries on the link tables rather than joins: a device never appears twice.
    def filter_owner(self, queryset, name, value):
        owned = Device.owners.through.objects.filter(tenant_id=value).values("device_id")
        return queryset.filter(pk__in=owned)

    def filter_shared_with(self, queryset, name, value):
        shared = Device.shared_with.through.objects.filter(tenant_id=value).values("device_id")
        return queryset.filter(pk__in=shared)

    def filter_tenant(self, queryset, name, value):
        owned = Device.owners.through.objects.filter(tenant_id=value).values("device_id")
        shared = Device.shared_with.through.objects.filter(tenant_id=value).values("device_id")
        return queryset.filter(Q(pk__in=owned) | Q(pk__in=shared))
