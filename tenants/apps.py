from django.apps import AppConfig


class TenantsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tenants"
    verbose_name = "Edificios y residentes"

    def ready(self):
        from tenants.portal import schema  # noqa: F401  (registers the portal's OpenAPI auth extension)
