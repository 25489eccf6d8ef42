"""Root URLconf: staff API under /api/, admin, health check and API docs."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from tickethelp.health import healthz
from tickethelp.routing import slash_optional

urlpatterns = [
    path("admin/", admin.site.urls),
    *slash_optional("healthz", healthz, "healthz", prefix=""),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("api/", include("users.urls")),
    path("api/", include("tickets.urls")),
    path("api/", include("conversations.urls")),
    path("api/", include("notifications.urls")),
    path("api/", include("reports.urls")),
    path("api/", include("tenants.portal.urls")),
    path("api/", include("tenants.urls")),
]

handler400 = "tickethelp.exceptions.json_bad_request"
handler403 = "tickethelp.exceptions.json_permission_denied"
handler404 = "tickethelp.exceptions.json_not_found"
handler500 = "tickethelp.exceptions.json_server_error"
