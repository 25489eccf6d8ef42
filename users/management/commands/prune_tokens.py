"""Delete revoked and blacklisted tokens that have expired anyway, and throttle counters
whose window has ended (run daily)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from tickethelp.throttle_store import DatabaseCounterStore
from users.models import RevokedAccessToken


class Command(BaseCommand):
    help = (
        "Remove expired access-token revocations, expired outstanding/blacklisted refresh tokens "
        "and expired throttle counters."
    )

    def handle(self, *args, **options):
        deleted, _ = RevokedAccessToken.objects.filter(expires_at__lt=timezone.now()).delete()
        call_command("flushexpiredtokens", verbosity=0)
        counters = DatabaseCounterStore().prune()
        self.stdout.write(
            f"Pruned {deleted} expired access-token revocations, expired refresh tokens "
            f"and {counters} expired throttle counters."
        )
