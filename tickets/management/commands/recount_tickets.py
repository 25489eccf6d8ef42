"""Rebuild the ticket counters (TicketCount) from the tickets.

The counters are kept by database triggers, so this is only needed after rows were
changed with those triggers disabled (bulk loads, restores with triggers off); it is safe
at any time: ticket writes wait for the few hundred milliseconds it takes.
"""

from django.core.management.base import BaseCommand, CommandError

from tickets.services import ticket_counts_rebuild


class Command(BaseCommand):
    help = "Recount TicketCount from the tickets (PostgreSQL)."

    def handle(self, *args, **options):
        rows = ticket_counts_rebuild()
        if rows is None:
            raise CommandError("Ticket counters exist only on PostgreSQL; this database counts tickets directly.")
        self.stdout.write(f"Ticket counters rebuilt: {rows} (technician, state) rows.")
