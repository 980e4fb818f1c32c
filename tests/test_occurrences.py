"""Occurrences on the wall clock, through the daylight-saving changes of 2026 in Amsterdam."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.db.models import Frequency
from bot.services.occurrences import Rhythm, at_wall_clock, occurrences_between

AMS = ZoneInfo("Europe/Amsterdam")


@pytest.mark.parametrize(
    ("day", "at", "expected_local"),
    [
        (date(2026, 3, 29), time(1, 30), "2026-03-29T01:30:00+01:00"),
        (date(2026, 3, 29), time(2, 0), "2026-03-29T03:00:00+02:00"),  # does not exist: moved
        (date(2026, 3, 29), time(2, 30), "2026-03-29T03:30:00+02:00"),  # does not exist: moved
        (date(2026, 3, 29), time(3, 0), "2026-03-29T03:00:00+02:00"),
        (date(2026, 10, 25), time(1, 30), "2026-10-25T01:30:00+02:00"),
        (date(2026, 10, 25), time(2, 0), "2026-10-25T02:00:00+02:00"),  # happens twice: the first
        (date(2026, 10, 25), time(2, 30), "2026-10-25T02:30:00+02:00"),
        (date(2026, 10, 25), time(3, 0), "2026-10-25T03:00:00+01:00"),
    ],
)
def test_change_nights(day: date, at: time, expected_local: str) -> None:
    assert at_wall_clock(day, at, AMS).astimezone(AMS).isoformat() == expected_local


@pytest.mark.parametrize("at", [time(1, 30), time(2, 0), time(2, 30), time(3, 0)])
def test_a_daily_time_fires_once_per_local_day_through_both_changes(at: time) -> None:
    for start, end in (
        (datetime(2026, 3, 20, 12, tzinfo=UTC), datetime(2026, 4, 10, 12, tzinfo=UTC)),
        (datetime(2026, 10, 15, 12, tzinfo=UTC), datetime(2026, 11, 5, 12, tzinfo=UTC)),
    ):
        for weekday in range(7):
            rhythm = Rhythm(Frequency.WEEKLY, at, date(2026, 1, 1), weekday=weekday)
            found = occurrences_between(rhythm, AMS, start, end)
            days = [d for d, _ in found]
            assert len(days) == len(set(days)) == 3
            assert all(d.weekday() == weekday for d in days)


def test_sunday_evening_stays_at_seven_in_winter_and_summer() -> None:
    rhythm = Rhythm(Frequency.WEEKLY, time(19, 0), date(2026, 3, 1), weekday=6)
    found = occurrences_between(rhythm, AMS, datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 6, tzinfo=UTC))
    assert [m.astimezone(AMS).strftime("%d-%m %H:%M %z") for _, m in found] == [
        "01-03 19:00 +0100",
        "08-03 19:00 +0100",
        "15-03 19:00 +0100",
        "22-03 19:00 +0100",
        "29-03 19:00 +0200",
        "05-04 19:00 +0200",
    ]


def test_every_other_week_monthly_and_once() -> None:
    start, end = datetime(2026, 11, 23, tzinfo=UTC), datetime(2027, 2, 15, tzinfo=UTC)
    biweekly = Rhythm(Frequency.WEEKLY, time(15, 0), date(2026, 11, 25), interval=2, weekday=2)
    assert [d.isoformat() for d, _ in occurrences_between(biweekly, AMS, start, end)][:4] == [
        "2026-11-25",
        "2026-12-09",
        "2026-12-23",
        "2027-01-06",
    ]
    monthly = Rhythm(Frequency.MONTHLY, time(10, 0), date(2026, 11, 23), day_of_month=5)
    assert [d.isoformat() for d, _ in occurrences_between(monthly, AMS, start, end)] == [
        "2026-12-05",
        "2027-01-05",
        "2027-02-05",
    ]
    once = Rhythm(Frequency.ONCE, time(17, 30), date(2026, 12, 24))
    assert [d.isoformat() for d, _ in occurrences_between(once, AMS, start, end)] == ["2026-12-24"]
    assert occurrences_between(once, AMS, datetime(2026, 12, 25, tzinfo=UTC), end) == []


def test_nothing_is_found_twice_when_asked_in_pieces() -> None:
    rhythm = Rhythm(Frequency.WEEKLY, time(2, 30), date(2026, 1, 1), weekday=6)
    moments = []
    cursor = datetime(2026, 3, 1, tzinfo=UTC)
    while cursor < datetime(2026, 11, 1, tzinfo=UTC):
        nxt = cursor + timedelta(hours=8)
        moments += [m for _, m in occurrences_between(rhythm, AMS, cursor, nxt)]
        cursor = nxt
    assert len(moments) == len(set(moments)) == 35
