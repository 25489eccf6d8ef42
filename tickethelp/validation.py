"""Request-body and query validation shared by every view."""

from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone
from rest_framework import serializers


def validated(serializer_class, request, *, partial: bool = False) -> dict:
    """The validated data of `request.data`, or a ValidationError (400, or 422 on the tenant API)."""
    serializer = serializer_class(data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- Dates and date-times of filters and bodies --------------------------------------------------
# A UTC offset beyond ±14:00 exists nowhere (PostgreSQL refuses it: a DataError, a 500 before),
# and a moment must stay within years 1-9999 once converted to UTC, with a day of margin for
# the filters that add one (an inclusive end date).
MAX_UTC_OFFSET = timedelta(hours=14)
EARLIEST_MOMENT = datetime(1, 1, 2, tzinfo=UTC)
LATEST_MOMENT = datetime(9999, 12, 30, tzinfo=UTC)
OFFSET_OUT_OF_RANGE = "La zona horaria debe estar entre -14:00 y +14:00."
MOMENT_OUT_OF_RANGE = "La fecha debe estar entre los años 1 y 9999."


def moment_error(moment: datetime) -> str | None:
    """Why the database cannot be asked about `moment` (naive = the configured time zone),
    or None when it can."""
    offset = moment.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        return OFFSET_OUT_OF_RANGE
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        in_utc = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return MOMENT_OUT_OF_RANGE
    if not EARLIEST_MOMENT <= in_utc <= LATEST_MOMENT:
        return MOMENT_OUT_OF_RANGE
    return None


def day_error(day: date) -> str | None:
    """Why a calendar day (read from its midnight in the configured time zone) cannot be used."""
    return moment_error(datetime.combine(day, time.min))


class StorableDateTimeField(serializers.DateTimeField):
    """A body's date-time that the database can hold (offset within ±14:00, years 1-9999)."""

    def enforce_timezone(self, value):
        # Before DRF converts it to the configured zone (which would hide the offset given).
        error = moment_error(value)
        if error:
            raise serializers.ValidationError(error, code="out_of_range")
        return super().enforce_timezone(value)


class StorableDateField(serializers.DateField):
    """A calendar day whose bounds (its midnight and the next one) the database can hold."""

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        error = day_error(day)
        if error:
            raise serializers.ValidationError(error, code="out_of_range")
        return day
