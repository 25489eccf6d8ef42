from django.apps import AppConfig


class TicketsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tickets"
    verbose_name = "Tickets"

    def ready(self):
        from tickets.services import user_deletion_guard
        from users.services import register_deletion_guard

        register_deletion_guard(user_deletion_guard)
