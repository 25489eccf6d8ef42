"""Remind client and technician of tomorrow's visits (run it every few minutes, e.g. cron)."""

from django.core.management.base import BaseCommand

from visits.services import appointment_reminders_send


class Command(BaseCommand):
    help = "Envía el recordatorio de las visitas de las próximas 24 horas (una vez por visita)."

    def handle(self, *args, **options):
        sent = appointment_reminders_send()
        self.stdout.write(f"Recordatorios enviados: {sent}")
