"""Residential data of the tenant portal: buildings, owners, doormen, apartments, tenants
(a tenant is a CLIENT user with this profile) and the devices tenants own or share.

Pictures are URLs (the portal shows them as `string|null`); an empty value is served as null.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Owner(models.Model):
    """The building's owner or superintendent."""

    name = models.CharField("nombre", max_length=150)
    email = models.EmailField("correo", max_length=254)
    phone = models.CharField("teléfono", max_length=30, blank=True)
    photo = models.URLField("foto", max_length=500, blank=True)

    class Meta:
        verbose_name = "propietario"
        verbose_name_plural = "propietarios"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Building(models.Model):
    name = models.CharField("nombre", max_length=150, unique=True)
    managing_company = models.CharField("empresa administradora", max_length=150, blank=True)
    address = models.CharField("dirección", max_length=255, blank=True)
    description = models.TextField("descripción", max_length=2000, blank=True)
    location_link = models.URLField("enlace de ubicación", max_length=500, blank=True)
    image = models.URLField("imagen", max_length=500, blank=True)
    status = models.BooleanField("activo", default=True)
    owner = models.ForeignKey(
        Owner, on_delete=models.PROTECT, related_name="buildings", null=True, blank=True, verbose_name="propietario"
    )

    class Meta:
        verbose_name = "edificio"
        verbose_name_plural = "edificios"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Shift(models.TextChoices):
    MORNING = "morning", "Mañana"
    AFTERNOON = "afternoon", "Tarde"
    NIGHT = "night", "Noche"


class Doorman(models.Model):
    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="doormen", verbose_name="edificio")
    name = models.CharField("nombre", max_length=150)
    email = models.EmailField("correo", max_length=254, blank=True)
    phone = models.CharField("teléfono", max_length=30, blank=True)
    photo = models.URLField("foto", max_length=500, blank=True)
    shift = models.CharField("turno", max_length=10, choices=Shift.choices)
    active = models.BooleanField("activo", default=True)

    class Meta:
        verbose_name = "portero"
        verbose_name_plural = "porteros"
        ordering = ["building", "shift", "name", "id"]
        constraints = [models.CheckConstraint(condition=Q(shift__in=Shift.values), name="tenants_doorman_shift_valid")]
        indexes = [models.Index(fields=["building", "active"], name="tenants_doorman_building_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_shift_display()})"


class Apartment(models.Model):
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="apartments", verbose_name="edificio")
    name = models.CharField("nombre", max_length=50, help_text="Número o nombre, p. ej. 101 o A-5.")
    ubicacion = models.CharField("ubicación", max_length=150, blank=True)
    status = models.BooleanField("activo", default=True)

    class Meta:
        verbose_name = "apartamento"
        verbose_name_plural = "apartamentos"
        ordering = ["building", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["building", "name"], name="tenants_apartment_unique_name_per_building")
        ]

    def __str__(self) -> str:
        return f"{self.building.name} · {self.name}"


class Tenant(models.Model):
    """The resident profile of a CLIENT user (name and e-mail live on the user)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="tenant_profile",
        verbose_name="usuario",
        # Only CLIENT users can be residents (admin choices, autocomplete and full_clean).
        limit_choices_to={"role": "CLIENT"},
    )
    apartment = models.ForeignKey(
        Apartment, on_delete=models.PROTECT, related_name="tenants", verbose_name="apartamento"
    )
    phone = models.CharField("teléfono", max_length=30, blank=True)
    photo = models.URLField("foto", max_length=500, blank=True)

    class Meta:
        verbose_name = "residente"
        verbose_name_plural = "residentes"
        ordering = ["apartment", "id"]

    def __str__(self) -> str:
        return f"{self.user.get_full_name()} ({self.apartment})"

    @property
    def name(self) -> str:
        return self.user.get_full_name()

    @property
    def email(self) -> str:
        return self.user.email


class NameDevice(models.Model):
    """Catalog of device types (TV, air conditioner, ...)."""

    name = models.CharField("nombre", max_length=100, unique=True)
    status = models.BooleanField("activo", default=True)

    class Meta:
        verbose_name = "tipo de dispositivo"
        verbose_name_plural = "tipos de dispositivo"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Device(models.Model):
    name = models.CharField("nombre", max_length=150)
    status = models.BooleanField("activo", default=True)
    ubicacion = models.CharField("ubicación", max_length=150, blank=True)
    brand = models.CharField("marca", max_length=100, blank=True)
    model = models.CharField("modelo", max_length=100, blank=True)
    system = models.CharField("sistema", max_length=100, blank=True)
    device_type = models.CharField("tipo", max_length=100, blank=True)
    icon_id = models.CharField("icono", max_length=50, blank=True)
    name_device = models.ForeignKey(
        NameDevice,
        on_delete=models.PROTECT,
        related_name="devices",
        null=True,
        blank=True,
        verbose_name="tipo de dispositivo",
    )
    owners = models.ManyToManyField(Tenant, related_name="owned_devices", blank=True, verbose_name="propietarios")
    shared_with = models.ManyToManyField(
        Tenant, related_name="shared_devices", blank=True, verbose_name="compartido con"
    )

    class Meta:
        verbose_name = "dispositivo"
        verbose_name_plural = "dispositivos"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
