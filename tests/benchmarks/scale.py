"""Benchmark 3, scale: with 1,000 / 10,000 / 100,000 circles in the database, how long Kring takes
to start, how much memory it holds, and what one scheduler tick costs — with nothing due, and with
100 schedules due. Each size runs in its own process, so the memory figure is its own."""

from __future__ import annotations

import asyncio
import json
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from bot.db.models import Schedule
from bot.runtime import runtime_of
from sandbox.fake_telegram import FakeTelegram
from sandbox.harness import SANDBOX_TOKEN
from tests.benchmarks.world import application_for, build_world, sqlite_url

DUE = 100


async def measure(folder: Path, circles: int) -> dict[str, object]:
    async with FakeTelegram(SANDBOX_TOKEN) as telegram:
        world = await build_world(
            sqlite_url(folder, f"scale-{circles}.sqlite3"), circles, due_in=timedelta(days=1), telegram=None, plan=False
        )
        started = time.monotonic()
        application = application_for(world.database_url, telegram, tick_seconds=3600)  # ticks by hand below
        await application.initialize()
        await application.post_init(application)  # type: ignore[misc]
        ready = time.monotonic() - started
        runtime = runtime_of(application)
        try:
            idle = []
            for _ in range(10):
                begin = time.monotonic()
                await runtime.ticker.tick()
                idle.append(time.monotonic() - begin)
            async with runtime.sessions.begin() as session:  # 100 schedules come due
                await session.execute(update(Schedule).where(Schedule.id <= DUE).values(next_due_at=datetime.now(UTC)))
            begin = time.monotonic()
            await runtime.ticker.tick()
            busy = time.monotonic() - begin
        finally:
            await application.post_stop(application)  # type: ignore[misc]
            await application.shutdown()
            await application.post_shutdown(application)  # type: ignore[misc]
    return {
        "circles": circles,
        "start-up s": round(ready, 2),
        "peak RSS MB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "tick, nothing due ms": round(statistics.median(idle) * 1000, 1),
        f"tick, {DUE} due ms": round(busy * 1000, 1),
    }


def run(folder: Path, sizes: list[int]) -> list[dict[str, object]]:
    """Each size in a fresh process (``python -m tests.benchmarks.scale SIZE FOLDER``)."""
    rows = []
    for size in sizes:
        result = subprocess.run(
            [sys.executable, "-m", "tests.benchmarks.scale", str(size), str(folder)],
            capture_output=True,
            text=True,
            check=True,
        )
        rows.append(json.loads(result.stdout.strip().splitlines()[-1]))
    return rows


if __name__ == "__main__":
    print(json.dumps(asyncio.run(measure(Path(sys.argv[2]), int(sys.argv[1])))))
