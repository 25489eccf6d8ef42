"""Routes of the tenant portal, spelled as documented (no trailing slash); each also
answers with one. Mounted at "api/" by tickethelp.urls."""

from django.urls import re_path

from tenants.portal import appointments, messages, push, views
from tickethelp.routing import slash_optional as route

urlpatterns = [
    *route("tenant/login", views.TenantLoginView.as_view(), "tenant-login"),
    *route("tenant/logout", views.TenantLogoutView.as_view(), "tenant-logout"),
    *route("tenant/me", views.TenantMeView.as_view(), "tenant-me"),
    *route("tenant/devices", views.TenantDevicesView.as_view(), "tenant-devices"),
    *route("tenant/tickets", views.TenantTicketsView.as_view(), "tenant-tickets"),
    *route("tenant/tickets/android", views.TenantAndroidTicketsView.as_view(), "tenant-tickets-android"),
    *route("tenant/tickets/<int:ticket_id>", views.TenantTicketDetailView.as_view(), "tenant-ticket-detail"),
    *route(
        "tenant/tickets/<int:ticket_id>/attachments",
        views.TenantTicketAttachmentsView.as_view(),
        "tenant-ticket-attachments",
    ),
    *route("tenant/tickets/<int:ticket_id>/cancel", views.TenantTicketCancelView.as_view(), "tenant-ticket-cancel"),
    *route("tenant/apartment", views.TenantApartmentView.as_view(), "tenant-apartment"),
    *route("tenant/building", views.TenantBuildingView.as_view(), "tenant-building"),
    *route("tenant/doormen", views.TenantDoormenView.as_view(), "tenant-doormen"),
    *route("tenant/owner", views.TenantOwnerView.as_view(), "tenant-owner"),
    *route("tenant/change-password", views.TenantChangePasswordView.as_view(), "tenant-change-password"),
    *route(
        "tenant/reset-password-request",
        views.TenantResetPasswordRequestView.as_view(),
        "tenant-reset-password-request",
    ),
    *route("tenant/notifications", views.TenantNotificationsView.as_view(), "tenant-notifications"),
    *route(
        "tenant/notifications/mark-all-read",
        views.TenantNotificationsReadAllView.as_view(),
        "tenant-notifications-mark-all-read",
    ),
    *route(
        "tenant/notifications/<int:notification_id>/read",
        views.TenantNotificationReadView.as_view(),
        "tenant-notification-read",
    ),
    # The conversation (tenants/portal/messages.py).
    *route(
        "tenant/tickets/<int:ticket_id>/send-message-to-technical",
        messages.TenantSendMessageView.as_view(),
        "tenant-ticket-send-message",
    ),
    *route(
        "tenant/tickets/<int:ticket_id>/messages",
        messages.TenantTicketMessagesView.as_view(),
        "tenant-ticket-messages",
    ),
    # Technicians' visits (tenants/portal/appointments.py).
    *route(
        "tenant/tickets/<int:ticket_id>/appointments",
        appointments.TenantTicketAppointmentsView.as_view(),
        "tenant-ticket-appointments",
    ),
    *route(
        "tenant/appointments/<int:appointment_id>/member-feedback",
        appointments.TenantAppointmentFeedbackView.as_view(),
        "tenant-appointment-feedback",
    ),
    # Phones and notification settings (tenants/portal/push.py).
    *route("tenant/register-push-token", push.TenantRegisterPushTokenView.as_view(), "tenant-register-push-token"),
    *route("tenant/remove-push-token", push.TenantRemovePushTokenView.as_view(), "tenant-remove-push-token"),
    *route("tenant/push-tokens", push.TenantPushTokensView.as_view(), "tenant-push-tokens"),
    *route(
        "tenant/notification-settings",
        push.TenantNotificationSettingsView.as_view(),
        "tenant-notification-settings",
    ),
    # Anything else under tenant/ is a 404 in the portal's shape.
    re_path(r"^tenant/(?P<rest>.*)$", views.tenant_not_found, name="tenant-not-found"),
]
