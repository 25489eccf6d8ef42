"""Seed the state catalog with the stable ids of PRODUCT.md §3."""

from django.core.management.color import no_style
from django.db import migrations

ESTADOS = [
    # id, codigo, nombre, es_final, portal_status
    (1, "open", "Abierto", False, "open"),
    (2, "diagnosis", "En diagnóstico", False, "in_progress"),
    (3, "in_repair", "En reparación", False, "in_progress"),
    (4, "finalized", "Finalizado", True, "resolved"),
    (5, "canceled", "Cancelado", True, "cancelled"),
]


def seed_estados(apps, schema_editor):
    Estado = apps.get_model("tickets", "Estado")
    for pk, codigo, nombre, es_final, portal_status in ESTADOS:
        Estado.objects.update_or_create(
            pk=pk,
            defaults={
                "codigo": codigo,
                "nombre": nombre,
                "es_activo": True,
                "es_final": es_final,
                "portal_status": portal_status,
            },
        )
    # Explicit ids were inserted: move the id sequence past them (no-op on SQLite).
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Estado]):
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [migrations.RunPython(seed_estados, migrations.RunPython.noop)]
