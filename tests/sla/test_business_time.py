"""Business-time arithmetic (sla.business_time): pure functions, no database."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from sla.business_time import (
    Calendar,
    CalendarError,
    add_business_minutes,
    business_minutes_between,
    parse_working_hours,
    public_holidays,
)

BOGOTA = ZoneInfo("America/Bogota")
NEW_YORK = ZoneInfo("America/New_York")
OFFICE = parse_working_hours("mon-fri 08:00-18:00")


def bogota(*args) -> datetime:
    return datetime(*args, tzinfo=BOGOTA)


def new_york(*args) -> datetime:
    return datetime(*args, tzinfo=NEW_YORK)


@pytest.fixture
def colombia() -> Calendar:
    return Calendar(time_zone=BOGOTA, hours=OFFICE, country="CO")


def test_a_target_inside_one_working_day_ends_that_day(colombia):
    # given Tuesday 3 March 2026, 09:00 in Bogotá
    start = bogota(2026, 3, 3, 9, 0)

    # when 2 business hours are added
    due = add_business_minutes(colombia, start, 120)

    # then it is 11:00 the same day, and the span holds exactly those 120 minutes
    assert due == bogota(2026, 3, 3, 11, 0)
    assert business_minutes_between(colombia, start, due) == 120


def test_a_request_spanning_closing_time_continues_at_the_next_opening(colombia):
    # given Wednesday 17:30, half an hour before closing
    start = bogota(2026, 3, 4, 17, 30)

    # when 90 business minutes are added
    due = add_business_minutes(colombia, start, 90)

    # then 30 are spent today and 60 tomorrow from 08:00
    assert due == bogota(2026, 3, 5, 9, 0)
    assert business_minutes_between(colombia, start, due) == 90


def test_a_target_ending_exactly_at_closing_time_ends_at_closing_time(colombia):
    # given Wednesday 17:00
    start = bogota(2026, 3, 4, 17, 0)

    # then one hour ends at 18:00 that day, not at the next opening
    assert add_business_minutes(colombia, start, 60) == bogota(2026, 3, 4, 18, 0)


def test_weekends_are_skipped(colombia):
    # given Friday 6 March 2026, 16:00
    start = bogota(2026, 3, 6, 16, 0)

    # when 4 business hours are added
    due = add_business_minutes(colombia, start, 240)

    # then 2 are on Friday and 2 on Monday (Saturday and Sunday have no hours)
    assert due == bogota(2026, 3, 9, 10, 0)
    # and the weekend holds no business time
    assert business_minutes_between(colombia, bogota(2026, 3, 7, 0, 0), bogota(2026, 3, 9, 0, 0)) == 0


def test_a_start_outside_hours_counts_from_the_next_opening(colombia):
    # given Saturday noon
    start = bogota(2026, 3, 7, 12, 0)

    # then one business hour ends Monday 09:00
    assert add_business_minutes(colombia, start, 60) == bogota(2026, 3, 9, 9, 0)


def test_a_colombian_festivo_moved_to_monday_is_not_a_working_day(colombia):
    # given San José (19 March, a Thursday in 2026) is observed on Monday 23 March (Ley Emiliani)
    assert date(2026, 3, 23) in public_holidays("CO", 2026)
    assert date(2026, 3, 19) not in public_holidays("CO", 2026)

    # when 2 business hours are added from Friday 20 March 17:00
    due = add_business_minutes(colombia, bogota(2026, 3, 20, 17, 0), 120)

    # then Monday the 23rd is skipped: 1 hour on Friday, 1 on Tuesday
    assert due == bogota(2026, 3, 24, 9, 0)
    assert colombia.is_working_day(date(2026, 3, 19))
    assert not colombia.is_working_day(date(2026, 3, 23))


def test_a_closure_day_added_by_an_admin_is_not_a_working_day():
    # given the office closes on Tuesday 3 March 2026
    calendar = Calendar(time_zone=BOGOTA, hours=OFFICE, country="CO", closures=frozenset({date(2026, 3, 3)}))

    # then an hour from Monday 17:30 ends on Wednesday 08:30
    assert add_business_minutes(calendar, bogota(2026, 3, 2, 17, 30), 60) == bogota(2026, 3, 4, 8, 30)


def test_a_pause_across_nights_holds_only_the_working_hours(colombia):
    # given a pause from Monday 16:00 to Wednesday 09:00
    paused, resumed = bogota(2026, 3, 2, 16, 0), bogota(2026, 3, 4, 9, 0)

    # then it holds 2 h on Monday, 10 h on Tuesday and 1 h on Wednesday; nights hold nothing
    assert business_minutes_between(colombia, paused, resumed) == (2 + 10 + 1) * 60
    assert business_minutes_between(colombia, bogota(2026, 3, 2, 18, 0), bogota(2026, 3, 3, 8, 0)) == 0


def test_bogota_has_no_daylight_saving_so_a_day_is_always_ten_hours_in_utc(colombia):
    # given the working days after the US changes (8 March and 1 November 2026; 2 November
    # is a festivo in Colombia): Bogotá stays at UTC-5
    for day in (date(2026, 3, 9), date(2026, 11, 3)):
        opening = datetime(day.year, day.month, day.day, 13, 0, tzinfo=UTC)  # 08:00 in Bogotá

        # then the working day is 13:00-23:00 UTC, every day of the year
        assert add_business_minutes(colombia, opening, 600) == datetime(day.year, day.month, day.day, 23, 0, tzinfo=UTC)


def test_a_calendar_in_a_zone_with_daylight_saving_keeps_its_local_hours():
    # given a New York office (US holidays) and the spring-forward weekend of 8 March 2026
    office = Calendar(time_zone=NEW_YORK, hours=OFFICE, country="US")

    # when 2 business hours are added from Friday 17:00 (EST, UTC-5)
    due = add_business_minutes(office, new_york(2026, 3, 6, 17, 0), 120)

    # then they end Monday 09:00 local time, which is now EDT (UTC-4): 13:00 UTC, not 14:00
    assert due == new_york(2026, 3, 9, 9, 0)
    assert due.astimezone(UTC) == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    # and the 63 hours of wall clock in between hold exactly those 120 business minutes
    assert business_minutes_between(office, new_york(2026, 3, 6, 17, 0), due) == 120


def test_the_same_instant_is_in_hours_for_one_zone_and_not_for_the_other():
    # given 07:30 in Bogotá, which is 08:30 in New York in summer (EDT)
    moment = bogota(2026, 6, 10, 7, 30)
    colombia = Calendar(time_zone=BOGOTA, hours=OFFICE, country="CO")
    new_york_office = Calendar(time_zone=NEW_YORK, hours=OFFICE, country="US")

    # then New York has worked 30 minutes by then, Bogotá none
    assert business_minutes_between(new_york_office, new_york(2026, 6, 10, 8, 0), moment) == 30
    assert business_minutes_between(colombia, bogota(2026, 6, 10, 0, 0), moment) == 0


@pytest.mark.parametrize(
    ("text", "monday", "saturday"),
    [
        ("mon-fri 08:00-18:00", ((480, 1080),), ()),
        ("mon-fri 08:00-12:00,14:00-18:00; sat 09:00-13:00", ((480, 720), (840, 1080)), ((540, 780),)),
        ("mon-sun 00:00-24:00", ((0, 1440),), ((0, 1440),)),
    ],
)
def test_working_hours_are_read_from_their_text(text, monday, saturday):
    hours = parse_working_hours(text)
    assert hours[0] == monday
    assert hours[5] == saturday


@pytest.mark.parametrize(
    "text", ["", "mon-fri", "fri-mon 08:00-18:00", "mon 18:00-08:00", "xyz 08:00-18:00", "mon 08:00-12:00,11:00-13:00"]
)
def test_unreadable_working_hours_are_refused(text):
    with pytest.raises(CalendarError):
        parse_working_hours(text)


def test_naive_datetimes_are_refused(colombia):
    with pytest.raises(ValueError, match="aware"):
        add_business_minutes(colombia, datetime(2026, 3, 3, 9, 0), 60)  # noqa: DTZ001 - the refusal is the point
