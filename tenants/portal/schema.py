"""OpenAPI description of the portal's bearer authentication (drf-spectacular extension).

The portal authenticates with the same JWT access tokens as the staff API; its class only
loads the resident's profile in the same statement. drf-spectacular names one component
per authentication class, so the portal's scheme has a name of its own."""

from users.schema import TokenAuthenticationScheme


class PortalTokenAuthenticationScheme(TokenAuthenticationScheme):
    target_class = "tenants.portal.authentication.PortalTokenAuthentication"
    name = "tenantJwtAuth"
