"""Quiet hours: nothing is sent at night. What falls due then waits until the quiet hours end
(and is dropped there if its moment has passed: see ``expires_at`` in the sender)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services.occurrences import at_wall_clock

DEFAULT_FROM = time(21, 30)
DEFAULT_UNTIL = time(8, 0)


def quiet_until(now: datetime, tz: ZoneInfo, start: time | None = None, end: time | None = None) -> datetime | None:
    """When the quiet hours around ``now`` end (UTC), or ``None`` when it is not quiet now."""
    start, end = start or DEFAULT_FROM, end or DEFAULT_UNTIL
    local = now.astimezone(tz)
    moment = local.time()
    quiet = (moment >= start or moment < end) if start > end else (start <= moment < end)
    if not quiet:
        return None
    day = local.date() if moment < end else local.date() + timedelta(days=1)
    return at_wall_clock(day, end, tz)
