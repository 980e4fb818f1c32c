"""The ticker: APScheduler wakes Kring every few seconds, and each tick does what is due by the
clock. Tests and the demo call :meth:`Ticker.tick` themselves after moving a simulated clock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock
from bot.db.transient import is_transient

log = logging.getLogger(__name__)

Work = Callable[[], Awaitable[object]]
JOB_ID = "kring-tick"


class Ticker:
    def __init__(self, clock: Clock, work: Sequence[Work], *, interval_seconds: float) -> None:
        self.clock = clock
        self.work = list(work)
        self.interval_seconds = interval_seconds
        self.last_tick_at: datetime | None = None
        self._lock = asyncio.Lock()
        self._scheduler: AsyncIOScheduler | None = None

    def start(self) -> None:
        """Tick every ``interval_seconds`` of real time. A tick that is still running is not
        started twice, and missed ticks are folded into one (nothing is lost: the work itself
        looks at what is due in the database)."""
        scheduler = AsyncIOScheduler()
        scheduler.add_job(
            self.tick,
            IntervalTrigger(seconds=self.interval_seconds),
            id=JOB_ID,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        scheduler.start()
        self._scheduler = scheduler

    def wake(self) -> None:
        """Tick as soon as possible (something was just queued)."""
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.modify_job(JOB_ID, next_run_time=datetime.now(self._scheduler.timezone))

    async def stop(self) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        async with self._lock:  # let a tick in progress finish its sends
            self._scheduler = None

    async def tick(self) -> None:
        async with self._lock:
            self.last_tick_at = self.clock.now()
            for work in self.work:
                try:
                    await work()
                except Exception as error:  # one failing piece of work must not stop the others
                    name = {"work": getattr(work, "__qualname__", "?")}
                    if is_transient(error):  # a cut connection: the next tick does it again
                        log.warning(
                            "scheduled work met a database error", extra={**name, "error": type(error).__name__}
                        )
                    else:
                        log.exception("scheduled work failed", extra=name)
