"""Shapes of the reports' JSON bodies, for the OpenAPI document only: the selectors build
the bodies as plain dicts straight from SQL, these serializers never run on a request."""

from rest_framework import serializers


class GeneralStatsSerializer(serializers.Serializer):
    tickets_abiertos = serializers.IntegerField(help_text="Tickets en un estado no final.")
    tickets_finalizados = serializers.IntegerField()
    tickets_cancelados = serializers.IntegerField()
    total_tickets = serializers.IntegerField()


class PerformanceRowSerializer(serializers.Serializer):
    document = serializers.CharField()
    nombre_completo = serializers.CharField()
    tickets_asignados = serializers.IntegerField()
    tickets_resueltos = serializers.IntegerField()
    porcentaje_exito = serializers.FloatField(help_text="Porcentaje de finalizados sobre asignados, con dos decimales.")
    calificacion_promedio = serializers.FloatField(
        allow_null=True,
        help_text="Calificación media (1-5) de sus visitas, según los residentes; null sin calificaciones.",
    )
    calificaciones = serializers.IntegerField(help_text="Visitas calificadas.")


class ClientsEvolutionSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    total_clientes = serializers.IntegerField(help_text="Clientes distintos en el año (no la suma de los meses).")
    mensual = serializers.DictField(child=serializers.IntegerField(), help_text='Clientes por mes, "01".."12".')


class StatusDistributionRowSerializer(serializers.Serializer):
    estado_id = serializers.IntegerField()
    codigo = serializers.CharField()
    nombre = serializers.CharField()
    es_final = serializers.BooleanField()
    total = serializers.IntegerField()
    porcentaje = serializers.FloatField()


class ResolutionTimeRowSerializer(serializers.Serializer):
    document = serializers.CharField(allow_null=True, help_text="null para tickets finalizados sin técnico.")
    nombre_completo = serializers.CharField()
    tickets_resueltos = serializers.IntegerField()
    promedio_horas = serializers.FloatField()


class ResolutionTimeSerializer(serializers.Serializer):
    tickets_resueltos = serializers.IntegerField()
    promedio_horas = serializers.FloatField(allow_null=True, help_text="null si no hay tickets finalizados.")
    por_tecnico = ResolutionTimeRowSerializer(many=True)


class TicketAgingRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    titulo = serializers.CharField()
    estado = serializers.CharField()
    fecha = serializers.DateTimeField()
    dias_abierto = serializers.IntegerField()
    tecnico = serializers.CharField(allow_null=True)
    tecnico_document = serializers.CharField(allow_null=True)
    cliente = serializers.CharField()
    cliente_document = serializers.CharField()


class ThroughputRowSerializer(serializers.Serializer):
    periodo = serializers.DateField(help_text="Primer día de la semana (lunes) o del mes.")
    abiertos = serializers.IntegerField()
    finalizados = serializers.IntegerField()


class PendingApprovalRowSerializer(serializers.Serializer):
    request_id = serializers.IntegerField()
    ticket_id = serializers.IntegerField()
    ticket_code = serializers.CharField()
    to_state = serializers.CharField()
    tecnico = serializers.CharField()
    creada = serializers.DateTimeField()
    antiguedad_horas = serializers.FloatField()


class PendingApprovalsAgeSerializer(serializers.Serializer):
    total_pendientes = serializers.IntegerField()
    antiguedad_promedio_horas = serializers.FloatField(allow_null=True)
    antiguedad_maxima_horas = serializers.FloatField(allow_null=True)
    solicitudes = PendingApprovalRowSerializer(many=True)


class CategoryCountSerializer(serializers.Serializer):
    categoria = serializers.CharField()
    total = serializers.IntegerField()


class PriorityCountSerializer(serializers.Serializer):
    prioridad = serializers.CharField()
    total = serializers.IntegerField()


class BuildingCountSerializer(serializers.Serializer):
    edificio_id = serializers.IntegerField(allow_null=True)
    edificio = serializers.CharField(allow_null=True)
    total = serializers.IntegerField()


class PortalTicketsSerializer(serializers.Serializer):
    total_tickets = serializers.IntegerField()
    por_categoria = CategoryCountSerializer(many=True)
    por_prioridad = PriorityCountSerializer(many=True)
    por_edificio = BuildingCountSerializer(many=True)


class RatingDistributionSerializer(serializers.Serializer):
    """Visits per rating, keys "1" to "5"."""

    def get_fields(self):
        return {str(rating): serializers.IntegerField() for rating in range(1, 6)}


class RatingSummaryFields(serializers.Serializer):
    calificaciones = serializers.IntegerField()
    promedio = serializers.FloatField(allow_null=True, help_text="Media de 1 a 5 con dos decimales; null sin datos.")
    distribucion = RatingDistributionSerializer()


