"""Kring processes and their heartbeats: each tick writes when this process last ticked, so
``kring health`` (another process) and ``/healthz`` can tell whether a scheduler is alive."""

from __future__ import annotations

import os
import secrets
import socket
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Worker

FORGOTTEN_AFTER = timedelta(days=1)


def new_name() -> str:
    """Unique per process start: host, process id and a few random characters."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


async def beat(session: AsyncSession, name: str, *, now: datetime) -> None:
    worker = await session.scalar(select(Worker).where(Worker.name == name))
    if worker is None:
        session.add(Worker(name=name, started_at=now, last_tick_at=now))
        await session.execute(delete(Worker).where(Worker.last_tick_at < now - FORGOTTEN_AFTER))
    else:
        worker.last_tick_at = now
