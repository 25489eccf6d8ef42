"""Query parameters of the reports, validated before any SQL runs (400 naming the field)."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone
from rest_framework import serializers

from tickethelp.validation import StorableDateField


class DateRangeParams(serializers.Serializer):
    """Optional `from`/`to` calendar days (inclusive), read in the configured time zone."""

    def get_fields(self):
        # `from` is a Python keyword, so the two fields cannot be declared as attributes.
        fields = super().get_fields()
        fields["from"] = StorableDateField(required=False, input_formats=["%Y-%m-%d"])
        fields["to"] = StorableDateField(required=False, input_formats=["%Y-%m-%d"])
        return fields

    def validate(self, attrs):
        start, end = attrs.get("from"), attrs.get("to")
        if start and end and start > end:
            raise serializers.ValidationError({"from": ["La fecha inicial no puede ser posterior a la final."]})
        if start and start.year < 1970:
            raise serializers.ValidationError({"from": ["La fecha debe ser posterior a 1970."]})
        return attrs


def local_bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """[start 00:00, end+1 00:00) as aware datetimes of the configured time zone."""
    zone = timezone.get_current_timezone()
    lower = datetime.combine(start, time.min, tzinfo=zone) if start else None
    upper = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone) if end else None
    return lower, upper


class LimitParams(serializers.Serializer):
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=10)


class YearParams(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class ThroughputParams(DateRangeParams):
    period = serializers.ChoiceField(choices=["week", "month"], required=False, default="month")


def read_params(serializer_class, request) -> dict:
    """Validated query parameters; unknown `format` values are left to DRF's renderers."""
    data = {key: value for key, value in request.query_params.items() if key != "format"}
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
