"""Writes of the reports app: only the roll-ups' rebuild (the triggers keep them otherwise)."""

from django.conf import settings
from django.db import connection, transaction


def rollups_rebuild() -> str | None:
    """Recount the roll-ups in settings.TIME_ZONE (under a share lock on the tickets);
    returns the zone, or None where the database keeps no roll-ups."""
    if connection.vendor != "postgresql":
        return None
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT reports_rollups_rebuild(%s)", [settings.TIME_ZONE])
        cursor.execute("SELECT reports_portal_rebuild()")
        cursor.execute("SELECT reports_sla_rebuild(%s)", [settings.TIME_ZONE])
    return settings.TIME_ZONE
