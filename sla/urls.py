"""Routes of the service-level policies; each answers with and without its trailing slash."""

from sla import views
from tickethelp.routing import slash_optional as route

urlpatterns = [
    *route("sla-policies/", views.SLAPolicyListCreateView.as_view(), "sla-policy-list"),
    *route("sla-policies/<int:policy_id>/", views.SLAPolicyDetailView.as_view(), "sla-policy-detail"),
]
