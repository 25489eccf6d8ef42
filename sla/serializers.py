"""Input and output of `/api/sla-policies/`."""

from rest_framework import serializers

from sla.models import SLAPolicy
from tickethelp.serializers import FastOutputMixin

# A target up to a year of business minutes (PositiveIntegerField holds far more).
MAX_TARGET_MINUTES = 525_600


def _target(label: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1, max_value=MAX_TARGET_MINUTES, help_text=f"{label}, en minutos hábiles."
    )


class SLAPolicySerializer(FastOutputMixin, serializers.ModelSerializer):
    """A policy: targets in business minutes for one priority (and optionally one category)."""

    first_response_minutes = _target("Objetivo de primera respuesta")
    resolution_minutes = _target("Objetivo de resolución")
    approval_minutes = _target("Espera máxima de una solicitud de estado final por su aprobación")
    category = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default="", help_text="Vacía: toda la prioridad."
    )

    class Meta:
        model = SLAPolicy
        fields = (
            "id",
            "priority",
            "category",
            "first_response_minutes",
            "resolution_minutes",
            "approval_minutes",
            "active",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "created_at", "updated_at")
        # One active policy per (priority, category) is the database's constraint; the
        # service turns its refusal into a 409 (a check here would race with it anyway).
        validators = []

    def validate_category(self, value: str) -> str:
        return value.strip()
