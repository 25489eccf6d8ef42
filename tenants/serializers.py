"""Input validation and output shapes of the ADMIN management API (buildings ... devices).

Related rows are referenced by id (`"building": 3`, `"owners": [4, 7]`); outputs add the
names an administrator needs to read a list without a second request.
"""

import re

from rest_framework import serializers

from tenants.models import Apartment, Building, Device, Doorman, NameDevice, Owner, Tenant
from tenants.services import DEVICE_FIELDS
from users.models import User

MAX_ID = 2**63 - 1
MAX_RESIDENTS_PER_DEVICE = 200
_DIGITS = re.compile(r"[0-9]{1,19}")


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A positive integer id of an existing row: no booleans, floats or out-of-range numbers."""

    default_error_messages = {
        "required": "Este campo es requerido.",
        "does_not_exist": "No existe un registro con id {pk_value}.",
        "incorrect_type": "Debe ser un id numérico (entero positivo), se recibió {data_type}.",
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, str):
            if not _DIGITS.fullmatch(data):
                self.fail("incorrect_type", data_type="str")
            data = int(data)
        if not 1 <= data <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class ResidentIdsField(serializers.ListField):
    """A list of tenant ids; existence is checked (under lock) by the service."""

    def __init__(self, **kwargs):
        kwargs.setdefault("child", serializers.IntegerField(min_value=1, max_value=MAX_ID))
        kwargs.setdefault("max_length", MAX_RESIDENTS_PER_DEVICE)
        kwargs.setdefault("allow_empty", True)
        super().__init__(**kwargs)


# --- Owners, buildings, doormen, apartments, device types ---------------------------------


class OwnerSerializer(serializers.ModelSerializer):
    buildings_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Owner
        fields = ("id", "name", "email", "phone", "photo", "buildings_count")
        read_only_fields = ("id",)


class BuildingSerializer(serializers.ModelSerializer):
    owner = IdRelatedField(queryset=Owner.objects.all(), allow_null=True, required=False)
    owner_name = serializers.CharField(source="owner.name", read_only=True, allow_null=True)
    apartments_count = serializers.IntegerField(read_only=True)
    doormen_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Building
        fields = (
            "id",
            "name",
            "managing_company",
            "address",
            "description",
            "location_link",
            "image",
            "status",
            "owner",
            "owner_name",
            "apartments_count",
            "doormen_count",
        )
        read_only_fields = ("id",)


class DoormanSerializer(serializers.ModelSerializer):
    building = IdRelatedField(queryset=Building.objects.all())
    building_name = serializers.CharField(source="building.name", read_only=True)

    class Meta:
        model = Doorman
        fields = ("id", "building", "building_name", "name", "email", "phone", "photo", "shift", "active")
        read_only_fields = ("id",)


class ApartmentSerializer(serializers.ModelSerializer):
    building = IdRelatedField(queryset=Building.objects.all())
    building_name = serializers.CharField(source="building.name", read_only=True)
    tenants_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Apartment
        fields = ("id", "building", "building_name", "name", "ubicacion", "status", "tenants_count")
        read_only_fields = ("id",)
        # Uniqueness per building is checked in validate() so the error names `name`.
        validators = []

    def validate(self, attrs):
        building = attrs.get("building", getattr(self.instance, "building", None))
        name = attrs.get("name", getattr(self.instance, "name", None))
        if building is not None and name is not None:
            clash = Apartment.objects.filter(building=building, name=name)
            if self.instance is not None:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise serializers.ValidationError({"name": ["Ya existe un apartamento con ese nombre en el edificio."]})
        return attrs


class NameDeviceSerializer(serializers.ModelSerializer):
    devices_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = NameDevice
        fields = ("id", "name", "status", "devices_count")
        read_only_fields = ("id",)


# --- Tenants ----------------------------------------------------------------------------------


class TenantUserSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(source="get_full_name", read_only=True)

    class Meta:
        model = User
        fields = ("id", "document", "email", "first_name", "last_name", "full_name", "number", "is_active")
        read_only_fields = fields


class TenantSerializer(serializers.ModelSerializer):
    user = TenantUserSerializer(read_only=True)
    apartment_name = serializers.CharField(source="apartment.name", read_only=True)
    building = serializers.IntegerField(source="apartment.building_id", read_only=True)
    building_name = serializers.CharField(source="apartment.building.name", read_only=True)
    # Declared so the schema says what the API sends: a URL, or "" when there is no photo.
    photo = serializers.URLField(read_only=True, allow_blank=True, label="Foto")

    class Meta:
        model = Tenant
        fields = ("id", "user", "apartment", "apartment_name", "building", "building_name", "phone", "photo")
        read_only_fields = fields


# Fields that decide what an account may do: sending one here is refused (400) rather than
# silently ignored, as on /api/users/ (role and activation are managed there).
REFUSED_ACCOUNT_FIELDS = frozenset(
    {"role", "is_active", "password", "must_change_password", "is_staff", "is_superuser", "user"}
)


class _TenantProfileFields(serializers.Serializer):
    apartment = IdRelatedField(queryset=Apartment.objects.all())
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    photo = serializers.URLField(max_length=500, required=False, allow_blank=True)

    def validate(self, attrs):
        refused = sorted(REFUSED_ACCOUNT_FIELDS & set(self.initial_data))
        if refused:
            raise serializers.ValidationError(
                {field: ["Este campo no se puede modificar desde residentes."] for field in refused}
            )
        return attrs


NEW_USER_FIELDS = ("document", "email", "first_name", "last_name", "number")
NEW_USER_REQUIRED = ("document", "email", "first_name")


class TenantCreateSerializer(_TenantProfileFields):
    """Either `user_document` (an existing CLIENT user without a profile) or the new
    account's `document`, `email`, `first_name` (+ `last_name`, `number`)."""

    user_document = serializers.CharField(
        max_length=20, required=False, help_text="Documento de un usuario CLIENT existente."
    )
    document = serializers.CharField(max_length=20, required=False)
    email = serializers.EmailField(max_length=254, required=False)
    first_name = serializers.CharField(max_length=150, required=False)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    number = serializers.CharField(max_length=20, required=False, allow_blank=True, allow_null=True)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        given = [field for field in NEW_USER_FIELDS if field in attrs]
        if "user_document" in attrs:
            if given:
                raise serializers.ValidationError(
                    {field: ["No se envía junto con user_document (el usuario ya existe)."] for field in given}
                )
            return attrs
        missing = [field for field in NEW_USER_REQUIRED if not attrs.get(field)]
        if missing:
            raise serializers.ValidationError(
                {field: ["Este campo es requerido para crear el usuario (o envía user_document)."] for field in missing}
            )
        return attrs


