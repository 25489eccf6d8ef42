"""Writes of the tenants app.

SHARED FILE: two engineers work here at once. The ADMIN management API adds its
functions under "Management API", the /api/tenant portal under "Tenant portal".
Append to your own section (edit in place, never re-create this file).
"""

# --- Management API (buildings, apartments, owners, doormen, tenants, devices) ----------------

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Model, ProtectedError

from tenants.models import Apartment, Building, Device, Doorman, NameDevice, Owner, Tenant
from tickethelp.exceptions import Conflict, DomainError, NotFound
from users import services as user_services
from users.models import Role, User

# User fields an administrator may set through /api/tenants/ (the rest of the account,
# role and activation included, is managed in /api/users/...).
TENANT_USER_FIELDS = ("document", "email", "first_name", "last_name", "number")
TENANT_PROFILE_FIELDS = ("apartment", "phone", "photo")
M = TypeVar("M", bound=Model)

DEVICE_FIELDS = (
    "name",
    "status",
    "ubicacion",
    "brand",
    "model",
    "system",
    "device_type",
    "icon_id",
    "name_device",
)


def _locked(model: type[M], pk: int) -> M:
    """The row, locked until the end of the caller's transaction; 404 if it does not exist."""
    instance = model.objects.select_for_update().filter(pk=pk).first()
    if instance is None:
        raise NotFound(f"No existe {model._meta.verbose_name} con id {pk}.")
    return instance


