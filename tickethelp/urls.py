"""Root URLconf: staff API under /api/, admin, health check and API docs; unknown /api/ paths
answer JSON 404s."""

from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from conversations import urls as conversations_urls
from notifications import urls as notifications_urls
from reports import urls as reports_urls
from sla import urls as sla_urls
from tenants import urls as tenants_urls
from tenants.portal import urls as portal_urls
from tickethelp.exceptions import json_not_found
from tickethelp.health import healthz
from tickethelp.routing import grouped_by_first_segment, slash_optional
from tickets import urls as tickets_urls
from users import urls as users_urls
from visits import urls as visits_urls


# CSRF-exempt like the API views it stands in for: a POST/PUT/DELETE to an unknown path is a
# 404 too, not Django's HTML "CSRF verification failed" page.
@csrf_exempt
def api_not_found(request, rest: str = ""):
    """Unknown /api/... paths, whatever the method and DEBUG: the staff API's 404 body."""
    return json_not_found(request)


# The apps' API routes in the order Django tries them. notifications before users: users'
# "me/<str:document>/" would take "me/push-tokens/" and "me/notification-settings/".
API_ROUTES = [
    *notifications_urls.urlpatterns,
    *users_urls.urlpatterns,
    *tickets_urls.urlpatterns,
    *conversations_urls.urlpatterns,
    *reports_urls.urlpatterns,
    *visits_urls.urlpatterns,
    *sla_urls.urlpatterns,
    *portal_urls.urlpatterns,
    *tenants_urls.urlpatterns,
]

urlpatterns = [
    path("admin/", admin.site.urls),
    *slash_optional("healthz", healthz, "healthz", prefix=""),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    # Every app's routes under "api/", grouped by their first segment (see
    # grouped_by_first_segment: the order in which two routes could match is kept).
    path("api/", include(grouped_by_first_segment(API_ROUTES))),
    # Last: any other /api/... path is the staff API's JSON 404, with every method and also
    # with DEBUG on (where Django would answer its HTML "Page not found" instead of handler404).
    # /api/tenant/... has its own catch-all in the portal's shape (tenants.portal.urls).
    re_path(r"^api/(?P<rest>.*)$", api_not_found, name="api-not-found"),
]

handler400 = "tickethelp.exceptions.json_bad_request"
handler403 = "tickethelp.exceptions.json_permission_denied"
handler404 = "tickethelp.exceptions.json_not_found"
handler500 = "tickethelp.exceptions.json_server_error"
