"""Notification types of the conversation. In-app only: message notifications send no
e-mail by default (`envia_email=False`); an admin may switch it on per type."""

from django.db import migrations

from notifications.seeding import type_seeders

TYPES = [
    ("mensaje_nuevo", "Mensaje nuevo", "Un participante escribió en el ticket."),
    ("nota_interna", "Nota interna", "Nota interna del personal en el ticket (solo administradores y técnico)."),
]


seed, unseed = type_seeders(TYPES, envia_email=False)


class Migration(migrations.Migration):
    dependencies = [("conversations", "0001_initial"), ("notifications", "0003_stats_covering_index")]
    operations = [migrations.RunPython(seed, unseed)]
