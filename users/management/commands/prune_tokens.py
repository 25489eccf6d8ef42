"""Delete revoked and blacklisted tokens that have expired anyway (run daily)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from users.models import RevokedAccessToken


class Command(BaseCommand):
    help = "Remove expired access-token revocations and expired outstanding/blacklisted refresh tokens."

    def handle(self, *args, **options):
        deleted, _ = RevokedAccessToken.objects.filter(expires_at__lt=timezone.now()).delete()
        call_command("flushexpiredtokens", verbosity=0)
        self.stdout.write(f"Pruned {deleted} expired access-token revocations and expired refresh tokens.")
