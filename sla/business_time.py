"""Business-time arithmetic, pure Python (no database, no settings).

A `Calendar` says when the office works: opening ranges per weekday in a time zone, minus the
country's public holidays (the `holidays` package, computed offline; Colombia's festivos moved
to Monday included) and the closure days given. Ranges are wall-clock times of that zone, so a
day with a daylight-saving change still opens at 08:00 local time.

Two operations: `add_business_seconds` (the instant a target of N business seconds ends) and
`business_seconds_between` (the business time inside an interval). Instants are aware
datetimes; results are in UTC.
"""

import functools
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays as holidays_lib

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
# A calendar with no working time at all would make `add_business_seconds` walk forever.
MAX_DAYS_SCANNED = 5 * 366

# A range of minutes of the local day, [start, end), end may be 1440 (midnight at day's end).
Range = tuple[int, int]


class CalendarError(ValueError):
    """The working-hours text cannot be read, or the calendar has no working time."""


@functools.lru_cache(maxsize=256)
def public_holidays(country: str, year: int) -> frozenset[date]:
    """The public holidays of `country` (ISO code) in `year`, cached per process."""
    return frozenset(holidays_lib.country_holidays(country, years=year).keys())


def _minutes(text: str, *, source: str) -> int:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if not match:
        raise CalendarError(f"{source}: '{text}' is not a time of day (HH:MM)")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise CalendarError(f"{source}: '{text}' is not a time of day (00:00-24:00)")
    return hours * 60 + minutes


def _weekdays(text: str, *, source: str) -> list[int]:
    text = text.strip().lower()
    if "-" in text:
        first, last = (part.strip() for part in text.split("-", 1))
        if first not in WEEKDAYS or last not in WEEKDAYS:
            raise CalendarError(f"{source}: '{text}' is not a weekday range (mon-fri)")
        start, end = WEEKDAYS.index(first), WEEKDAYS.index(last)
        if end < start:
            raise CalendarError(f"{source}: '{text}' runs backwards")
        return list(range(start, end + 1))
    if text not in WEEKDAYS:
        raise CalendarError(f"{source}: '{text}' is not a weekday (mon..sun)")
    return [WEEKDAYS.index(text)]


def parse_working_hours(text: str) -> tuple[tuple[Range, ...], ...]:
    """Read `"mon-fri 08:00-18:00; sat 08:00-12:00"` (several ranges per day may be given,
    comma-separated: `"mon-fri 08:00-12:00,14:00-18:00"`) into seven tuples of ranges,
    Monday first. Days not named are closed."""
    days: list[list[Range]] = [[] for _ in WEEKDAYS]
    for clause in (part.strip() for part in text.split(";")):
        if not clause:
            continue
        source = f"working hours '{clause}'"
        pieces = clause.split(None, 1)
        if len(pieces) != 2:
            raise CalendarError(f"{source}: expected '<days> <HH:MM-HH:MM>[,...]'")
        for weekday in _weekdays(pieces[0], source=source):
            for span in pieces[1].split(","):
                if "-" not in span:
                    raise CalendarError(f"{source}: '{span.strip()}' is not a range (HH:MM-HH:MM)")
                start_text, end_text = span.split("-", 1)
                start, end = _minutes(start_text, source=source), _minutes(end_text, source=source)
                if end <= start:
                    raise CalendarError(f"{source}: '{span.strip()}' ends before it starts")
                days[weekday].append((start, end))
    result = []
    for ranges in days:
        ranges.sort()
        for (_, previous_end), (next_start, _) in itertools.pairwise(ranges):
            if next_start < previous_end:
                raise CalendarError("working hours: overlapping ranges on one weekday")
        result.append(tuple(ranges))
    if not any(result):
        raise CalendarError("working hours: no working time on any weekday")
    return tuple(result)


@dataclass(frozen=True)
class Calendar:
    time_zone: ZoneInfo
    # Seven tuples of (start, end) minute ranges of the local day, Monday first.
    hours: tuple[tuple[Range, ...], ...]
    # ISO country code of the public holidays, or "" for none.
    country: str = ""
    closures: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if not self.hours[day.weekday()] or day in self.closures:
            return False
        return not (self.country and day in public_holidays(self.country, day.year))

    def _at(self, day: date, minute: int) -> datetime:
        # Wall-clock arithmetic in the zone (a DST day still opens at its local hour), in UTC.
        local = datetime.combine(day, time.min, tzinfo=self.time_zone) + timedelta(minutes=minute)
        return local.astimezone(UTC)

    def working_ranges(self, first_day: date) -> Iterator[tuple[datetime, datetime]]:
        """The working ranges (UTC instants) from `first_day` on, in order; stops after
        MAX_DAYS_SCANNED days without any (a calendar that never works)."""
        day, idle = first_day, 0
        while idle < MAX_DAYS_SCANNED:
            if self.is_working_day(day):
                idle = 0
                for start, end in self.hours[day.weekday()]:
                    yield self._at(day, start), self._at(day, end)
            else:
                idle += 1
            day += timedelta(days=1)
        raise CalendarError("the calendar has no working time in five years")

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.time_zone).date()


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("business time needs aware datetimes")
    return moment.astimezone(UTC)


def add_business_seconds(calendar: Calendar, start: datetime, seconds: float) -> datetime:
    """The instant at which `seconds` of business time, counted from `start`, have passed.
    Counting from outside working hours starts at the next opening; a target that ends
    exactly at closing time ends at closing time (not at the next opening)."""
    if seconds < 0:
        raise ValueError("business seconds must not be negative")
    start = _aware(start)
    if seconds == 0:
        return start
    remaining = float(seconds)
    # The previous local day too: a range of the day before may still be open (after midnight UTC).
    for range_start, range_end in calendar.working_ranges(calendar.local_date(start) - timedelta(days=1)):
        if range_end <= start:
            continue
        begin = max(range_start, start)
        available = (range_end - begin).total_seconds()
        if remaining <= available:
            return begin + timedelta(seconds=remaining)
        remaining -= available
    raise AssertionError("unreachable: working_ranges raises when it runs out")  # pragma: no cover


def business_seconds_between(calendar: Calendar, start: datetime, end: datetime) -> float:
    """The business time inside [start, end) in seconds (0 when end is not after start)."""
    start, end = _aware(start), _aware(end)
    if end <= start:
        return 0.0
    total = 0.0
    last_day = calendar.local_date(end)
    day = calendar.local_date(start) - timedelta(days=1)
    while day <= last_day:
        if calendar.is_working_day(day):
            for range_start, range_end in calendar.hours[day.weekday()]:
                begin = max(calendar._at(day, range_start), start)
                finish = min(calendar._at(day, range_end), end)
                if finish > begin:
                    total += (finish - begin).total_seconds()
        day += timedelta(days=1)
    return total


def add_business_minutes(calendar: Calendar, start: datetime, minutes: float) -> datetime:
    return add_business_seconds(calendar, start, minutes * 60)


def business_minutes_between(calendar: Calendar, start: datetime, end: datetime) -> float:
    return business_seconds_between(calendar, start, end) / 60
