"""Benchmark 2, handling: 200 people use Kring at once (commands, in their private chats). Reported:
updates a second and p50/p99 reply latency, each next to a bare python-telegram-bot echo bot
measured in the same run on the same fake Bot API (with the same rate limiter: both meet
Telegram's limits)."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import deque
from pathlib import Path

from telegram import Update
from telegram.ext import AIORateLimiter, Application, CommandHandler, ContextTypes

from sandbox.fake_telegram import Event, FakeTelegram, TelegramLimits
from sandbox.harness import SANDBOX_TOKEN
from tests.benchmarks.world import application_for, sqlite_url

PEOPLE = 200
EACH = ("/start", "/help", "/privacy")


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text("echo")


def _echo_bot(telegram: FakeTelegram) -> Application:  # type: ignore[type-arg]
    application = (
        Application.builder()
        .token(SANDBOX_TOKEN)
        .base_url(f"{telegram.url}/bot")
        .rate_limiter(AIORateLimiter(overall_max_rate=1, overall_time_period=1 / 29, max_retries=0))
        .build()
    )
    for command in ("start", "help", "privacy"):
        application.add_handler(CommandHandler(command, _echo))
    return application


async def _load(telegram: FakeTelegram, application: Application) -> dict[str, float]:  # type: ignore[type-arg]
    """Every person sends each command once, all at the same moment; time each reply."""
    pushed: dict[int, deque[float]] = {}
    latencies: list[float] = []
    telegram.on_event = lambda event: _arrived(event, pushed, latencies)
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    await application.start()
    try:
        users = [telegram.user(5_000_000 + n, f"Persoon {n}") for n in range(PEOPLE)]
        begin = time.monotonic()
        for text in EACH:
            for user in users:
                user.private_chat.started = True
                pushed.setdefault(user.id, deque()).append(time.monotonic())
                await telegram.push_update({"message": user._message_json(user.private_chat, text, None)})
        while len(latencies) < PEOPLE * len(EACH) and time.monotonic() - begin < 600:
            await asyncio.sleep(0.2)
        elapsed = time.monotonic() - begin
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
    ordered = sorted(latencies)
    return {
        "updates/s": len(latencies) / elapsed,
        "p50 s": statistics.median(ordered),
        "p99 s": ordered[int(len(ordered) * 0.99) - 1] if ordered else float("nan"),
    }


def _arrived(event: Event, pushed: dict[int, deque[float]], latencies: list[float]) -> None:
    """One reply per command, in order: each reply is timed from its own command."""
    if event.kind == "bot" and pushed.get(event.chat_id):
        latencies.append(time.monotonic() - pushed[event.chat_id].popleft())


async def run(folder: Path) -> dict[str, object]:
    results = {}
    for name in ("echo", "kring"):
        async with FakeTelegram(SANDBOX_TOKEN) as telegram:
            telegram.limits = TelegramLimits()
            application = (
                _echo_bot(telegram)
                if name == "echo"
                else application_for(sqlite_url(folder, "handling.sqlite3"), telegram)
            )
            results[name] = await _load(telegram, application)
    kring, echo = results["kring"], results["echo"]
    return {
        "people": PEOPLE,
        "updates": PEOPLE * len(EACH),
        "kring upd/s": round(kring["updates/s"], 1),
        "echo upd/s": round(echo["updates/s"], 1),
        "throughput ratio": round(kring["updates/s"] / echo["updates/s"], 2),
        "kring p50/p99 s": f"{kring['p50 s']:.2f}/{kring['p99 s']:.2f}",
        "echo p50/p99 s": f"{echo['p50 s']:.2f}/{echo['p99 s']:.2f}",
        "p99 ratio": round(kring["p99 s"] / echo["p99 s"], 2),
    }
