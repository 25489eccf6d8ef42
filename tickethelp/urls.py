"""Root URLconf: staff API under /api/, admin, health check and API docs; unknown /api/ paths
answer JSON 404s."""

from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from tickethelp.exceptions import json_not_found
from tickethelp.health import healthz
from tickethelp.routing import slash_optional


# CSRF-exempt like the API views it stands in for: a POST/PUT/DELETE to an unknown path is a
# 404 too, not Django's HTML "CSRF verification failed" page.
@csrf_exempt
def api_not_found(request, rest: str = ""):
    """Unknown /api/... paths, whatever the method and DEBUG: the staff API's 404 body."""
    return json_not_found(request)


urlpatterns = [
    path("admin/", admin.site.urls),
    *slash_optional("healthz", healthz, "healthz", prefix=""),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    # Before users.urls: its "me/<str:document>/" would take "me/push-tokens/" and
    # "me/notification-settings/" (notifications.urls).
    path("api/", include("notifications.urls")),
    path("api/", include("users.urls")),
    path("api/", include("tickets.urls")),
    path("api/", include("conversations.urls")),
    path("api/", include("reports.urls")),
    path("api/", include("visits.urls")),
    path("api/", include("sla.urls")),
    path("api/", include("tenants.portal.urls")),
    path("api/", include("tenants.urls")),
    # Last: any other /api/... path is the staff API's JSON 404, with every method and also
    # with DEBUG on (where Django would answer its HTML "Page not found" instead of handler404).
    # /api/tenant/... has its own catch-all in the portal's shape (tenants.portal.urls).
    re_path(r"^api/(?P<rest>.*)$", api_not_found, name="api-not-found"),
]

handler400 = "tickethelp.exceptions.json_bad_request"
handler403 = "tickethelp.exceptions.json_permission_denied"
handler404 = "tickethelp.exceptions.json_not_found"
handler500 = "tickethelp.exceptions.json_server_error"
