"""When a rhythm happens: wall-clock occurrences in a time zone.

Kring computes occurrences itself instead of with APScheduler's cron and calendar triggers, whose
3.x versions have known bugs around daylight-saving changes. The rule is simple and tested:

- An occurrence is a local *date* plus the agreed wall-clock time: Sunday 19:00 stays 19:00
  across the change to and from summer time.
- A time that does not exist on the spring-forward night (02:30 on the last Sunday of March in
  Europe/Amsterdam) is moved forward by the gap (to 03:30): moved, not skipped.
- A time that happens twice on the fall-back night is used once, the first time (fold=0).

Because each occurrence is identified by its local date, it has a stable key, which the outbox
uses to make sure it is never sent twice.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.db.models import Frequency, Schedule


@dataclass(frozen=True)
class Rhythm:
    frequency: Frequency
    at_time: time
    starts_on: date
    interval: int = 1
    weekday: int | None = None
    day_of_month: int | None = None


def rhythm_of(schedule: Schedule) -> Rhythm:
    return Rhythm(
        schedule.frequency,
        schedule.at_time,
        schedule.starts_on,
        schedule.interval,
        schedule.weekday,
        schedule.day_of_month,
    )


def at_wall_clock(day: date, at: time, tz: ZoneInfo) -> datetime:
    """``day`` at ``at`` in ``tz``, as an aware UTC datetime, by the rule in the module docstring."""
    # With fold=0, zoneinfo reads a time in the spring-forward gap with the offset from before the
    # gap, which lands it the length of the gap later (02:30 → 03:30); a doubled time is read as
    # the first of the two.
    return datetime.combine(day, at).replace(tzinfo=tz, fold=0).astimezone(UTC)


def local_dates(rhythm: Rhythm, first: date) -> Iterator[date]:
    """The rhythm's dates from ``first`` on (inclusive), in order, without end (ONCE: one)."""
    if rhythm.frequency == Frequency.ONCE:
        if rhythm.starts_on >= first:
            yield rhythm.starts_on
        return
    if rhythm.frequency == Frequency.WEEKLY:
        assert rhythm.weekday is not None
        start = rhythm.starts_on + timedelta(days=(rhythm.weekday - rhythm.starts_on.weekday()) % 7)
        step = timedelta(weeks=rhythm.interval)
        if first > start:
            periods = -(-(first - start).days // step.days)  # ceiling division
            start += step * periods
        day = start
        while True:
            yield day
            day += step
    else:  # MONTHLY, on a day that every month has (1–28)
        assert rhythm.day_of_month is not None
        year, month = first.year, first.month
        while True:
            day = date(year, month, min(rhythm.day_of_month, calendar.monthrange(year, month)[1]))
            if day >= first and day >= rhythm.starts_on:
                yield day
            month += 1
            if month > 12:
                year, month = year + 1, 1


def occurrences_between(rhythm: Rhythm, tz: ZoneInfo, after: datetime, until: datetime) -> list[tuple[date, datetime]]:
    """(local date, moment in UTC) of each occurrence with ``after < moment <= until``."""
    found = []
    first = (after - timedelta(days=1)).astimezone(tz).date()
    for day in local_dates(rhythm, first):
        moment = at_wall_clock(day, rhythm.at_time, tz)
        if moment > until:
            break
        if moment > after:
            found.append((day, moment))
    return found


def first_between(rhythm: Rhythm, tz: ZoneInfo, after: datetime, until: datetime) -> datetime | None:
    """The moment of the first of :func:`occurrences_between` (``None``: none), without listing the rest."""
    first = (after - timedelta(days=1)).astimezone(tz).date()
    for day in local_dates(rhythm, first):
        moment = at_wall_clock(day, rhythm.at_time, tz)
        if moment > until:
            return None
        if moment > after:
            return moment
    return None
