"""Business minutes a ticket's resolution clock spent paused (sla.clocks adds them on resume).

Then ANALYZE (PostgreSQL): until the new clock columns have statistics, the planner guesses
that many rows match `?sla=breached` and pages the list by walking the whole (fecha) index
instead of reading the (empty) partial indexes of the running clocks. A sample of the
table: about a second at a million tickets."""

from django.db import migrations, models

from tickethelp.migration_sql import on_postgresql


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0011_sla_clocks'),
    ]

    operations = [
        migrations.AddField(
            model_name='ticket',
            name='resolution_paused_minutes',
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name='minutos hábiles en pausa'),
        ),
        migrations.RunPython(on_postgresql("ANALYZE tickets_ticket"), migrations.RunPython.noop),
    ]
