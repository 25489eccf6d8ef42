"""Role permissions of the tickets API (object rules live in selectors/services)."""

from rest_framework.permissions import BasePermission

from tickethelp.permissions import has_role
from users.models import Role


class IsAdminOrClient(BasePermission):
    message = "Solo el cliente del ticket o un administrador pueden realizar esta acción."

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, Role.ADMIN, Role.CLIENT)


class IsActiveUser(BasePermission):
    """Any authenticated, active user; which tickets they reach is decided per object."""

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, Role.ADMIN, Role.TECH, Role.CLIENT)
