"""Django admin for the residential data: buildings with their apartments and doormen,
apartments with their residents, devices with owners and shared residents.

A resident is a CLIENT user plus a profile: create the user (the "+" next to the user
field opens the user form, which sends the welcome e-mail), then pick them by name,
e-mail or document; only CLIENT users are offered (`Tenant.user.limit_choices_to`).
"""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count

from tenants.models import Apartment, Building, Device, Doorman, NameDevice, Owner, Tenant

# Picture and map links are typed without a scheme more often than not; they are web links.
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class ApartmentInline(admin.TabularInline):
    """A building's apartments with who lives in each; "Cambiar" opens the apartment, whose
    own inline adds and edits its residents (building → apartments → residents)."""

    formfield_overrides = URL_FIELDS
    model = Apartment
    fields = ("name", "ubicacion", "status", "residents")
    readonly_fields = ("residents",)
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tenants__user")

    @admin.display(description="residentes")
    def residents(self, obj) -> str:
        if obj.pk is None:  # the blank row "Agregar otro apartamento" copies
            return ""
        return ", ".join(tenant.user.get_full_name() for tenant in obj.tenants.all()) or "—"


class DoormanInline(admin.TabularInline):
    formfield_overrides = URL_FIELDS
    model = Doorman
    fields = ("name", "shift", "active", "phone", "email", "photo")
    extra = 0
    show_change_link = True


class TenantInline(admin.TabularInline):
    formfield_overrides = URL_FIELDS
    model = Tenant
    fields = ("user", "phone", "photo")
    autocomplete_fields = ("user",)
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Owner)
class OwnerAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ("name", "email", "phone", "buildings_count")
    search_fields = ("name", "email", "phone")
    ordering = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(num_buildings=Count("buildings"))

    @admin.display(description="edificios", ordering="num_buildings")
    def buildings_count(self, obj) -> int:
        return obj.num_buildings


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ("name", "owner", "managing_company", "address", "status")
    list_filter = ("status", ("owner", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "address", "managing_company", "owner__name")
    list_select_related = ("owner",)
    autocomplete_fields = ("owner",)
    ordering = ("name",)
    inlines = (ApartmentInline, DoormanInline)
    fieldsets = (
        (None, {"fields": ("name", "owner", "status")}),
        ("Datos", {"fields": ("managing_company", "address", "description", "location_link", "image")}),
    )


@admin.register(Doorman)
class DoormanAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ("name", "building", "shift", "active", "phone", "email")
    list_filter = ("shift", "active", ("building", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "email", "phone", "building__name")
    list_select_related = ("building",)
    autocomplete_fields = ("building",)


@admin.register(Apartment)
class ApartmentAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ("name", "building", "ubicacion", "status", "tenants_count")
    list_filter = ("status", ("building", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "ubicacion", "building__name")
    list_select_related = ("building",)
    autocomplete_fields = ("building",)
    # Explicit: the Count annotation drops Meta.ordering, and the autocomplete pages the rows.
    ordering = ("building__name", "name", "id")
    inlines = (TenantInline,)

    def get_queryset(self, request):
        # The building is part of an apartment's name (also in autocomplete results).
        return super().get_queryset(request).select_related("building").annotate(num_tenants=Count("tenants"))

    @admin.display(description="residentes", ordering="num_tenants")
    def tenants_count(self, obj) -> int:
        return obj.num_tenants


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ("full_name", "email", "document", "apartment", "phone", "is_active")
    list_filter = (("apartment__building", admin.RelatedOnlyFieldListFilter), "user__is_active")
    search_fields = (
        "user__document",
        "user__email",
        "user__first_name",
        "user__last_name",
        "phone",
        "apartment__name",
        "apartment__building__name",
    )
    list_select_related = ("user", "apartment__building")
    autocomplete_fields = ("user", "apartment")
    ordering = ("apartment__building__name", "apartment__name", "user__last_name")

    def get_queryset(self, request):
        # str(tenant) shows the user's name and the apartment with its building.
        return super().get_queryset(request).select_related("user", "apartment__building")

    @admin.display(description="nombre", ordering="user__last_name")
    def full_name(self, obj) -> str:
        return obj.user.get_full_name()

    @admin.display(description="correo", ordering="user__email")
    def email(self, obj) -> str:
        return obj.user.email

    @admin.display(description="documento", ordering="user__document")
    def document(self, obj) -> str:
        return obj.user.document

    @admin.display(description="activo", boolean=True, ordering="user__is_active")
    def is_active(self, obj) -> bool:
        return obj.user.is_active


@admin.register(NameDevice)
class NameDeviceAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ("name", "status", "devices_count")
    list_filter = ("status",)
    search_fields = ("name",)
    # Explicit: the Count annotation drops Meta.ordering, and the autocomplete pages the rows.
    ordering = ("name", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(num_devices=Count("devices"))

    @admin.display(description="dispositivos", ordering="num_devices")
    def devices_count(self, obj) -> int:
        return obj.num_devices


class DeviceAdminForm(forms.ModelForm):
    class Meta:
        model = Device
        fields = (
            "name",
            "name_device",
            "status",
            "brand",
            "model",
            "system",
            "device_type",
            "icon_id",
            "ubicacion",
            "owners",
            "shared_with",
        )

    def clean(self):
        cleaned = super().clean()
        both = set(cleaned.get("owners") or []) & set(cleaned.get("shared_with") or [])
        if both:
            names = ", ".join(sorted(tenant.name for tenant in both))
            self.add_error(
                "shared_with",
                f"Un residente no puede ser propietario y tener el dispositivo compartido a la vez: {names}.",
            )
        return cleaned


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    form = DeviceAdminForm
    list_display = ("name", "name_device", "brand", "model", "ubicacion", "owner_names", "status")
    list_filter = ("status", ("name_device", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "brand", "model", "system", "owners__user__document", "owners__user__last_name")
    list_select_related = ("name_device",)
    autocomplete_fields = ("name_device", "owners", "shared_with")
    fieldsets = (
        (None, {"fields": ("name", "name_device", "status")}),
        ("Detalles", {"fields": ("brand", "model", "system", "device_type", "icon_id", "ubicacion")}),
        ("Residentes", {"fields": ("owners", "shared_with")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("owners__user")

    @admin.display(description="propietarios")
    def owner_names(self, obj) -> str:
        return ", ".join(tenant.user.get_full_name() for tenant in obj.owners.all())
