from django.apps import AppConfig


class UsersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "users"
    verbose_name = "Usuarios"

    def ready(self) -> None:
        from users import schema  # noqa: F401  (registers the OpenAPI auth extension)
