"""Recount the monthly ratings roll-up (visits.RatingMonth) from the rated visits."""

from django.core.management.base import BaseCommand

from visits.services import rating_rollup_rebuild


class Command(BaseCommand):
    help = "Recalcula las calificaciones por mes a partir de las visitas calificadas."

    def handle(self, *args, **options):
        rows = rating_rollup_rebuild()
        self.stdout.write(f"Filas de calificaciones por mes: {rows}")
