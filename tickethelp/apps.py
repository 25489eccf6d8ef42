"""The Django admin app, pointed at TicketHelp's admin site (its login is throttled)."""

from django.contrib.admin.apps import AdminConfig


class TicketHelpAdminConfig(AdminConfig):
    # A dotted path, imported once the app registry is ready (the site imports models).
    default_site = "tickethelp.admin_site.TicketHelpAdminSite"
