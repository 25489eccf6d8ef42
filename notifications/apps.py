from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = "Notificaciones"

    def ready(self) -> None:
        # users (at the bottom of the imports) asks for account e-mails through this hook.
        from notifications.services import notify_account
        from users.services import register_account_notifier

        register_account_notifier(notify_account)
