"""Routes of the conversation (staff API); each also works with/without "/"."""

from conversations import views
from tickethelp.routing import slash_optional as route

urlpatterns = [
    *route("tickets/<int:ticket_id>/messages/", views.TicketMessagesView.as_view(), "ticket-messages"),
    *route(
        "tickets/<int:ticket_id>/message-attachments/<int:attachment_id>/download/",
        views.MessageAttachmentDownloadView.as_view(),
        "ticket-message-attachment-download",
    ),
]
