"""Who may use the tenant portal: an authenticated, active CLIENT with a resident profile."""

from rest_framework.permissions import BasePermission

from tenants.portal import selectors as portal_selectors


class IsTenant(BasePermission):
    """Leaves the caller's tenant profile in `request.tenant` for the view to use: the one the
    portal's authentication loaded with the user (tenants/portal/authentication.py), else
    read once."""

    message = "This action is only available to tenants."

    def has_permission(self, request, view) -> bool:
        tenant = portal_selectors.tenant_for_user(user=request.user)
        request.tenant = tenant
        return tenant is not None
