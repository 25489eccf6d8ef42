"""Routes of the "Reportes" section (documented ones first, then the analytics)."""

from reports import views
from tickethelp.routing import slash_optional as route

PREFIX = "reports/stats/"

urlpatterns = [
    *route(f"{PREFIX}general-stats/", views.GeneralStatsView.as_view(), "report-general-stats"),
    *route(f"{PREFIX}performance-ranking/", views.PerformanceRankingView.as_view(), "report-performance-ranking"),
    *route(f"{PREFIX}clients-evolution/", views.ClientsEvolutionView.as_view(), "report-clients-evolution"),
    *route(f"{PREFIX}distribucion-estados/", views.StatusDistributionView.as_view(), "report-status-distribution"),
    *route(f"{PREFIX}tiempo-resolucion/", views.ResolutionTimeView.as_view(), "report-resolution-time"),
    *route(f"{PREFIX}antiguedad-tickets/", views.TicketAgingView.as_view(), "report-ticket-aging"),
    *route(f"{PREFIX}flujo-tickets/", views.ThroughputView.as_view(), "report-throughput"),
    *route(f"{PREFIX}aprobaciones-pendientes/", views.PendingApprovalsAgeView.as_view(), "report-pending-approvals"),
    *route(f"{PREFIX}tickets-portal/", views.PortalTicketsView.as_view(), "report-portal-tickets"),
    *route(f"{PREFIX}satisfaction/", views.SatisfactionView.as_view(), "report-satisfaction"),
    *route(f"{PREFIX}sla-compliance/", views.SLAComplianceView.as_view(), "report-sla-compliance"),
]
