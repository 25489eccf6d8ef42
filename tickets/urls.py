"""Routes of the "Tickets" section, spelled as documented; each also works with/without "/"."""

from tickethelp.routing import slash_optional as route
from tickets import views
from tickets.attachment_urls import SignedAttachmentDownloadView

urlpatterns = [
    *route("estados/", views.EstadoListCreateView.as_view(), "estado-list"),
    *route("tickets/", views.TicketListCreateView.as_view(), "ticket-list"),
    *route("tickets/consulta/", views.ConsultaView.as_view(), "ticket-consulta"),
    *route("tickets/least-busy-technician/", views.LeastBusyTechnicianView.as_view(), "ticket-least-busy-technician"),
    *route("tickets/active-technicians/", views.ActiveTechniciansView.as_view(), "ticket-active-technicians"),
    *route(
        "tickets/change-technician/<int:ticket_id>/",
        views.ChangeTechnicianView.as_view(),
        "ticket-change-technician",
    ),
    *route("tickets/change-state/<int:ticket_id>/", views.ChangeStateView.as_view(), "ticket-change-state"),
    *route("tickets/approve-state/<int:request_id>/", views.ApproveStateView.as_view(), "ticket-approve-state"),
    *route("tickets/pending-approvals/", views.PendingApprovalsView.as_view(), "ticket-pending-approvals"),
    *route("tickets/cancel/<int:ticket_id>/", views.CancelView.as_view(), "ticket-cancel"),
    *route("tickets/<int:ticket_id>/history/", views.HistoryView.as_view(), "ticket-history"),
    *route("tickets/<int:ticket_id>/attachments/", views.AttachmentsView.as_view(), "ticket-attachments"),
    *route(
        "tickets/<int:ticket_id>/attachments/<int:attachment_id>/download/",
        views.AttachmentDownloadView.as_view(),
        "ticket-attachment-download",
    ),
    # Expiring signed links (tenant portal); the signature is the only credential.
    *route(
        "files/attachments/<int:attachment_id>",
        SignedAttachmentDownloadView.as_view(),
        "attachment-signed-download",
    ),
]
