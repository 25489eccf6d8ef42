"""Django admin for users: search, filters, activate/deactivate, password reset by e-mail.

Creating and editing go through the same services as the API, so the admin obeys the
same rules (random password by welcome e-mail, tokens revoked on deactivation).
"""

from django import forms
from django.contrib import admin, messages
from django.db import models

from users import services
from users.models import RevokedAccessToken, Role, User

# The people fields of a ticket: their autocompletes offer only active users of that role.
AUTOCOMPLETE_ROLES = {
    ("tickets", "ticket", "administrador"): Role.ADMIN,
    ("tickets", "ticket", "tecnico"): Role.TECH,
    ("tickets", "ticket", "cliente"): Role.CLIENT,
}


class UserCreationForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("document", "email", "first_name", "last_name", "number", "role")


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    # A picture link typed without a scheme is a web link.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = (
        "document",
        "email",
        "first_name",
        "last_name",
        "role",
        "is_active",
        "must_change_password",
        "date_joined",
    )
    list_filter = ("role", "is_active", "must_change_password")
    search_fields = ("document", "email", "first_name", "last_name", "number")
    ordering = ("last_name", "first_name")
    date_hierarchy = "date_joined"
    readonly_fields = ("date_joined", "last_login", "is_active", "must_change_password")
    fields = (
        "document",
        "email",
        "first_name",
        "last_name",
        "number",
        "role",
        "profile_picture",
        "is_active",
        "must_change_password",
        "date_joined",
        "last_login",
    )
    actions = ("activate_users", "deactivate_users", "send_password_reset")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = UserCreationForm
            kwargs["fields"] = UserCreationForm.Meta.fields
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": UserCreationForm.Meta.fields})]
        return super().get_fieldsets(request, obj)

    def save_model(self, request, obj, form, change):
        data = {field: form.cleaned_data[field] for field in form.changed_data}
        if change:
            services.user_update(user=obj, data=data, allowed_fields=services.ADMIN_EDITABLE_FIELDS)
        else:
            created = services.user_create(**{f: form.cleaned_data[f] for f in UserCreationForm.Meta.fields})
            obj.pk = created.pk

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        asking = (request.GET.get("app_label"), request.GET.get("model_name"), request.GET.get("field_name"))
        role = AUTOCOMPLETE_ROLES.get(asking)
        if role is not None:
            queryset = queryset.filter(role=role, is_active=True)
        return queryset, may_have_duplicates

    def delete_model(self, request, obj):
        services.user_delete(actor=request.user, user=obj)

    @admin.action(description="Activar usuarios seleccionados")
    def activate_users(self, request, queryset):
        for user in queryset:
            services.user_set_active(actor=request.user, user=user, active=True)
        self.message_user(request, "Usuarios activados.", messages.SUCCESS)

    @admin.action(description="Desactivar usuarios seleccionados")
    def deactivate_users(self, request, queryset):
        for user in queryset.exclude(pk=request.user.pk):
            services.user_set_active(actor=request.user, user=user, active=False)
        self.message_user(request, "Usuarios desactivados.", messages.SUCCESS)

    @admin.action(description="Enviar contraseña temporal por correo")
    def send_password_reset(self, request, queryset):
        for user in queryset.filter(is_active=True):
            services.user_request_password_reset(user=user)
        self.message_user(request, "Se enviarán contraseñas temporales por correo.", messages.SUCCESS)


@admin.register(RevokedAccessToken)
class RevokedAccessTokenAdmin(admin.ModelAdmin):
    list_display = ("jti", "usuario", "revocado", "expira")
    search_fields = ("jti", "user__email", "user__document")
    fields = readonly_fields = ("jti", "usuario", "revocado", "expira")
    list_select_related = ("user",)

    def has_add_permission(self, request):
        return False

    @admin.display(description="usuario", ordering="user")
    def usuario(self, obj):
        return obj.user

    @admin.display(description="revocado", ordering="revoked_at")
    def revocado(self, obj):
        return obj.revoked_at

    @admin.display(description="expira", ordering="expires_at")
    def expira(self, obj):
        return obj.expires_at
