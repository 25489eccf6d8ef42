"""Queue again the e-mails and pushes of notifications that were never delivered.

Run it after a mail outage (failed e-mails) or on a schedule / at the worker's start with
--stale-minutes to recover what a lost task left behind (e.g. a worker killed mid-task):
pending e-mails, and pushes whose delivery rows were never written or whose send is due
again (back-off passed, or the claim of a killed worker expired). Pushes that FAILED are
final (a dead token, a rejected message, or every retry spent) and are not re-queued.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand

from notifications.services import notifications_requeue, pushes_requeue


class Command(BaseCommand):
    help = "Re-queue FALLIDA notifications (and PENDIENTE e-mails and pushes older than --stale-minutes)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale-minutes",
            type=int,
            default=None,
            help="Also re-queue undelivered PENDIENTE e-mails and pushes older than this many minutes.",
        )
        parser.add_argument("--no-failed", action="store_true", help="Leave FALLIDA notifications alone.")

    def handle(self, *args, stale_minutes=None, no_failed=False, **options):
        older_than = timedelta(minutes=stale_minutes) if stale_minutes is not None else None
        count = notifications_requeue(failed=not no_failed, pending_older_than=older_than)
        self.stdout.write(f"Re-queued {count} notifications.")
        if older_than is not None:
            pushes = pushes_requeue(older_than=older_than)
            self.stdout.write(f"Re-queued the pushes of {pushes} notifications.")
