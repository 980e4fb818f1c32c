"""What every handler needs besides the update: the runtime (settings, database, clock, outbox
sender) and the callback context that carries it. Built by :mod:`bot.app`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import Clock
from bot.config import Settings
from bot.db.session import SessionMaker
from bot.metrics import Metrics
from scheduler.sender import Sender
from scheduler.ticker import Ticker


@dataclass
class Runtime:
    """What every handler needs besides the update: settings, database, clock, outbox sender."""

    settings: Settings
    engine: AsyncEngine
    #: Sessions that may write: ``async with sessions.begin()`` (on SQLite: the write lock).
    sessions: SessionMaker
    clock: Clock
    sender: Sender
    ticker: Ticker
    metrics: Metrics
    #: This process's name: on its heartbeat and on the outbox rows it is sending.
    worker: str
    #: Sessions for work that only reads (no write lock; a write raises): ``async with reads()``.
    reads: SessionMaker


class KringContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The callback context, with the runtime and the person behind the update."""

    person_id: int | None = None

    @property
    def runtime(self) -> Runtime:
        return self.application.bot_data["runtime"]  # type: ignore[no-any-return]


KringApplication = Application[Any, KringContext, Any, Any, Any, Any]


def runtime_of(application: KringApplication) -> Runtime:
    return application.bot_data["runtime"]  # type: ignore[no-any-return]
