"""Fixtures of the service-level tests: a known calendar and a controllable clock."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

BOGOTA = ZoneInfo("America/Bogota")


def bogota(*args) -> datetime:
    return datetime(*args, tzinfo=BOGOTA)


@pytest.fixture(autouse=True)
def office_calendar(settings):
    """Bogotá, Monday to Friday 08:00-18:00, Colombian holidays (the defaults, made explicit)."""
    settings.SLA_COUNTRY = "CO"
    settings.SLA_TIME_ZONE = "America/Bogota"
    settings.SLA_WORKING_HOURS = "mon-fri 08:00-18:00"


class Clock:
    """`timezone.now()` for the services under test: set with `at(...)`."""

    def __init__(self, monkeypatch):
        self.now = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def at(self, moment: datetime) -> datetime:
        self.now = moment
        return moment


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch)
