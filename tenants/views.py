"""ADMIN-only management API of the residential data: thin ViewSets over the selectors
(reads) and services (writes) of the tenants app.

Lists are plain arrays (total in `X-Total-Count`, `ArrayPagination`); every write answers
with the row as the list shows it.
"""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.response import Response

from tenants import examples as tenant_examples
from tenants import selectors, services
from tenants.filters import (
    ApartmentFilter,
    BuildingFilter,
    DeviceFilter,
    DoormanFilter,
    NameDeviceFilter,
    OwnerFilter,
    TenantFilter,
)
from tenants.serializers import (
    ApartmentSerializer,
    BuildingSerializer,
    DeviceSerializer,
    DeviceWriteSerializer,
    DoormanSerializer,
    NameDeviceSerializer,
    OwnerSerializer,
    TenantCreateSerializer,
    TenantSerializer,
    TenantUpdateSerializer,
)
from tickethelp.openapi import ApiErrorSerializer, staff_errors
from tickethelp.permissions import IsAdmin

DENIED = staff_errors(401, 403)
INVALID = staff_errors(400, examples={400: {"name": ["Este campo no puede estar en blanco."]}})
MISSING = staff_errors(404)


def management_schema(
    *, tag: str, plural: str, output, examples: dict, create_input=None, update_input=None, protected: str = ""
):
    """OpenAPI of one management ViewSet: tag, request/response shapes, examples and error codes."""
    create_input = create_input or output
    update_input = update_input or create_input
    conflict = {}
    if protected:
        conflict = {
            409: OpenApiResponse(
                ApiErrorSerializer,
                description=protected,
                examples=[OpenApiExample("Con filas asociadas", value=examples["protected"])],
            )
        }
    by_action = tenant_examples.action_examples(examples)
    return extend_schema_view(
        list=extend_schema(
            tags=[tag],
            summary=f"Listar {plural}",
            responses={200: output(many=True), **INVALID, **DENIED},
            examples=by_action["list"],
        ),
        retrieve=extend_schema(
            tags=[tag], summary="Detalle", responses={200: output, **DENIED, **MISSING}, examples=by_action["retrieve"]
        ),
        create=extend_schema(
            tags=[tag],
            summary="Crear",
            request=create_input,
            responses={201: output, **INVALID, **DENIED},
            examples=by_action["create"],
        ),
        update=extend_schema(
            tags=[tag],
            summary="Reemplazar",
            request=update_input,
            responses={200: output, **INVALID, **DENIED, **MISSING},
            examples=by_action["update"],
        ),
        partial_update=extend_schema(
            tags=[tag],
            summary="Modificar campos",
            request=update_input,
            responses={200: output, **INVALID, **DENIED, **MISSING},
            examples=by_action["partial_update"],
        ),
        destroy=extend_schema(tags=[tag], summary="Eliminar", responses={204: None, **DENIED, **MISSING, **conflict}),
    )


