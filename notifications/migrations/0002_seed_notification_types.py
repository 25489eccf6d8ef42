"""Seed the notification types with their stable codes (PRODUCT.md §4)."""

from django.db import migrations

from notifications.seeding import type_seeders

TYPES = [
    ("ticket_creado", "Ticket creado", "Se registró un ticket nuevo."),
    ("ticket_asignado", "Ticket asignado", "Se asignó un ticket a un técnico."),
    ("tecnico_cambiado", "Técnico cambiado", "El ticket cambió de técnico responsable."),
    ("estado_cambiado", "Estado cambiado", "El ticket pasó a otro estado."),
    ("solicitud_cambio_estado", "Solicitud de cambio de estado", "Un técnico pide pasar un ticket a un estado final."),
    ("cambio_estado_aprobado", "Cambio de estado aprobado", "Un administrador aprobó la solicitud."),
    ("cambio_estado_rechazado", "Cambio de estado rechazado", "Un administrador rechazó la solicitud."),
    ("ticket_finalizado", "Ticket finalizado", "El ticket quedó finalizado."),
    ("ticket_cancelado", "Ticket cancelado", "El ticket fue cancelado."),
    ("bienvenida", "Bienvenida", "Cuenta creada, con su contraseña temporal."),
    ("password_reset", "Restablecimiento de contraseña", "Contraseña temporal enviada por correo."),
]


seed, unseed = type_seeders(TYPES)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
