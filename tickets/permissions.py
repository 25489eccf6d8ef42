"""Role permissions of the tickets API (object rules live in selectors/services)."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from tickethelp.permissions import IsAdmin, has_role
from users.models import Role


class IsAdminOrClient(BasePermission):
    message = "Solo el cliente del ticket o un administrador pueden realizar esta acción."

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, Role.ADMIN, Role.CLIENT)


class IsActiveUser(BasePermission):
    """Any authenticated, active user; which tickets they reach is decided per object."""

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, Role.ADMIN, Role.TECH, Role.CLIENT)


TICKETS_ELSEWHERE = "Solo los administradores ven todos los tickets; tus tickets están en /api/tickets/consulta/."


class IsAdminListingTickets(IsAdmin):
    """ADMIN only; anyone else reading the whole list is told where their own tickets are."""

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            self.message = TICKETS_ELSEWHERE  # one instance per request: no shared state
        return super().has_permission(request, view)
