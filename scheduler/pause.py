"""One pause per bot: after Telegram's 429, nothing at all is sent until ``retry_after`` has passed.

Telegram's flood control is per bot, not per code path, so the pause sits where every request
passes: python-telegram-bot's rate limiter (:class:`~telegram.ext.BaseRateLimiter`). Replies,
edits, answers to button presses, files and the outbox all wait for the same pause. The pause runs
on Kring's clock, so a simulated clock (tests, the demo) moves it too.

- A request made during the pause waits for its end, if that comes within its patience (a reply:
  ``reply_wait``, 30 seconds), and is then sent. The outbox has no patience (:data:`NO_WAIT`): it
  gives its rows back and sends them after the pause.
- A request that meets a 429 starts (or lengthens) the pause, is counted (``on_429``) and logged
  at WARNING without a traceback, and is tried again after the pause within its patience.
- A request whose patience runs out first raises :class:`~telegram.error.RetryAfter` without
  having been sent.

Pacing (about 30 messages a second, 20 a minute per group) is python-telegram-bot's own
:class:`~telegram.ext.AIORateLimiter`, given as ``pacing``; python-telegram-bot's own handling of
``RetryAfter`` is not used, because it re-opens its pause whenever any request finishes.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.clock import Clock

log = logging.getLogger(__name__)

Result = bool | dict[str, Any] | list[dict[str, Any]]


@dataclass(frozen=True)
class Patience:
    """How long one request may wait for a pause to end (python-telegram-bot's
    ``rate_limit_args``)."""

    seconds: float


#: The outbox's requests: never wait; the rows go back in the queue until the pause has passed.
NO_WAIT = Patience(0)
#: How many 429s in a row one request meets before it gives up (each is waited out first).
MAX_REFUSALS = 3


class _Refused(Exception):
    """A 429, carried past the pacing limiter (which would log it as an error)."""

    def __init__(self, error: RetryAfter) -> None:
        super().__init__(error.message)
        self.error = error


class _PausedMeanwhile(Exception):
    """A 429 arrived while this request waited for its turn: it was not sent."""


class TelegramPause(BaseRateLimiter[Patience]):
    def __init__(
        self,
        clock: Clock,
        *,
        pacing: BaseRateLimiter[Any] | None = None,
        reply_wait: timedelta = timedelta(seconds=30),
        on_429: Callable[[], None] | None = None,
        poll_seconds: float = 0.05,
    ) -> None:
        self.clock = clock
        self.pacing = pacing
        self.reply_wait = reply_wait
        self.on_429 = on_429
        self.poll_seconds = poll_seconds
        #: Until when nothing is sent (``None``: no pause yet).
        self.until: datetime | None = None

    async def initialize(self) -> None:
        if self.pacing is not None:
            await self.pacing.initialize()

    async def shutdown(self) -> None:
        if self.pacing is not None:
            await self.pacing.shutdown()

    def remaining(self) -> timedelta:
        """How long the pause still runs (zero: none)."""
        if self.until is None:
            return timedelta(0)
        return max(self.until - self.clock.now(), timedelta(0))

    def paused(self) -> bool:
        return self.remaining() > timedelta(0)

    def begin(self, wait: timedelta) -> datetime:
        """Telegram asked to wait ``wait``: the pause ends then, or later if it already did."""
        end = self.clock.now() + wait
        if self.until is None or end > self.until:
            self.until = end
        return self.until

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Patience | None,
    ) -> Result:
        patience = timedelta(seconds=rate_limit_args.seconds) if rate_limit_args else self.reply_wait
        deadline = self.clock.now() + patience
        refusals = 0

        async def checked(*a: Any, **kw: Any) -> Result:
            if self.paused():  # a 429 came while this request waited for its turn
                raise _PausedMeanwhile
            try:
                return await callback(*a, **kw)
            except RetryAfter as error:
                raise _Refused(error) from None

        while True:
            await self._wait_out(deadline)
            try:
                if self.pacing is None:
                    return await checked(*args, **kwargs)
                return await self.pacing.process_request(checked, args, kwargs, endpoint, data, None)
            except _PausedMeanwhile:
                continue
            except _Refused as refused:
                refusals += 1
                self._note_429(refused.error, endpoint, data)
                if refusals >= MAX_REFUSALS:
                    raise refused.error from None

    async def _wait_out(self, deadline: datetime) -> None:
        """Wait for the pause to end, or raise ``RetryAfter`` at once if it ends after ``deadline``."""
        while (left := self.remaining()) > timedelta(0):
            if self.until is not None and self.until > deadline:
                raise RetryAfter(math.ceil(left.total_seconds()))
            await asyncio.sleep(min(left.total_seconds(), self.poll_seconds))

    def _note_429(self, error: RetryAfter, endpoint: str, data: dict[str, Any]) -> None:
        wait = error.retry_after
        until = self.begin(wait if isinstance(wait, timedelta) else timedelta(seconds=wait))
        if self.on_429 is not None:
            self.on_429()
        chat_id = data.get("chat_id")
        log.warning(
            "Telegram asked to wait: nothing is sent until then",
            extra={
                "endpoint": endpoint,
                "chat_id": chat_id if isinstance(chat_id, int) else None,
                "seconds": round((until - self.clock.now()).total_seconds(), 1),
            },
        )
