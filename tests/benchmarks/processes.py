"""Benchmark: several processes, one pace. Two and three Kring processes on one PostgreSQL send
the same due deliveries through a fake Telegram that allows 30 messages a second (a 429 beyond
that); a third of the way the process that holds the send lease is killed (SIGKILL, mid-send).

Reported per row: 429s (goal 0), lost (goal 0), doubled (only a send the kill cut off), the
outbox's throughput against Telegram's 30/s (its pace is 27/s, leaving replies headroom), how
long until another process held the lease, and the longest silence people saw."""

from __future__ import annotations

import asyncio
import itertools
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import asyncpg

from sandbox.fake_telegram import FakeTelegram, TelegramLimits
from sandbox.harness import SANDBOX_TOKEN
from scheduler.sender import OUTBOX_PER_SECOND
from tests.benchmarks.world import application_for, build_world
from tests.postgres import PostgresServer

TELEGRAM_PER_SECOND = 30


def _start_worker(database_url: str, api_url: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.benchmarks.processes", database_url, api_url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def run(deliveries: int = 900, process_counts: tuple[int, ...] = (2, 3)) -> list[dict[str, object]]:
    """One row per number of processes; ``deliveries`` each (≈ deliveries / 25 s of sending)."""
    server = PostgresServer()
    server.start()
    try:
        return [await _one_run(server, deliveries, count) for count in process_counts]
    finally:
        server.stop()


async def _one_run(server: PostgresServer, deliveries: int, count: int) -> dict[str, object]:
    name = f"bench{count}"
    connection = await asyncpg.connect(host="127.0.0.1", port=server.port, user=server.user, database="postgres")
    await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    url = server.url(name)
    async with FakeTelegram(SANDBOX_TOKEN) as telegram:
        # every message planned and waiting (due in the future), so none goes before all processes run
        world = await build_world(url, deliveries // 2, due_in=timedelta(minutes=5), telegram=telegram)
        database = await asyncpg.connect(host="127.0.0.1", port=server.port, user=server.user, database=name)
        arrived: list[tuple[float, int]] = []
        telegram.on_event = lambda event: (
            arrived.append((time.monotonic(), event.chat_id)) if event.kind == "bot" else None
        )
        telegram.limits = TelegramLimits(per_second=TELEGRAM_PER_SECOND)
        workers = [_start_worker(url, telegram.url) for _ in range(count)]
        try:
            while await database.fetchval("SELECT count(*) FROM workers") < count:  # all of them ticking
                await asyncio.sleep(0.2)
            await database.execute(  # the check-ins and reminders fall due now (not tomorrow's follow-ups)
                "UPDATE deliveries SET next_attempt_at = now() WHERE status = 'pending' AND due_at <= $1", world.due
            )
            while len(arrived) < deliveries // 3:
                await asyncio.sleep(0.05)
            holder = await database.fetchval("SELECT holder FROM send_leases")
            pid = int(holder.rsplit(":", 2)[1])
            killed = next(w for w in workers if w.pid == pid)
            killed.send_signal(signal.SIGKILL)  # no goodbye: its lease and its claims stay behind
            killed_at = time.monotonic()
            killed.wait()
            while await database.fetchval("SELECT holder FROM send_leases") == holder:
                await asyncio.sleep(0.05)
            replaced = time.monotonic() - killed_at
            wanted = set(world.group_ids) | set(world.network_ids)
            deadline = time.monotonic() + deliveries / 20 + 60
            while len({chat for _, chat in arrived} & wanted) < len(wanted) and time.monotonic() < deadline:
                await asyncio.sleep(0.5)
            await asyncio.sleep(2)  # (a late double would show)
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.send_signal(signal.SIGTERM)
            for worker in workers:
                worker.wait(timeout=60)
            await database.close()
    times = [t for t, chat in arrived if chat in wanted]
    per_chat = Counter(chat for _, chat in arrived if chat in wanted)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    silence = max(gaps, default=0.0)
    # the pace while sending: without the silences (the lease running out; the killed sender's
    # claimed rows coming back once none of its sends can still be on its way)
    sending = times[-1] - times[0] - sum(gap for gap in gaps if gap > 1) if len(times) > 1 else float("nan")
    rate = (len(times) - 1) / sending if sending > 0 else float("nan")
    return {
        "processes": count,
        "deliveries": deliveries,
        "429s": telegram.limits.refused,
        "lost": len(wanted - set(per_chat)),
        "doubled": sum(n - 1 for n in per_chat.values() if n > 1),
        f"msg/s (outbox pace {OUTBOX_PER_SECOND:g})": round(rate, 1),
        "vs 30/s": f"{rate / TELEGRAM_PER_SECOND:.2f}×",
        "killed sender replaced after s": round(replaced, 1),
        "longest silence s": round(silence, 1),
    }


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
