"""Input validation and output shapes of the appointments staff API (Spanish messages)."""

from datetime import timedelta

from rest_framework import serializers

from tickethelp.serializers import FastOutputMixin
from tickets.serializers import UserBriefSerializer
from users.models import Role, User
from visits.models import (
    DEFAULT_DURATION_MINUTES,
    MAX_DURATION_MINUTES,
    MIN_DURATION_MINUTES,
    Appointment,
    AppointmentStatus,
)

DATETIME_FORMATS = ["iso-8601"]
DAY_FORMAT = "%Y-%m-%d"


def duration_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=MIN_DURATION_MINUTES,
        max_value=MAX_DURATION_MINUTES,
        help_text=f"Minutos ({MIN_DURATION_MINUTES}-{MAX_DURATION_MINUTES}).",
        **kwargs,
    )


# --- Output --------------------------------------------------------------------------------


class AppointmentSerializer(FastOutputMixin, serializers.ModelSerializer):
    """A visit as the staff API shows it; users by document, details under `*_detalle`."""

    ticket = serializers.IntegerField(source="ticket_id", read_only=True)
    ticket_code = serializers.CharField(source="ticket.code", read_only=True, allow_null=True)
    tecnico = serializers.CharField(source="technician.document", read_only=True)
    tecnico_detalle = UserBriefSerializer(source="technician", read_only=True)
    duration = serializers.IntegerField(source="duration_minutes", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Appointment
        fields = (
            "id",
            "ticket",
            "ticket_code",
            "tecnico",
            "tecnico_detalle",
            "title",
            "description",
            "scheduled_for",
            "duration",
            "ends_at",
            "status",
            "status_display",
            "reschedule_count",
            "started_at",
            "completed_at",
            "completion_notes",
            "service_rating",
            "member_feedback",
            "reason",
            "reminder_sent_at",
            "created_at",
        )
        read_only_fields = fields


class AppointmentResponseSerializer(serializers.Serializer):
    message = serializers.CharField()
    appointment = AppointmentSerializer()


class TicketAppointmentsResponseSerializer(serializers.Serializer):
    message = serializers.CharField()
    ticket_id = serializers.IntegerField()
    total_appointments = serializers.IntegerField()
    appointments = AppointmentSerializer(many=True)


# --- Input ---------------------------------------------------------------------------------


class AppointmentCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    scheduled_for = serializers.DateTimeField(input_formats=DATETIME_FORMATS)
    duration = duration_field(required=False, default=DEFAULT_DURATION_MINUTES)


class AppointmentRescheduleSerializer(serializers.Serializer):
    scheduled_for = serializers.DateTimeField(input_formats=DATETIME_FORMATS)
    duration = duration_field(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AppointmentCompleteSerializer(serializers.Serializer):
    completion_notes = serializers.CharField(max_length=4000)


class AppointmentReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class AgendaParamsSerializer(serializers.Serializer):
    """`?tecnico=&desde=&hasta=&estado=`: `desde`/`hasta` are ISO date-times, or days
    (`hasta` as a day includes that whole day)."""

    tecnico = serializers.CharField(max_length=30, required=False)
    desde = serializers.DateTimeField(input_formats=[*DATETIME_FORMATS, DAY_FORMAT], required=False)
    hasta = serializers.DateTimeField(input_formats=[*DATETIME_FORMATS, DAY_FORMAT], required=False)
    estado = serializers.ChoiceField(choices=AppointmentStatus.choices, required=False)

    def validate_tecnico(self, value: str) -> User:
        technician = User.objects.filter(document=value, role=Role.TECH).first()
        if technician is None:
            raise serializers.ValidationError("No existe un técnico con ese documento.")
        return technician

    def validate(self, attrs):
        raw_until = self.initial_data.get("hasta", "")
        if "hasta" in attrs and len(raw_until) == len("AAAA-MM-DD"):
            attrs["hasta"] += timedelta(days=1)
        if "desde" in attrs and "hasta" in attrs and attrs["desde"] >= attrs["hasta"]:
            raise serializers.ValidationError({"desde": ["Debe ser anterior a `hasta`."]})
        return attrs
