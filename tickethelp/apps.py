"""The Django admin app, pointed at TicketHelp's admin site (its login is throttled), and the
project package as an app."""

from django.apps import AppConfig, apps
from django.contrib.admin.apps import AdminConfig


class TicketHelpAdminConfig(AdminConfig):
    # A dotted path, imported once the app registry is ready (the site imports models).
    default_site = "tickethelp.admin_site.TicketHelpAdminSite"


class TicketHelpConfig(AppConfig):
    """The project package as an app: commands that compose every app (seed_demo) and the
    project-wide migrations (the database cache table)."""

    name = "tickethelp"
    verbose_name = "TicketHelp"

    def ready(self):
        name_third_party_apps_in_spanish()


# Third-party apps shown in the admin: app label -> (app name, {model: (singular, plural)}).
# Their own names are English ("Token Blacklist", "Outstanding Tokens", "Task Results").
THIRD_PARTY_NAMES: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {
    "token_blacklist": (
        "Sesiones (tokens de refresco)",
        {
            "outstandingtoken": ("token de refresco emitido", "tokens de refresco emitidos"),
            "blacklistedtoken": ("token de refresco revocado", "tokens de refresco revocados"),
        },
    ),
    "django_tasks_database": (
        "Tareas en segundo plano",
        {"dbtaskresult": ("resultado de tarea", "resultados de tareas")},
    ),
}


def name_third_party_apps_in_spanish() -> None:
    """Give the admin Spanish names for the third-party apps and models it lists.

    Only the names the admin reads at run time change (the app's `verbose_name`, the model's
    `_meta.verbose_name[_plural]`): migrations are built from the options a model declared
    (`_meta.original_attrs`), which stay as they are, so no migration of a third-party app
    follows from this."""
    for label, (app_name, models) in THIRD_PARTY_NAMES.items():
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        config.verbose_name = app_name
        for model_name, (singular, plural) in models.items():
            opts = config.get_model(model_name)._meta
            opts.verbose_name, opts.verbose_name_plural = singular, plural
