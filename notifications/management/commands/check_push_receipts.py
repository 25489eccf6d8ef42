"""Check Expo's receipts of the pushes sent at least --older-than-minutes ago (15 by default).

The worker schedules this itself after every send (PUSH_RECEIPT_DELAY_SECONDS); the command
is for catching up by hand, e.g. after the worker was down."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from notifications.delivery.push import push_check_receipts


class Command(BaseCommand):
    help = "Read Expo's push receipts: ENVIADA -> ENTREGADA, or FALLIDA (dead tokens retired)."

    def add_arguments(self, parser):
        parser.add_argument("--older-than-minutes", type=int, default=15)

    def handle(self, *args, older_than_minutes=15, **options):
        counts = push_check_receipts(older_than=timedelta(minutes=older_than_minutes))
        self.stdout.write(", ".join(f"{name}: {value}" for name, value in counts.items()))
