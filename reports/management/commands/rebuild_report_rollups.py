"""Rebuild the report roll-ups (reports.models) from the tickets, in the TIME_ZONE setting.

Needed after changing TIME_ZONE (until then the reports read the tickets directly, which
is correct but slow at millions of tickets) or after loading tickets with triggers off.
"""

from django.core.management.base import BaseCommand, CommandError

from reports.services import rollups_rebuild


class Command(BaseCommand):
    help = "Recount the daily flow and clients-per-month roll-ups (PostgreSQL)."

    def handle(self, *args, **options):
        zone = rollups_rebuild()
        if zone is None:
            raise CommandError("Report roll-ups exist only on PostgreSQL; this database is reported on directly.")
        self.stdout.write(f"Report roll-ups rebuilt in {zone}.")
