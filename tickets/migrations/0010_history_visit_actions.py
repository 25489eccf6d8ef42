"""TicketHistory learns the actions of technicians' visits (visits app): the check constraint
lists every action, so it is re-created with the new ones (no data changes)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0009_ticket_counts_resolution"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="tickethistory",
            name="tickets_history_action_valid",
        ),
        migrations.AlterField(
            model_name="tickethistory",
            name="action",
            field=models.CharField(
                choices=[
                    ("created", "Ticket creado"),
                    ("technician_changed", "Técnico cambiado"),
                    ("state_changed", "Estado cambiado"),
                    ("state_change_requested", "Cambio de estado solicitado"),
                    ("state_change_approved", "Cambio de estado aprobado"),
                    ("state_change_rejected", "Cambio de estado rechazado"),
                    ("attachment_added", "Archivo adjuntado"),
                    ("canceled", "Ticket cancelado"),
                    ("appointment_booked", "Visita agendada"),
                    ("appointment_rescheduled", "Visita reprogramada"),
                    ("appointment_started", "Visita iniciada"),
                    ("appointment_completed", "Visita completada"),
                    ("appointment_cancelled", "Visita cancelada"),
                    ("appointment_no_show", "Visita no atendida"),
                    ("appointment_rated", "Visita calificada"),
                ],
                max_length=30,
                verbose_name="acción",
            ),
        ),
        migrations.AddConstraint(
            model_name="tickethistory",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "action__in",
                        [
                            "created",
                            "technician_changed",
                            "state_changed",
                            "state_change_requested",
                            "state_change_approved",
                            "state_change_rejected",
                            "attachment_added",
                            "canceled",
                            "appointment_booked",
                            "appointment_rescheduled",
                            "appointment_started",
                            "appointment_completed",
                            "appointment_cancelled",
                            "appointment_no_show",
                            "appointment_rated",
                        ],
                    )
                ),
                name="tickets_history_action_valid",
            ),
        ),
    ]