class TechnicianRatingSerializer(RatingSummaryFields):
    document = serializers.CharField(allow_null=True)
    nombre_completo = serializers.CharField()


class MonthRatingSerializer(RatingSummaryFields):
    mes = serializers.CharField(help_text="AAAA-MM (hora local).")
    por_tecnico = TechnicianRatingSerializer(many=True)


class SatisfactionSerializer(RatingSummaryFields):
    por_mes = MonthRatingSerializer(many=True)
    por_tecnico = TechnicianRatingSerializer(many=True)


class SatisfactionRowSerializer(serializers.Serializer):
    """One CSV row: a technician's ratings in one month."""

    mes = serializers.CharField()
    document = serializers.CharField(allow_null=True)
    nombre_completo = serializers.CharField()
    calificaciones = serializers.IntegerField()
    promedio = serializers.FloatField(allow_null=True)
    calificacion_1 = serializers.IntegerField()
    calificacion_2 = serializers.IntegerField()
    calificacion_3 = serializers.IntegerField()
    calificacion_4 = serializers.IntegerField()
    calificacion_5 = serializers.IntegerField()


# --- sla-compliance/ ---------------------------------------------------------------------------

_MEDIAN_HELP = (
    "Mediana de los minutos hábiles: exacta por debajo de 10; por encima, interpolada dentro de su "
    "tramo (diez tramos por década: 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100...). null sin datos."
)


class SLAClockSerializer(serializers.Serializer):
    cumplidos = serializers.IntegerField(help_text="Relojes detenidos dentro del objetivo.")
    incumplidos = serializers.IntegerField(help_text="Relojes detenidos después de su vencimiento.")
    porcentaje_cumplimiento = serializers.FloatField(allow_null=True, help_text="null sin datos.")
    mediana_minutos = serializers.IntegerField(allow_null=True, help_text=_MEDIAN_HELP)


class SLAClocksFields(serializers.Serializer):
    primera_respuesta = SLAClockSerializer(help_text="Primeras respuestas dadas en el periodo.")
    resolucion = SLAClockSerializer(help_text="Tickets finalizados en el periodo.")


class SLAPriorityRowSerializer(SLAClocksFields):
    prioridad = serializers.CharField()


class SLATechnicianRowSerializer(SLAClocksFields):
    document = serializers.CharField(allow_null=True, help_text="null para tickets sin técnico.")
    nombre_completo = serializers.CharField()


class ApprovalWaitFields(serializers.Serializer):
    aprobadas = serializers.IntegerField()
    rechazadas = serializers.IntegerField()
    a_tiempo = serializers.IntegerField(help_text="Decididas antes del vencimiento del objetivo de aprobación.")
    fuera_de_plazo = serializers.IntegerField()
    porcentaje_a_tiempo = serializers.FloatField(allow_null=True)
    mediana_espera_minutos = serializers.IntegerField(allow_null=True, help_text=_MEDIAN_HELP)


class ApprovalAdminRowSerializer(ApprovalWaitFields):
    document = serializers.CharField()
    nombre_completo = serializers.CharField()


class ApprovalWaitSerializer(ApprovalWaitFields):
    por_administrador = ApprovalAdminRowSerializer(many=True)


class SLAMonthSerializer(SLAClocksFields):
    mes = serializers.CharField(help_text="AAAA-MM (hora local).")
    aprobaciones = ApprovalWaitSerializer()
    por_prioridad = SLAPriorityRowSerializer(many=True)
    por_tecnico = SLATechnicianRowSerializer(many=True)


class SLAComplianceSerializer(SLAClocksFields):
    desde = serializers.DateField(
        help_text="Primer día del periodo: `from` o, sin él, el primero del mes de hace dos meses."
    )
    aprobaciones = ApprovalWaitSerializer(help_text="Solicitudes de estado final decididas en el periodo.")
    por_prioridad = SLAPriorityRowSerializer(many=True)
    por_tecnico = SLATechnicianRowSerializer(many=True)
    por_mes = SLAMonthSerializer(many=True)


class SLAComplianceRowSerializer(serializers.Serializer):
    """One CSV row: a technician's or a priority's clocks in one month."""

    mes = serializers.CharField()
    dimension = serializers.ChoiceField(choices=["tecnico", "prioridad"])
    valor = serializers.CharField(help_text="Nombre del técnico o prioridad.")
    document = serializers.CharField(allow_null=True)
    primera_respuesta_cumplidos = serializers.IntegerField()
    primera_respuesta_incumplidos = serializers.IntegerField()
    primera_respuesta_mediana_minutos = serializers.IntegerField(allow_null=True)
    resolucion_cumplidos = serializers.IntegerField()
    resolucion_incumplidos = serializers.IntegerField()
    resolucion_mediana_minutos = serializers.IntegerField(allow_null=True)
