"""The configured business calendar: settings (SLA_TIME_ZONE, SLA_WORKING_HOURS, SLA_COUNTRY)
plus the admins' closure days (cached in-process, sla.cache). Holidays are cached per
(country, year) by sla.business_time.
"""

import functools
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from sla import cache
from sla.business_time import Calendar, CalendarError, parse_working_hours


@functools.lru_cache(maxsize=8)
def _static_part(time_zone: str, working_hours: str) -> tuple[ZoneInfo, tuple]:
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ImproperlyConfigured(f"SLA_TIME_ZONE: unknown time zone {time_zone!r}") from exc
    try:
        hours = parse_working_hours(working_hours)
    except CalendarError as exc:
        raise ImproperlyConfigured(f"SLA_WORKING_HOURS: {exc}") from exc
    return zone, hours


def configured_calendar() -> Calendar:
    zone, hours = _static_part(settings.SLA_TIME_ZONE, settings.SLA_WORKING_HOURS)
    return Calendar(time_zone=zone, hours=hours, country=settings.SLA_COUNTRY, closures=cache.closure_days())
