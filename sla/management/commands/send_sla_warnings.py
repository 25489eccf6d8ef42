"""Send the service-level warnings (run it every minute, e.g. cron)."""

from django.core.management.base import BaseCommand

from sla.services import warnings_send


class Command(BaseCommand):
    help = "Avisa de los tickets al 80 % de un objetivo de servicio y de los incumplidos (una vez cada aviso)."

    def handle(self, *args, **options):
        sent = warnings_send()
        self.stdout.write(f"Avisos de nivel de servicio enviados: {sent}")
