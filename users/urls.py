"""Routes of the "Usuarios" section, spelled as documented; each also works with/without "/"."""

from tickethelp.routing import slash_optional as route
from users import views
from users.models import Role

urlpatterns = [
    *route("users/auth/login/", views.LoginView.as_view(), "auth-login"),
    *route("users/auth/refresh/", views.RefreshView.as_view(), "auth-refresh"),
    *route("users/auth/logout/", views.LogoutView.as_view(), "auth-logout"),
    *route("users/auth/change-password/", views.AuthChangePasswordView.as_view(), "auth-change-password"),
    *route("users/auth/validate-token/", views.ValidateTokenView.as_view(), "auth-validate-token"),
    *route("users/auth/user-data/", views.UserDataView.as_view(), "auth-user-data"),
    *route("users/", views.UserListView.as_view(), "user-list"),
    *route("users/create/", views.UserCreateView.as_view(), "user-create"),
    *route("users/delete/<str:document>", views.UserDeleteView.as_view(), "user-delete"),
    *route("users/deactivate/<str:document>", views.UserSetActiveView.as_view(active=False), "user-deactivate"),
    *route("users/activate/<str:document>/", views.UserSetActiveView.as_view(active=True), "user-activate"),
    *route("users/update-profile-picture/<str:document>/", views.ProfilePictureView.as_view(), "user-picture"),
    *route("users/update-user/<str:document>/", views.UserUpdateView.as_view(), "user-update"),
    *route("users/<str:document>/", views.UserDetailView.as_view(), "user-detail"),
    *route("admins/", views.UserListView.as_view(role=Role.ADMIN), "admin-list"),
    *route("admins/<str:document>/", views.UserDetailView.as_view(role=Role.ADMIN), "admin-detail"),
    *route("technicians/", views.UserListView.as_view(role=Role.TECH), "technician-list"),
    *route("technicians/<str:document>/", views.UserDetailView.as_view(role=Role.TECH), "technician-detail"),
    *route("clients/", views.UserListView.as_view(role=Role.CLIENT), "client-list"),
    *route("clients/<str:document>/", views.ClientLookupView.as_view(), "client-lookup"),
    *route("me/", views.MeView.as_view(), "me"),
    *route("me/change-password/", views.MeChangePasswordView.as_view(), "me-change-password"),
    *route("me/change-password/<str:document>/", views.AdminChangePasswordView.as_view(), "me-admin-change-password"),
    *route("me/<str:document>/", views.MeDetailView.as_view(), "me-detail"),
]
