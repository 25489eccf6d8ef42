"""Queue again the e-mails of notifications that were never delivered.

Run it after a mail outage (failed ones) or on a schedule with --stale-minutes to recover
pending ones whose task was lost (e.g. a worker killed mid-task).
"""

from datetime import timedelta

from django.core.management.base import BaseCommand

from notifications.services import notifications_requeue


class Command(BaseCommand):
    help = "Re-queue FALLIDA notifications (and PENDIENTE ones older than --stale-minutes)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale-minutes",
            type=int,
            default=None,
            help="Also re-queue undelivered PENDIENTE notifications older than this many minutes.",
        )
        parser.add_argument("--no-failed", action="store_true", help="Leave FALLIDA notifications alone.")

    def handle(self, *args, stale_minutes=None, no_failed=False, **options):
        older_than = timedelta(minutes=stale_minutes) if stale_minutes is not None else None
        count = notifications_requeue(failed=not no_failed, pending_older_than=older_than)
        self.stdout.write(f"Re-queued {count} notifications.")
