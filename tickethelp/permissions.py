"""Role-based permissions shared by every app. Roles come from the user row, never a claim."""

from rest_framework.permissions import BasePermission

from users.models import Role


def has_role(user, *roles: str) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in roles)


class IsAdmin(BasePermission):
    message = "Solo un administrador puede realizar esta acción."

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, Role.ADMIN)


class IsTechnician(BasePermission):
    message = "Solo un técnico puede realizar esta acción."

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, Role.TECH)


class IsAdminOrTechnician(BasePermission):
    message = "Solo administradores o técnicos pueden realizar esta acción."

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, Role.ADMIN, Role.TECH)