def _assign(instance: Model, data: Mapping[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise DomainError(
            "Campos no editables.",
            code="field_not_editable",
            field_errors={field: ["Este campo no se puede modificar."] for field in unknown},
        )
    for field, value in data.items():
        setattr(instance, field, value.strip() if isinstance(value, str) else value)


def _save_checked(instance: Model, *, exclude: Iterable[str] = ()) -> None:
    """full_clean + save; a uniqueness race lost at the database is a 409, not a 500. No
    savepoint of its own: an error rolls back the caller's whole transaction. `exclude`:
    fields the caller has just checked or made itself (each check is a query)."""
    instance.full_clean(exclude=list(exclude) or None)
    try:
        with transaction.atomic(savepoint=False):
            instance.save()
    except IntegrityError:
        raise Conflict(
            f"Ya existe {instance._meta.verbose_name} con esos datos.", code=f"{instance._meta.model_name}_exists"
        ) from None


def _create(model: type[M], data: Mapping[str, Any], allowed: Iterable[str]) -> M:
    with transaction.atomic():
        instance = model()
        _assign(instance, data, allowed)
        _save_checked(instance)
    return instance


def _update(model: type[M], pk: int, data: Mapping[str, Any], allowed: Iterable[str]) -> M:
    with transaction.atomic():
        instance = _locked(model, pk)
        _assign(instance, data, allowed)
        _save_checked(instance)
    return instance


def _delete(model: type[Model], pk: int) -> None:
    """Delete the row; rows that still depend on it (PROTECT) make it a 409 that says which."""
    with transaction.atomic():
        instance = _locked(model, pk)
        try:
            with transaction.atomic():
                instance.delete()
        except ProtectedError as exc:
            raise Conflict(_protected_message(instance, exc), code="protected") from None


def _protected_message(instance: Model, exc: ProtectedError) -> str:
    counts: dict[str, int] = {}
    for blocker in exc.protected_objects:
        label = str(blocker._meta.verbose_name_plural)
        counts[label] = counts.get(label, 0) + 1
    blockers = ", ".join(f"{total} {label}" for label, total in sorted(counts.items()))
    return (
        f"No se puede eliminar {instance._meta.verbose_name} «{instance}»: tiene {blockers} asociados. "
        "Reasígnalos o elimínalos primero."
    )


# Owners ------------------------------------------------------------------------------------
OWNER_FIELDS = ("name", "email", "phone", "photo")


def owner_create(*, data: Mapping[str, Any]) -> Owner:
    return _create(Owner, data, OWNER_FIELDS)


def owner_update(*, owner_id: int, data: Mapping[str, Any]) -> Owner:
    return _update(Owner, owner_id, data, OWNER_FIELDS)


def owner_delete(*, owner_id: int) -> None:
    """Refused (409) while buildings reference the owner."""
    _delete(Owner, owner_id)


# Buildings ---------------------------------------------------------------------------------
BUILDING_FIELDS = ("name", "managing_company", "address", "description", "location_link", "image", "status", "owner")


def building_create(*, data: Mapping[str, Any]) -> Building:
    return _create(Building, data, BUILDING_FIELDS)


def building_update(*, building_id: int, data: Mapping[str, Any]) -> Building:
    return _update(Building, building_id, data, BUILDING_FIELDS)


def building_delete(*, building_id: int) -> None:
    """Refused (409) while the building has apartments; its doormen go with it."""
    _delete(Building, building_id)


# Doormen -----------------------------------------------------------------------------------
DOORMAN_FIELDS = ("building", "name", "email", "phone", "photo", "shift", "active")


def doorman_create(*, data: Mapping[str, Any]) -> Doorman:
    return _create(Doorman, data, DOORMAN_FIELDS)


def doorman_update(*, doorman_id: int, data: Mapping[str, Any]) -> Doorman:
    return _update(Doorman, doorman_id, data, DOORMAN_FIELDS)


def doorman_delete(*, doorman_id: int) -> None:
    _delete(Doorman, doorman_id)


# Apartments --------------------------------------------------------------------------------
APARTMENT_FIELDS = ("building", "name", "ubicacion", "status")


def apartment_create(*, data: Mapping[str, Any]) -> Apartment:
    return _create(Apartment, data, APARTMENT_FIELDS)


def apartment_update(*, apartment_id: int, data: Mapping[str, Any]) -> Apartment:
    return _update(Apartment, apartment_id, data, APARTMENT_FIELDS)


def apartment_delete(*, apartment_id: int) -> None:
    """Refused (409) while residents live in the apartment."""
    _delete(Apartment, apartment_id)


# Device types ------------------------------------------------------------------------------
DEVICE_TYPE_FIELDS = ("name", "status")


def device_type_create(*, data: Mapping[str, Any]) -> NameDevice:
    return _create(NameDevice, data, DEVICE_TYPE_FIELDS)


def device_type_update(*, device_type_id: int, data: Mapping[str, Any]) -> NameDevice:
    return _update(NameDevice, device_type_id, data, DEVICE_TYPE_FIELDS)


def device_type_delete(*, device_type_id: int) -> None:
    """Refused (409) while devices are of this type."""
    _delete(NameDevice, device_type_id)


# Tenants (residents) -----------------------------------------------------------------------


def _client_without_profile(document: str) -> User:
    """The CLIENT user with this document, locked, who has no tenant profile yet."""
    user = User.objects.select_for_update().filter(document=document.strip()).first()
    if user is None:
        raise DomainError(
            "El usuario no existe.",
            code="user_not_found",
            field_errors={"user_document": [f"No existe un usuario con el documento «{document.strip()}»."]},
        )
    if user.role != Role.CLIENT:
        raise DomainError(
            "Solo un usuario con rol Cliente puede ser residente.",
            code="user_not_client",
            field_errors={
                "user_document": [f"El usuario tiene rol {user.get_role_display()}; debe tener rol Cliente."]
            },
        )
    if Tenant.objects.filter(user=user).exists():
        raise DomainError(
            "El usuario ya es residente.",
            code="tenant_exists",
            field_errors={"user_document": ["Este usuario ya tiene un perfil de residente."]},
        )
    return user


def tenant_create(
    *,
    apartment: Apartment,
    phone: str = "",
    photo: str = "",
    user_document: str | None = None,
    new_user: Mapping[str, Any] | None = None,
) -> Tenant:
    """A resident profile for an existing CLIENT user (`user_document`) or for a new CLIENT
    account (`new_user`: document, email, first_name, last_name, number; it gets the welcome
    e-mail with a random password once this transaction commits)."""
    if (user_document is None) == (new_user is None):
        raise ValueError("Pass exactly one of user_document or new_user.")
    with transaction.atomic():
        if user_document is not None:
            user = _client_without_profile(user_document)
        else:
            user = user_services.user_create(**new_user, role=Role.CLIENT)
        tenant = Tenant(user=user, apartment=apartment, phone=(phone or "").strip(), photo=(photo or "").strip())
        # The user is a CLIENT without a profile (checked above, or created here) and the
        # apartment an existing row (read by the caller's validation): three queries spared.
        _save_checked(tenant, exclude=("user", "apartment"))
    return tenant


def tenant_update(*, tenant_id: int, data: Mapping[str, Any]) -> Tenant:
    """Profile fields and the account's identity fields (through users.services) together."""
    user_data = {field: value for field, value in data.items() if field in TENANT_USER_FIELDS}
    profile_data = {field: value for field, value in data.items() if field not in TENANT_USER_FIELDS}
    with transaction.atomic():
        tenant = _locked(Tenant, tenant_id)
        if user_data:
            user_services.user_update(user=tenant.user, data=user_data, allowed_fields=TENANT_USER_FIELDS)
        _assign(tenant, profile_data, TENANT_PROFILE_FIELDS)
        _save_checked(tenant)
    return tenant


def tenant_delete(*, tenant_id: int) -> None:
    """Removes the resident profile (and its device links); the user account stays."""
    _delete(Tenant, tenant_id)


# Devices -----------------------------------------------------------------------------------


def _residents(field: str, ids: Iterable[int]) -> list[Tenant]:
    """The tenants with these ids, locked in pk order (so they exist until commit)."""
    wanted = sorted(set(ids))
    found = list(Tenant.objects.select_for_update().filter(pk__in=wanted).order_by("pk"))
    missing = sorted(set(wanted) - {tenant.pk for tenant in found})
    if missing:
        raise DomainError(
            "Hay residentes que no existen.",
            code="tenant_not_found",
            field_errors={field: [f"No existen residentes con id: {', '.join(map(str, missing))}."]},
        )
    return found


def _set_residents(device: Device, owner_ids: Iterable[int] | None, shared_with_ids: Iterable[int] | None) -> None:
    owners = _residents("owners", owner_ids) if owner_ids is not None else list(device.owners.all())
    shared = (
        _residents("shared_with", shared_with_ids) if shared_with_ids is not None else list(device.shared_with.all())
    )
    both = sorted({tenant.pk for tenant in owners} & {tenant.pk for tenant in shared})
    if both:
        raise DomainError(
            "Un residente no puede ser propietario del dispositivo y tenerlo compartido a la vez.",
            code="owner_and_shared",
            field_errors={
                "shared_with": [f"Estos residentes ya son propietarios del dispositivo: {', '.join(map(str, both))}."]
            },
        )
    if owner_ids is not None:
        device.owners.set(owners)
    if shared_with_ids is not None:
        device.shared_with.set(shared)


def device_create(
    *,
    data: Mapping[str, Any],
    owner_ids: Iterable[int] = (),
    shared_with_ids: Iterable[int] = (),
) -> Device:
    """A device with its owners and the residents it is shared with (disjoint sets)."""
    with transaction.atomic():
        device = _create(Device, data, DEVICE_FIELDS)
        _set_residents(device, list(owner_ids), list(shared_with_ids))
    return device


def device_update(
    *,
    device_id: int,
    data: Mapping[str, Any],
    owner_ids: Iterable[int] | None = None,
    shared_with_ids: Iterable[int] | None = None,
) -> Device:
    """`owner_ids` / `shared_with_ids` replace the sets when given (None keeps them)."""
    with transaction.atomic():
        device = _update(Device, device_id, data, DEVICE_FIELDS)
        _set_residents(
            device,
            None if owner_ids is None else list(owner_ids),
            None if shared_with_ids is None else list(shared_with_ids),
        )
    return device


def device_delete(*, device_id: int) -> None:
    """Refused (409) while tickets are about the device."""
    _delete(Device, device_id)


# --- Tenant portal -----------------------------------------------------------------------------
