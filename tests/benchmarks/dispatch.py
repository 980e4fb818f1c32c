"""Benchmark 1, dispatch: every circle's check-in and every neighbour's reminder fall due in the
same minute. Kring runs as in production (real clock, rate limiter) against a fake Bot API that
enforces Telegram's limits, ticking at the production interval (so "due → first send" includes
the wait for the next tick, as in production). Reported: messages a second as a share of the 30/s
ceiling, 429s, time from due to first send, missed and doubled deliveries."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import build_application
from sandbox.fake_telegram import Event, FakeTelegram, TelegramLimits
from sandbox.harness import SANDBOX_TOKEN
from tests.benchmarks.world import application_for, build_world, sqlite_url

CEILING = 30.0
#: How often Kring's scheduler wakes in production (``build_application``'s default).
PRODUCTION_TICK: float = inspect.signature(build_application).parameters["tick_seconds"].default


async def run(folder: Path, circles: int, database_url: str | None = None) -> dict[str, object]:
    async with FakeTelegram(SANDBOX_TOKEN) as telegram:
        started = time.monotonic()
        # due once everything is written and planned and Kring runs (about 10 ms a circle here)
        world = await build_world(
            database_url or sqlite_url(folder),
            circles,
            due_in=timedelta(seconds=30 + circles * 0.015),
            telegram=telegram,
        )
        setup_seconds = time.monotonic() - started
        arrived: list[tuple[float, int]] = []
        telegram.on_event = lambda event: arrived.append((time.monotonic(), event.chat_id)) if _is_send(event) else None
        telegram.limits = TelegramLimits()
        application = application_for(world.database_url, telegram, tick_seconds=PRODUCTION_TICK)
        await application.initialize()
        await application.post_init(application)  # type: ignore[misc]
        await application.start()
        try:
            due_monotonic = time.monotonic() + (world.due - datetime.now(UTC)).total_seconds()
            expected = 2 * circles
            deadline = due_monotonic + expected / CEILING * 3 + 60
            while len(arrived) < expected and time.monotonic() < deadline:
                await asyncio.sleep(0.5)
            await asyncio.sleep(2)  # anything doubled would show up now
        finally:
            await application.stop()
            await application.post_stop(application)  # type: ignore[misc]
            await application.shutdown()
            await application.post_shutdown(application)  # type: ignore[misc]
    per_chat = Counter(chat for _, chat in arrived)
    wanted = set(world.group_ids) | set(world.network_ids)
    times = sorted(at for at, chat in arrived if chat in wanted)
    span = times[-1] - times[0] if len(times) > 1 else float("nan")
    rate = (len(times) - 1) / span if len(times) > 1 else 0.0
    return {
        "circles": circles,
        "tick s": PRODUCTION_TICK,
        "messages": len(times),
        "setup s": round(setup_seconds, 1),
        "msgs/s": round(rate, 1),
        "of 30/s": round(rate / CEILING, 2),
        "429s": telegram.limits.refused if telegram.limits else 0,
        "due→first send s": round(times[0] - due_monotonic, 2) if times else None,
        "missed": len(wanted - set(per_chat)),
        "doubled": sum(count - 1 for chat, count in per_chat.items() if chat in wanted and count > 1),
    }


def _is_send(event: Event) -> bool:
    return event.kind == "bot"
