"""Is Kring well? The database answers, a scheduler ticks, and the outbox is not falling behind.

Used by ``GET /healthz`` (this process) and ``kring health`` (from the outside: it reads the
heartbeats every Kring process writes to the database at each tick).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from bot.db.models import Delivery, DeliveryStatus, Worker
from bot.db.session import SessionMaker

log = logging.getLogger(__name__)
#: The ticker runs every few seconds; a scheduler silent for this long is not well.
MAX_TICK_AGE = timedelta(minutes=2)
WAITING = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)


@dataclass(frozen=True)
class Report:
    database: bool
    last_tick_age_seconds: float | None  # the most recent tick of any Kring process
    outbox_depth: int | None  # messages waiting (pending or being sent)
    outbox_lag_seconds: float | None  # how long the oldest due message has been waiting

    @property
    def ok(self) -> bool:
        return (
            self.database
            and self.last_tick_age_seconds is not None
            and self.last_tick_age_seconds <= MAX_TICK_AGE.total_seconds()
        )

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


async def measure(sessions: SessionMaker, now: datetime) -> Report:
    try:
        async with sessions() as session:
            depth = int(
                await session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status.in_(WAITING)))
                or 0
            )
            oldest_due = await session.scalar(
                select(func.min(Delivery.next_attempt_at)).where(
                    Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at <= now
                )
            )
            last_tick = await session.scalar(select(func.max(Worker.last_tick_at)))
    except (SQLAlchemyError, OSError):
        log.warning("health: the database does not answer")
        return Report(False, None, None, None)
    return Report(
        True,
        (now - last_tick).total_seconds() if last_tick else None,
        depth,
        (now - oldest_due).total_seconds() if oldest_due else 0.0,
    )


async def check(runtime: Any) -> Report:
    """Measure, and bring the outbox gauges of this process's metrics up to date."""
    report = await measure(runtime.reads, runtime.clock.now())
    if report.outbox_depth is not None:
        runtime.metrics.outbox_depth.set(report.outbox_depth)
        runtime.metrics.outbox_lag.set(report.outbox_lag_seconds or 0.0)
    return report
