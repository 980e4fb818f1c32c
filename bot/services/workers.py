"""Kring processes and their heartbeats: each tick writes when this process last ticked, so
``kring health`` (another process) and ``/healthz`` can tell whether a scheduler is alive.

One outbox sender per bot: Telegram's 30 messages a second are the bot's, shared by every process,
so only the holder of the bot's :class:`~bot.db.models.SendLease` sends the outbox. The others
plan and answer people. The holder renews the lease in the transaction that starts each send, so
no send starts without it; a holder that dies is replaced once its lease has run out, and one that
stops cleanly gives it up at once."""

from __future__ import annotations

import os
import secrets
import socket
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import SendLease, Worker

FORGOTTEN_AFTER = timedelta(days=1)
#: How long the sender's lease holds without renewal: three production ticks (5 s each), and well
#: above one send, so a live holder never loses it; a dead one is replaced after at most this.
SEND_LEASE = timedelta(seconds=15)


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


def bot_id_of(token: str) -> int:
    """The bot's id, the part of its token before the colon (no request needed)."""
    return int(token.split(":", 1)[0])


async def hold_send_lease(
    session: AsyncSession, *, bot_id: int, holder: str, now: datetime, lease: timedelta = SEND_LEASE
) -> bool:
    """Take or renew the bot's send lease for ``holder``; ``False``: another process holds it.
    (The rows a previous holder had claimed come back through :func:`outbox.release_stale_claims`.)"""
    current = await session.scalar(select(SendLease).where(SendLease.bot_id == bot_id).with_for_update())
    if current is None:
        try:
            async with session.begin_nested():
                session.add(SendLease(bot_id=bot_id, holder=holder, expires_at=now + lease))
        except IntegrityError:  # taken at this very moment by another process
            return False
        return True
    taken = await session.execute(  # one statement, so two processes cannot both take it
        update(SendLease)
        .where(
            SendLease.bot_id == bot_id,
            or_(SendLease.holder.is_(None), SendLease.holder == holder, SendLease.expires_at <= now),
        )
        .values(holder=holder, expires_at=now + lease)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(taken, "rowcount", 0))


async def give_up_send_lease(session: AsyncSession, *, bot_id: int, holder: str) -> None:
    """A clean stop: the next process takes the lease at its next tick, not after it runs out."""
    await session.execute(
        update(SendLease)
        .where(SendLease.bot_id == bot_id, SendLease.holder == holder)
        .values(holder=None)
        .execution_options(synchronize_session=False)
    )
