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
    # The caller's phones and channel settings. Included before users.urls (tickethelp/urls.py):
    # its "me/<str:document>/" would otherwise take "me/push-tokens/".
    *route("me/push-tokens/", views.PushTokensView.as_view(), "me-push-tokens"),
    *route("me/push-tokens/<int:token_id>/", views.PushTokenDetailView.as_view(), "me-push-token-detail"),
    *route("me/notification-settings/", views.NotificationSettingsView.as_view(), "me-notification-settings"),
]
