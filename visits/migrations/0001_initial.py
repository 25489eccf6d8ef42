"""Appointments (technicians' visits) and the monthly roll-up of their ratings."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('tickets', '0010_history_visit_actions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Appointment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200, verbose_name='título')),
                ('description', models.TextField(blank=True, max_length=2000, verbose_name='descripción')),
                ('scheduled_for', models.DateTimeField(verbose_name='programada para')),
                ('duration_minutes', models.PositiveIntegerField(default=60, verbose_name='duración (minutos)')),
                ('ends_at', models.DateTimeField(editable=False, verbose_name='termina')),
                ('status', models.CharField(choices=[('scheduled', 'Programada'), ('in_progress', 'En curso'), ('awaiting_feedback', 'Esperando calificación'), ('completed', 'Completada'), ('cancelled', 'Cancelada'), ('no_show', 'No se atendió')], default='scheduled', max_length=20, verbose_name='estado')),
                ('reschedule_count', models.PositiveIntegerField(default=0, editable=False, verbose_name='reprogramaciones')),
                ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='iniciada')),
                ('completed_at', models.DateTimeField(blank=True, null=True, verbose_name='completada')),
                ('completion_notes', models.TextField(blank=True, max_length=4000, verbose_name='notas de cierre')),
                ('service_rating', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='calificación')),
                ('member_feedback', models.TextField(blank=True, max_length=2000, verbose_name='comentario del residente')),
                ('rated_at', models.DateTimeField(blank=True, null=True, verbose_name='calificada')),
                ('reason', models.TextField(blank=True, max_length=2000, verbose_name='motivo')),
                ('reminder_sent_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='recordatorio enviado')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='creada')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='actualizada')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='appointments_created', to=settings.AUTH_USER_MODEL, verbose_name='agendada por')),
                ('technician', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='appointments', to=settings.AUTH_USER_MODEL, verbose_name='técnico')),
                ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='appointments', to='tickets.ticket', verbose_name='ticket')),
            ],
            options={
                'verbose_name': 'cita',
                'verbose_name_plural': 'citas',
                'ordering': ['scheduled_for', 'id'],
                'indexes': [models.Index(fields=['technician', 'scheduled_for'], name='visits_tech_scheduled_idx'), models.Index(fields=['ticket', 'scheduled_for'], name='visits_ticket_scheduled_idx'), models.Index(fields=['scheduled_for', 'id'], name='visits_scheduled_idx'), models.Index(condition=models.Q(('reminder_sent_at__isnull', True), ('status', 'scheduled')), fields=['scheduled_for'], name='visits_reminder_due_idx'), models.Index(condition=models.Q(('service_rating__isnull', False)), fields=['completed_at'], include=('technician', 'service_rating'), name='visits_rated_completed_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('status__in', ['scheduled', 'in_progress', 'awaiting_feedback', 'completed', 'cancelled', 'no_show'])), name='visits_status_valid'), models.CheckConstraint(condition=models.Q(('service_rating__isnull', True), models.Q(('service_rating__gte', 1), ('service_rating__lte', 5)), _connector='OR'), name='visits_rating_1_to_5'), models.CheckConstraint(condition=models.Q(('duration_minutes__gte', 15), ('duration_minutes__lte', 480)), name='visits_duration_range'), models.CheckConstraint(condition=models.Q(('ends_at__gt', models.F('scheduled_for'))), name='visits_ends_after_start'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'completed'), _negated=True), ('service_rating__isnull', False), _connector='OR'), name='visits_completed_is_rated')],
            },
        ),
        migrations.CreateModel(
            name='RatingMonth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(verbose_name='mes')),
                ('rating', models.PositiveSmallIntegerField(verbose_name='calificación')),
                ('total', models.IntegerField(default=0, verbose_name='visitas')),
                ('technician', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='técnico')),
            ],
            options={
                'verbose_name': 'calificaciones por mes',
                'verbose_name_plural': 'calificaciones por mes',
                'constraints': [models.UniqueConstraint(fields=('month', 'technician', 'rating'), name='visits_ratingmonth_uniq'), models.CheckConstraint(condition=models.Q(('rating__gte', 1), ('rating__lte', 5)), name='visits_ratingmonth_rating_valid')],
            },
        ),
    ]
