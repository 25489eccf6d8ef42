"""The portal's authentication: the caller's user and resident profile in one statement.

Every portal request needs the tenant profile (apartment, building, owner) of its caller
(`IsTenant`). Read after authentication, it was a second statement on every request; here
the user row, the revocation columns (users.authentication) and the profile are one join.
The profile is left in the user's reverse one-to-one cache (`user.tenant_profile`, None
when there is none), where `selectors.tenant_for_user` finds it. Revocation, deactivation
and the token checks are the staff API's, unchanged.
"""

from functools import cache, partial

from django.db import connection

from tenants.models import Apartment, Building, Owner, Tenant
from tickethelp.instances import ModelColumns
from users.authentication import USER_COLUMNS, LoadedUser, TokenAuthentication, revocation_columns_sql
from users.models import User

_TENANT = ModelColumns(Tenant, "t")
_APARTMENT = ModelColumns(Apartment, "a")
_BUILDING = ModelColumns(Building, "b")
_OWNER = ModelColumns(Owner, "o")

_TENANT_USER = Tenant._meta.get_field("user")
_TENANT_APARTMENT = Tenant._meta.get_field("apartment")
_APARTMENT_BUILDING = Apartment._meta.get_field("building")
_BUILDING_OWNER = Building._meta.get_field("owner")


def load_user_and_tenant(user_id: int, revocation_params: list) -> LoadedUser | None:
    """users.authentication's UserLoader with the resident profile joined in."""
    with connection.cursor() as cursor:
        cursor.execute(_user_and_tenant_sql(), [*revocation_params, user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    using = connection.alias
    user = USER_COLUMNS.build(row, 0, using)
    start = USER_COLUMNS.width + 2  # after the two revocation columns
    tenant = _TENANT.build(row, start, using)
    if tenant is not None:
        start += _TENANT.width
        apartment = _APARTMENT.build(row, start, using)
        start += _APARTMENT.width
        building = _BUILDING.build(row, start, using)
        start += _BUILDING.width
        # What select_related("apartment__building__owner") would have cached.
        _BUILDING_OWNER.set_cached_value(building, _OWNER.build(row, start, using))
        _APARTMENT_BUILDING.set_cached_value(apartment, building)
        _TENANT_APARTMENT.set_cached_value(tenant, apartment)
        _TENANT_USER.set_cached_value(tenant, user)
    _TENANT_USER.remote_field.set_cached_value(user, tenant)
    width = USER_COLUMNS.width
    return user, bool(row[width]), bool(row[width + 1])


# What the portal's views list as their authentication class: TokenAuthentication whose one
# statement also loads the caller's resident profile. Not a subclass, so that the OpenAPI
# document keeps describing one Bearer scheme (drf-spectacular tells schemes by class).
PortalTokenAuthentication = partial(TokenAuthentication, user_loader=load_user_and_tenant)


@cache
def _user_and_tenant_sql() -> str:
    def join(columns: ModelColumns, on: str) -> str:
        return f'LEFT OUTER JOIN "{columns.model._meta.db_table}" {columns.alias} ON {on}'

    return " ".join(
        (
            f"SELECT {USER_COLUMNS.sql}, {revocation_columns_sql('u')}, "
            f"{_TENANT.sql}, {_APARTMENT.sql}, {_BUILDING.sql}, {_OWNER.sql}",
            f'FROM "{User._meta.db_table}" u',
            join(_TENANT, f't."{_TENANT_USER.column}" = u."id"'),
            join(_APARTMENT, f'a."id" = t."{_TENANT_APARTMENT.column}"'),
            join(_BUILDING, f'b."id" = a."{_APARTMENT_BUILDING.column}"'),
            join(_OWNER, f'o."id" = b."{_BUILDING_OWNER.column}"'),
            'WHERE u."id" = %s',
        )
    )
