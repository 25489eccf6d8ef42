"""Business minutes a ticket's resolution clock spent paused (sla.clocks adds them on resume)."""

from django.db import migrations, models


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
    ]