class ManagementViewSet(viewsets.ModelViewSet):
    """Validation by the serializers, writes by `create_row` / `update_row` / `delete_row`
    (each one service call), output re-read through the selector (names and counts)."""

    permission_classes = [IsAdmin]
    write_serializer_class = None
    update_serializer_class = None

    def get_serializer_class(self):
        if self.action == "create":
            return self.write_serializer_class or self.serializer_class
        if self.action in ("update", "partial_update"):
            return self.update_serializer_class or self.write_serializer_class or self.serializer_class
        return self.serializer_class

    def create_row(self, data: dict):
        raise NotImplementedError

    def update_row(self, pk: int, data: dict):
        raise NotImplementedError

    def delete_row(self, pk: int) -> None:
        raise NotImplementedError

    def _shown(self, pk: int, *, status_code: int = status.HTTP_200_OK) -> Response:
        row = self.get_queryset().get(pk=pk)
        return Response(self.serializer_class(row, context=self.get_serializer_context()).data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = self.create_row(dict(serializer.validated_data))
        return self._shown(row.pk, status_code=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self.update_row(instance.pk, dict(serializer.validated_data))
        return self._shown(instance.pk)

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        self.delete_row(instance.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


@management_schema(
    tag="Gestión · propietarios",
    plural="propietarios",
    output=OwnerSerializer,
    examples=tenant_examples.OWNER_EXAMPLES,
    protected="El propietario tiene edificios asociados",
)
class OwnerViewSet(ManagementViewSet):
    serializer_class = OwnerSerializer
    filterset_class = OwnerFilter

    def get_queryset(self):
        return selectors.owners_for_management()

    def create_row(self, data):
        return services.owner_create(data=data)

    def update_row(self, pk, data):
        return services.owner_update(owner_id=pk, data=data)

    def delete_row(self, pk):
        services.owner_delete(owner_id=pk)


@management_schema(
    tag="Gestión · edificios",
    plural="edificios",
    output=BuildingSerializer,
    examples=tenant_examples.BUILDING_EXAMPLES,
    protected="El edificio tiene apartamentos",
)
class BuildingViewSet(ManagementViewSet):
    serializer_class = BuildingSerializer
    filterset_class = BuildingFilter

    def get_queryset(self):
        return selectors.buildings_for_management()

    def create_row(self, data):
        return services.building_create(data=data)

    def update_row(self, pk, data):
        return services.building_update(building_id=pk, data=data)

    def delete_row(self, pk):
        services.building_delete(building_id=pk)


@management_schema(
    tag="Gestión · porteros",
    plural="porteros",
    output=DoormanSerializer,
    examples=tenant_examples.DOORMAN_EXAMPLES,
)
class DoormanViewSet(ManagementViewSet):
    serializer_class = DoormanSerializer
    filterset_class = DoormanFilter

    def get_queryset(self):
        return selectors.doormen_for_management()

    def create_row(self, data):
        return services.doorman_create(data=data)

    def update_row(self, pk, data):
        return services.doorman_update(doorman_id=pk, data=data)

    def delete_row(self, pk):
        services.doorman_delete(doorman_id=pk)


@management_schema(
    tag="Gestión · apartamentos",
    plural="apartamentos",
    output=ApartmentSerializer,
    examples=tenant_examples.APARTMENT_EXAMPLES,
    protected="El apartamento tiene residentes",
)
class ApartmentViewSet(ManagementViewSet):
    serializer_class = ApartmentSerializer
    filterset_class = ApartmentFilter

    def get_queryset(self):
        return selectors.apartments_for_management()

    def create_row(self, data):
        return services.apartment_create(data=data)

    def update_row(self, pk, data):
        return services.apartment_update(apartment_id=pk, data=data)

    def delete_row(self, pk):
        services.apartment_delete(apartment_id=pk)


@management_schema(
    tag="Gestión · residentes",
    plural="residentes",
    output=TenantSerializer,
    examples=tenant_examples.TENANT_EXAMPLES,
    create_input=TenantCreateSerializer,
    update_input=TenantUpdateSerializer,
)
class TenantViewSet(ManagementViewSet):
    """Residents: a CLIENT user plus the tenant profile. Creating one either creates the
    account (welcome e-mail with a random password) or attaches the profile to an existing
    CLIENT user (`user_document`). Deleting removes the profile; the account stays."""

    serializer_class = TenantSerializer
    write_serializer_class = TenantCreateSerializer
    update_serializer_class = TenantUpdateSerializer
    filterset_class = TenantFilter

    def get_queryset(self):
        return selectors.tenants_for_management()

    def create_row(self, data):
        profile = {field: data.pop(field) for field in ("apartment", "phone", "photo") if field in data}
        user_document = data.pop("user_document", None)
        return services.tenant_create(
            **profile, user_document=user_document, new_user=None if user_document is not None else data
        )

    def update_row(self, pk, data):
        return services.tenant_update(tenant_id=pk, data=data)

    def delete_row(self, pk):
        services.tenant_delete(tenant_id=pk)


@management_schema(
    tag="Gestión · tipos de dispositivo",
    plural="tipos de dispositivo",
    output=NameDeviceSerializer,
    examples=tenant_examples.NAME_DEVICE_EXAMPLES,
    protected="Hay dispositivos de este tipo",
)
class NameDeviceViewSet(ManagementViewSet):
    serializer_class = NameDeviceSerializer
    filterset_class = NameDeviceFilter

    def get_queryset(self):
        return selectors.device_types_for_management()

    def create_row(self, data):
        return services.device_type_create(data=data)

    def update_row(self, pk, data):
        return services.device_type_update(device_type_id=pk, data=data)

    def delete_row(self, pk):
        services.device_type_delete(device_type_id=pk)


@management_schema(
    tag="Gestión · dispositivos",
    plural="dispositivos",
    output=DeviceSerializer,
    examples=tenant_examples.DEVICE_EXAMPLES,
    create_input=DeviceWriteSerializer,
    protected="Hay tickets sobre el dispositivo",
)
class DeviceViewSet(ManagementViewSet):
    """Devices with their owners and the residents they are shared with (tenant ids; a
    resident cannot be both)."""

    serializer_class = DeviceSerializer
    write_serializer_class = DeviceWriteSerializer
    filterset_class = DeviceFilter

    def get_queryset(self):
        return selectors.devices_for_management()

    def create_row(self, data):
        owners = data.pop("owners", [])
        shared_with = data.pop("shared_with", [])
        return services.device_create(data=data, owner_ids=owners, shared_with_ids=shared_with)

    def update_row(self, pk, data):
        owners = data.pop("owners", None)
        shared_with = data.pop("shared_with", None)
        return services.device_update(device_id=pk, data=data, owner_ids=owners, shared_with_ids=shared_with)

    def delete_row(self, pk):
        services.device_delete(device_id=pk)
