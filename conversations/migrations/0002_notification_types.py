"""Notification types of the conversation. In-app only: message notifications send no
e-mail by default (`envia_email=False`); an admin may switch it on per type."""

from django.db import migrations

TYPES = [
    ("mensaje_nuevo", "Mensaje nuevo", "Un participante escribió en el ticket."),
    ("nota_interna", "Nota interna", "Nota interna del personal en el ticket (solo administradores y técnico)."),
]


def seed(apps, schema_editor):
    NotificationType = apps.get_model("notifications", "NotificationType")
    for codigo, nombre, descripcion in TYPES:
        NotificationType.objects.update_or_create(
            codigo=codigo,
            defaults={"nombre": nombre, "descripcion": descripcion, "es_activo": True, "envia_email": False},
        )


def unseed(apps, schema_editor):
    apps.get_model("notifications", "NotificationType").objects.filter(codigo__in=[t[0] for t in TYPES]).delete()


class Migration(migrations.Migration):
    dependencies = [("conversations", "0001_initial"), ("notifications", "0003_stats_covering_index")]
    operations = [migrations.RunPython(seed, unseed)]
