"""Delete the answers kept for idempotent retries once they are older than 24 hours
(tickethelp.idempotency); `prune_tokens` runs it daily."""

from django.core.management.base import BaseCommand

from tickethelp.idempotency import purge_expired


class Command(BaseCommand):
    help = "Remove Idempotency-Key rows older than 24 hours (they no longer replay anything)."

    def handle(self, *args, **options):
        deleted = purge_expired()
        self.stdout.write(f"Purged {deleted} expired idempotency keys.")
