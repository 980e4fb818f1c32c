"""Prometheus metrics (``/metrics``), with the well-kept client library: what was sent, failed or
retried, how deep and how late the outbox is, how long handlers take, and Telegram's errors by
code. Counts and durations only: no ids, names or texts in any label.

Each application has its own registry, so several in one process (the tests) never mix.
"""

from __future__ import annotations

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
from telegram.ext import SimpleUpdateProcessor

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


class TimedUpdateProcessor(SimpleUpdateProcessor):
    """Handles updates one at a time (as python-telegram-bot does by default), timing each."""

    def __init__(self, metrics: Metrics, max_concurrent_updates: int = 1) -> None:
        super().__init__(max_concurrent_updates)
        self.metrics = metrics

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        started = time.perf_counter()
        try:
            await coroutine
        finally:
            self.metrics.handler_latency.observe(time.perf_counter() - started)
