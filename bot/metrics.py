"""Prometheus metrics (``/metrics``), with the well-kept client library: what was sent, failed or
retried, how deep and how late the outbox is, how long handlers take, and Telegram's errors by
code. Counts and durations only: no ids, names or texts in any label.

Each application has its own registry, so several in one process (the tests) never mix.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from telegram import Update
from telegram.ext import BaseUpdateProcessor

from scheduler.sender import SendReport

CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.sent = Counter("kring_deliveries_sent", "Messages Kring sent from its outbox.", registry=self.registry)
        self.failed = Counter("kring_deliveries_failed", "Outbox messages given up on.", registry=self.registry)
        self.retried = Counter(
            "kring_deliveries_retried", "Outbox messages put back to try again.", registry=self.registry
        )
        self.skipped = Counter(
            "kring_deliveries_skipped", "Outbox messages no longer relevant.", registry=self.registry
        )
        self.telegram_errors = Counter(
            "kring_telegram_errors", "Errors from the Bot API, by code.", ["code"], registry=self.registry
        )
        self.telegram_429 = Counter(
            "kring_telegram_429",
            "Times Telegram asked Kring to wait (429): replies and the outbox alike.",
            registry=self.registry,
        )
        self.outbox_depth = Gauge(
            "kring_outbox_depth", "Outbox messages waiting (pending or being sent).", registry=self.registry
        )
        self.outbox_lag = Gauge(
            "kring_outbox_lag_seconds", "How long the oldest due message has been waiting.", registry=self.registry
        )
        self.last_tick = Gauge(
            "kring_last_tick_timestamp_seconds", "When the scheduler last ticked (Unix time).", registry=self.registry
        )
        self.updates_skipped = Counter(
            "kring_updates_skipped",
            "Updates not handled: unreadable, a duplicate update_id, or a kind Kring does not handle.",
            ["reason"],
            registry=self.registry,
        )
        self.webhook_refused = Counter(
            "kring_webhook_refused", "Webhook calls refused: no or a wrong secret token.", registry=self.registry
        )
        self.handler_latency = Histogram(
            "kring_handler_latency_seconds",
            "Time to handle one update.",
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )

    def count_send_report(self, report: SendReport) -> None:
        self.sent.inc(report.sent)
        self.failed.inc(report.failed)
        self.retried.inc(report.retried)
        self.skipped.inc(report.skipped)
        for code, count in report.errors.items():
            self.telegram_errors.labels(code=code).inc(count)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class OrderedUpdateProcessor(BaseUpdateProcessor):
    """Handles different chats at once, each chat (and each person) strictly in arrival order,
    timing each update.

    An update waits for every earlier update that shares a key with it: its chat, and the person
    who sent it (so one person's private chat, their drafts and their presses in a group stay in
    order; in a private chat the two keys are the same number). Keys are taken in arrival order
    without waiting, so waits only point back in time and cannot deadlock.

    Two bounds: ``running`` updates are handled at once; ``waiting`` (python-telegram-bot's own
    bound) updates may be admitted, most of them waiting for their chat's turn, so a chat that
    sends many updates holds one running place, not all of them.
    """

    def __init__(self, metrics: Metrics | None = None, *, running: int = 24, waiting: int = 1024) -> None:
        super().__init__(max_concurrent_updates=max(waiting, running, 2))
        self.metrics = metrics
        self.running = running
        self._places = asyncio.Semaphore(running)
        #: Per key, the "done" of the last update admitted with it.
        self._last: dict[int, asyncio.Future[None]] = {}

    @staticmethod
    def keys_of(update: object) -> tuple[int, ...]:
        """The chat and the person behind an update (none for the few kinds that have neither)."""
        if not isinstance(update, Update):
            return ()
        chat, user = update.effective_chat, update.effective_user
        return tuple({key.id: None for key in (chat, user) if key is not None})

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        keys = self.keys_of(update)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        before = [self._last[key] for key in keys if key in self._last]
        for key in keys:
            self._last[key] = done
        started = False
        try:
            if before:
                await asyncio.wait(before)  # (not cancelled with us: the chain stays intact)
            async with self._places:
                started = True
                began = time.perf_counter()
                try:
                    await coroutine
                finally:
                    if self.metrics is not None:
                        self.metrics.handler_latency.observe(time.perf_counter() - began)
        finally:
            if not started and inspect.iscoroutine(coroutine):
                coroutine.close()  # cancelled while waiting its turn
            self._release(keys, done, before)

    def _release(self, keys: tuple[int, ...], done: asyncio.Future[None], before: list[asyncio.Future[None]]) -> None:
        """Let the next update of these keys go, but never before the earlier ones are done (this
        one may have been cancelled while they still run)."""
        waiting = [future for future in before if not future.done()]
        if waiting:
            waiting[0].add_done_callback(lambda _future: self._release(keys, done, waiting))
            return
        done.set_result(None)
        for key in keys:
            if self._last.get(key) is done:
                del self._last[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free: python-telegram-bot waits for the updates it handed over."""
