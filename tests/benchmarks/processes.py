"""Benchmark 4, several processes: two Kring processes on one PostgreSQL send 10,000 due
deliveries while one of them is killed (SIGKILL, mid-send) and started again. Reported: lost
deliveries (goal 0) and doubled ones (only a send cut off by the kill may double), with the time
it took and the 429s the two together earned."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import asyncpg

from sandbox.fake_telegram import FakeTelegram, TelegramLimits
from sandbox.harness import SANDBOX_TOKEN
from tests.benchmarks.world import application_for, build_world
from tests.postgres import PostgresServer

RESTART_AFTER = 10.0  # seconds between the kill and the new start


def _start_worker(database_url: str, api_url: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.benchmarks.processes", database_url, api_url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def run(deliveries: int = 10_000) -> dict[str, object]:
    server = PostgresServer()
    server.start()
    try:
        connection = await asyncpg.connect(host="127.0.0.1", port=server.port, user=server.user, database="postgres")
        await connection.execute('CREATE DATABASE "bench"')
        await connection.close()
        url = server.url("bench")
        async with FakeTelegram(SANDBOX_TOKEN) as telegram:
            circles = deliveries // 2
            world = await build_world(url, circles, due_in=timedelta(seconds=30 + circles * 0.05), telegram=telegram)
            arrived: list[tuple[float, int]] = []
            telegram.on_event = lambda event: (
                arrived.append((time.monotonic(), event.chat_id)) if event.kind == "bot" else None
            )
            telegram.limits = TelegramLimits()
            workers = [_start_worker(url, telegram.url) for _ in range(2)]
            await asyncio.sleep(max(0.0, (world.due - datetime.now(UTC)).total_seconds()))
            started = time.monotonic()
            while not arrived and time.monotonic() - started < 120:
                await asyncio.sleep(0.2)
            await asyncio.sleep(deliveries / 29 / 3)  # a third of the way
            workers[0].send_signal(signal.SIGKILL)  # no goodbye: its claims stay until their lease runs out
            workers[0].wait()
            await asyncio.sleep(RESTART_AFTER)
            workers[0] = _start_worker(url, telegram.url)
            wanted = set(world.group_ids) | set(world.network_ids)
            deadline = time.monotonic() + deliveries / 20 + 300
            while len({chat for _, chat in arrived} & wanted) < len(wanted) and time.monotonic() < deadline:
                await asyncio.sleep(1)
            await asyncio.sleep(5)
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=30)
            per_chat = Counter(chat for _, chat in arrived if chat in wanted)
            took = arrived[-1][0] - arrived[0][0] if arrived else float("nan")
            return {
                "deliveries": deliveries,
                "processes": 2,
                "killed": "1 (SIGKILL), restarted",
                "took s": round(took, 1),
                "lost": len(wanted - set(per_chat)),
                "doubled": sum(count - 1 for count in per_chat.values() if count > 1),
                "429s": telegram.limits.refused,
            }
    finally:
        server.stop()


async def _worker(database_url: str, api_url: str) -> None:
    """One Kring process: the ticker plans and sends until the process is stopped."""
    application = application_for(database_url, api_url)
    await application.initialize()
    await application.post_init(application)  # type: ignore[misc]
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await application.post_stop(application)  # type: ignore[misc]
    await application.shutdown()
    await application.post_shutdown(application)  # type: ignore[misc]


if __name__ == "__main__":
    asyncio.run(_worker(sys.argv[1], sys.argv[2]))
