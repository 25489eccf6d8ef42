from django.apps import AppConfig


class SlaConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sla"
    verbose_name = "Niveles de servicio"

    def ready(self):
        from sla import signals  # noqa: F401  (closure-day cache invalidation)
