"""Routes of the ADMIN management API; each answers with and without its trailing slash."""

from tenants import views
from tickethelp.routing import slash_optional as route

LIST_ACTIONS = {"get": "list", "post": "create"}
DETAIL_ACTIONS = {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}


def resource(prefix: str, viewset, name: str) -> list:
    """`prefix/` (list, create) and `prefix/<pk>/` (retrieve, update, destroy)."""
    return [
        *route(f"{prefix}/", viewset.as_view(LIST_ACTIONS), f"mgmt-{name}-list"),
        *route(f"{prefix}/<int:pk>/", viewset.as_view(DETAIL_ACTIONS), f"mgmt-{name}-detail"),
    ]


urlpatterns = [
    *resource("owners", views.OwnerViewSet, "owner"),
    *resource("buildings", views.BuildingViewSet, "building"),
    *resource("doormen", views.DoormanViewSet, "doorman"),
    *resource("apartments", views.ApartmentViewSet, "apartment"),
    *resource("tenants", views.TenantViewSet, "tenant-profile"),
    *resource("device-types", views.NameDeviceViewSet, "device-type"),
    *resource("devices", views.DeviceViewSet, "device"),
]
