"""Delete revoked and blacklisted tokens and sessions that have expired anyway, and throttle
counters whose window has ended, and expired idempotency keys (run daily)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from tickethelp.throttle_store import DatabaseCounterStore
from users.models import AuthSession, RevokedAccessToken


class Command(BaseCommand):
    help = (
        "Remove expired access-token revocations, expired sessions (token families), expired "
        "outstanding/blacklisted refresh tokens and expired throttle counters."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        deleted, _ = RevokedAccessToken.objects.filter(expires_at__lt=now).delete()
        # Every token of a session expires by its expires_at: past it the row only takes room.
        sessions, _ = AuthSession.objects.filter(expires_at__lt=now).delete()
        call_command("flushexpiredtokens", verbosity=0)
        counters = DatabaseCounterStore().prune()
        call_command("purge_idempotency_keys", stdout=self.stdout)
        self.stdout.write(
            f"Pruned {deleted} expired access-token revocations, {sessions} expired sessions, "
            f"expired refresh tokens and {counters} expired throttle counters."
        )
