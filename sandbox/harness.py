"""The real Kring, running against the fake Telegram on loopback with a simulated clock.

``kring demo`` and the end-to-end tests both use it: the real Application polls the fake Bot API
over HTTP, with the real handlers, database and migrations.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from types import TracebackType

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from bot.app import build_application
from bot.clock import SimulatedClock
from bot.config import Settings
from bot.db import outbox
from bot.db.models import Circle, Delivery, Schedule
from bot.handlers.intake import ALLOWED_UPDATES
from bot.i18n import gettext, pgettext, use_language
from bot.runtime import KringApplication, Runtime, runtime_of
from bot.services import follow_up
from sandbox.fake_telegram import FakeTelegram, FakeUser, UpdateTracker
from scheduler import planner


def label_in(language: str, dutch: str) -> str:
    """How a Dutch button label reads for someone using ``language`` (the demo and the tests press
    buttons by what people see). A leading emoji stays; the words are looked up as a button label
    first, then as an ordinary message."""
    emoji, words = ("", dutch) if dutch[:1].isalnum() else dutch.split(" ", 1)
    with use_language(language):
        translated = next((t for t in (pgettext("button", words), gettext(words)) if t != words), words)
    return f"{emoji} {translated}" if emoji else translated


NOTHING_WAITS = datetime.max.replace(tzinfo=UTC)
#: Rows the scheduler's next moment is computed from: writing one may make work due now.
WAKING = (Delivery, Schedule, Circle)
SANDBOX_TOKEN = "123456:sandbox-token-for-the-fake-telegram-api"


class Sandbox:
    def __init__(self, settings: Settings, clock: SimulatedClock, *, bot_username: str = "kring_demo_bot") -> None:
        self.clock = clock
        self.telegram = FakeTelegram(SANDBOX_TOKEN, bot_username=bot_username, clock=clock)
        self._settings = settings
        self.application: KringApplication | None = None
        self._next_wake: datetime | None = None

    @property
    def settings(self) -> Settings:
        return self._settings

    @property
    def app(self) -> KringApplication:
        assert self.application is not None, "the sandbox is not running"
        return self.application

    @property
    def runtime(self) -> Runtime:
        return runtime_of(self.app)

    def user(self, user_id: int, first_name: str, *, language_code: str | None = "nl") -> FakeUser:
        return self.telegram.user(user_id, first_name, language_code=language_code)

    async def tick(self) -> None:
        """Do what is due by the simulated clock, as the scheduler would."""
        await self.runtime.ticker.tick()
        async with self.runtime.sessions() as session:
            waits = [
                await outbox.next_attempt(session),
                await planner.next_planning(session),
                await follow_up.next_moment(session),
            ]
        self._next_wake = min((w for w in waits if w is not None), default=NOTHING_WAITS)

    @property
    def next_wake(self) -> datetime:
        """When something is next due, as of the last tick (now, if a write may have made work)."""
        return self.clock.now() if self._next_wake is None else self._next_wake

    async def tick_if_due(self) -> None:
        """Tick only if something has come due since the last tick, or a write queued, planned or
        changed something the scheduler looks at: a tick with nothing due does nothing, so
        updates and long simulations skip those."""
        if self._next_wake is None or self.clock.now() >= self._next_wake:
            await self.tick()

    async def start(self) -> None:
        await self.telegram.start()
        await self._start_application()

    async def restart(self, *, while_stopped: Callable[[], Awaitable[None]] | None = None) -> None:
        """Stop the bot and start a new one on the same database, as after a crash or a deploy
        (the tests copy a database in or out ``while_stopped``)."""
        await self._stop_application()
        if while_stopped is not None:
            await while_stopped()
        await self._start_application()

    async def stop(self) -> None:
        await self._stop_application()
        await self.telegram.stop()

    async def _start_application(self) -> None:
        settings = self._settings.with_overrides(bot_token=SANDBOX_TOKEN, telegram_api_url=self.telegram.url)
        tracker = UpdateTracker()
        self.telegram.tracker = tracker
        self.telegram.after_update = self.tick_if_due  # the scheduler wakes after an update that made work
        self._next_wake = None
        app = build_application(settings, clock=self.clock, update_processor=tracker, tick_seconds=None)
        event.listen(Session, "after_flush", self._note_flush)
        event.listen(Session, "do_orm_execute", self._note_statement)
        await app.initialize()
        if app.post_init is not None:
            await app.post_init(app)
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES)
        await app.start()
        self.application = app

    def _note_flush(self, session: Session, _context: object) -> None:
        """(Any session of this process counts: a test may queue work through its own engine.)"""
        if any(isinstance(row, WAKING) for row in (*session.new, *session.dirty, *session.deleted)):
            self._next_wake = None

    def _note_statement(self, state: ORMExecuteState) -> None:
        if not state.is_select and any(mapper.class_ in WAKING for mapper in state.all_mappers):
            self._next_wake = None

    async def _stop_application(self) -> None:
        if event.contains(Session, "after_flush", self._note_flush):
            event.remove(Session, "after_flush", self._note_flush)
            event.remove(Session, "do_orm_execute", self._note_statement)
        app, self.application = self.application, None
        if app is not None:
            assert app.updater is not None
            if app.updater.running:
                stopping = asyncio.create_task(app.updater.stop())
                await asyncio.sleep(0)  # the updater now waits for its last getUpdates ...
                self.telegram.wake_pollers()  # ... which returns at once
                await stopping
            if app.running:
                await app.stop()
            if app.post_stop is not None:
                await app.post_stop(app)
            await app.shutdown()
            if app.post_shutdown is not None:
                await app.post_shutdown(app)

    async def __aenter__(self) -> Sandbox:
        try:
            await self.start()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()
