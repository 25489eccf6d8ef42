"""Routes of the "Notificaciones" section; each also works with/without the final "/"."""

from notifications import views
from tickethelp.routing import slash_optional as route

urlpatterns = [
    *route("notifications/", views.NotificationListView.as_view(), "notification-list"),
    *route("notifications/stats/", views.NotificationStatsView.as_view(), "notification-stats"),
    *route("notifications/types/", views.NotificationTypesView.as_view(), "notification-types"),
    *route("notifications/user-notifications/", views.UserNotificationsView.as_view(), "notification-history"),
    *route("notifications/mark-all-read/", views.MarkAllReadView.as_view(), "notification-mark-all-read"),
    *route("notifications/<int:notification_id>/", views.NotificationDetailView.as_view(), "notification-detail"),
    *route("notifications/<int:notification_id>/mark-read/", views.MarkReadView.as_view(), "notification-mark-read"),
]
