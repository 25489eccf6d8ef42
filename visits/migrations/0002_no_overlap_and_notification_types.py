"""No double booking on PostgreSQL (an exclusion constraint over each technician's active
visits' time ranges, which needs btree_gist for the technician's `=`), and the notification
types of the visits. SQLite migrates too: it skips the PostgreSQL-only SQL, and the
service checks overlaps there."""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

from notifications.seeding import type_seeders
from tickethelp.migration_sql import on_postgresql

NO_OVERLAP = """
ALTER TABLE visits_appointment ADD CONSTRAINT visits_appointment_no_overlap
EXCLUDE USING gist (technician_id WITH =, tstzrange(scheduled_for, ends_at, '[)') WITH &&)
WHERE (status IN ('scheduled', 'in_progress'))
"""
DROP_NO_OVERLAP = "ALTER TABLE visits_appointment DROP CONSTRAINT IF EXISTS visits_appointment_no_overlap"

TYPES = [
    ("visita_agendada", "Visita agendada", "Se agendó la visita de un técnico."),
    ("visita_reprogramada", "Visita reprogramada", "La visita de un técnico cambió de fecha u hora."),
    ("visita_cancelada", "Visita cancelada", "La visita de un técnico fue cancelada."),
    ("visita_recordatorio", "Recordatorio de visita", "La visita de un técnico es mañana."),
    ("visita_calificar", "Califica la visita", "La visita terminó: el residente puede calificarla."),
]


seed, unseed = type_seeders(TYPES)


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0001_initial"),
        ("notifications", "0002_seed_notification_types"),
    ]
    operations = [
        BtreeGistExtension(),
        migrations.RunPython(on_postgresql(NO_OVERLAP), on_postgresql(DROP_NO_OVERLAP)),
        migrations.RunPython(seed, unseed),
    ]
