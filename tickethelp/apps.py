"""The Django admin app, pointed at TicketHelp's admin site (its login is throttled)."""

from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class TicketHelpAdminConfig(AdminConfig):
    # A dotted path, imported once the app registry is ready (the site imports models).
    default_site = "tickethelp.admin_site.TicketHelpAdminSite"


class TicketHelpConfig(AppConfig):
    """The project package as an app: commands that compose every app (seed_demo) and the
    project-wide migrations (the database cache table)."""

    name = "tickethelp"
    verbose_name = "TicketHelp"