class TenantUpdateSerializer(_TenantProfileFields):
    """Profile fields plus the account's identity fields (role and activation are managed
    in /api/users/...)."""

    document = serializers.CharField(max_length=20, required=False)
    email = serializers.EmailField(max_length=254, required=False)
    first_name = serializers.CharField(max_length=150, required=False)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    number = serializers.CharField(max_length=20, required=False, allow_blank=True, allow_null=True)


# --- Devices ----------------------------------------------------------------------------------


class ResidentBriefSerializer(serializers.ModelSerializer):
    document = serializers.CharField(source="user.document", read_only=True)
    name = serializers.CharField(read_only=True)
    email = serializers.EmailField(read_only=True)
    apartment_name = serializers.CharField(source="apartment.name", read_only=True)
    building_name = serializers.CharField(source="apartment.building.name", read_only=True)

    class Meta:
        model = Tenant
        fields = ("id", "document", "name", "email", "apartment", "apartment_name", "building_name")
        read_only_fields = fields


class DeviceSerializer(serializers.ModelSerializer):
    name_device_name = serializers.CharField(source="name_device.name", read_only=True, allow_null=True)
    owners = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    shared_with = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    owners_detail = ResidentBriefSerializer(source="owners", many=True, read_only=True)
    shared_with_detail = ResidentBriefSerializer(source="shared_with", many=True, read_only=True)
    tickets_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Device
        fields = (
            "id",
            *DEVICE_FIELDS,
            "name_device_name",
            "owners",
            "shared_with",
            "owners_detail",
            "shared_with_detail",
            "tickets_count",
        )
        read_only_fields = fields


class DeviceWriteSerializer(serializers.ModelSerializer):
    name_device = IdRelatedField(queryset=NameDevice.objects.all(), allow_null=True, required=False)
    owners = ResidentIdsField(required=False, help_text="Ids de los residentes propietarios.")
    shared_with = ResidentIdsField(
        required=False, help_text="Ids de los residentes con quienes se comparte (no pueden ser propietarios)."
    )

    class Meta:
        model = Device
        fields = (*DEVICE_FIELDS, "owners", "shared_with")
