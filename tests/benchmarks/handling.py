"""Benchmark, handling: 200 people use Kring at once (three commands each, in their private chats).
Reported: updates a second, p50/p99 reply latency and CPU per update, each next to a bare
python-telegram-bot echo bot measured in the same run on the same fake Bot API.

Each bot runs in a process of its own (as it would beside the real Telegram), so its CPU time is its
own and the fake's work does not count against it. Telegram's 30 messages a second is lifted in the
fake and neither bot paces itself: with the ceiling both would meet the same wall, and what shows
now is each bot's own cost."""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import subprocess
import sys
import time
from collections import deque
from pathlib import Path

from sandbox.fake_telegram import Event, FakeTelegram
from sandbox.harness import SANDBOX_TOKEN
from tests.benchmarks.world import sqlite_url

PEOPLE = 200
EACH = ("/start", "/help", "/privacy")
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def memory_mb(pid: int, field: str = "VmRSS") -> float:
    """Resident memory (``VmRSS``) or its peak so far (``VmHWM``) of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _start(bot: str, api_url: str, database_url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.benchmarks.bots", bot, api_url, database_url], stdout=subprocess.PIPE, text=True
    )


async def _measure(telegram: FakeTelegram, bot: str, database_url: str, people: int) -> dict[str, float]:
    """Start the bot in its own process; every person sends each command once, all at the same
    moment; time each reply from its own command."""
    process = _start(bot, telegram.url, database_url)
    try:
        assert process.stdout is not None
        ready = await asyncio.to_thread(process.stdout.readline)
        assert ready.strip() == "ready", f"the {bot} bot did not start"
        await asyncio.sleep(1)  # let it settle into polling
        idle_mb, cpu_before = memory_mb(process.pid), cpu_seconds(process.pid)
        pushed: dict[int, deque[float]] = {}
        latencies: list[float] = []
        telegram.on_event = lambda event: _arrived(event, pushed, latencies)
        users = [telegram.user(5_000_000 + n, f"Persoon {n}") for n in range(people)]
        begin = time.monotonic()
        for text in EACH:
            for user in users:
                user.private_chat.started = True
                pushed.setdefault(user.id, deque()).append(time.monotonic())
                await telegram.push_update({"message": user._message_json(user.private_chat, text, None)})
        while len(latencies) < people * len(EACH) and time.monotonic() - begin < 600:
            await asyncio.sleep(0.05)
        elapsed = time.monotonic() - begin
        cpu = cpu_seconds(process.pid) - cpu_before
        peak_mb = memory_mb(process.pid, "VmHWM")
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.to_thread(process.wait, 60)
    ordered = sorted(latencies)
    return {
        "updates/s": len(latencies) / elapsed,
        "p50 s": statistics.median(ordered),
        "p99 s": ordered[int(len(ordered) * 0.99) - 1],
        "cpu ms": 1000 * cpu / len(latencies),
        "idle MB": idle_mb,
        "peak MB": peak_mb,
    }


def _arrived(event: Event, pushed: dict[int, deque[float]], latencies: list[float]) -> None:
    """One reply per command, in order: each reply is timed from its own command."""
    if event.kind == "bot" and pushed.get(event.chat_id):
        latencies.append(time.monotonic() - pushed[event.chat_id].popleft())


async def run(folder: Path, people: int = PEOPLE) -> list[dict[str, object]]:
    results = {}
    for bot in ("echo", "kring"):
        async with FakeTelegram(SANDBOX_TOKEN) as telegram:
            results[bot] = await _measure(telegram, bot, sqlite_url(folder, f"handling-{people}.sqlite3"), people)
    kring, echo = results["kring"], results["echo"]
    return [
        {
            "updates": people * len(EACH),
            "kring upd/s": round(kring["updates/s"], 1),
            "echo upd/s": round(echo["updates/s"], 1),
            "throughput ratio (≥ 0.7)": round(kring["updates/s"] / echo["updates/s"], 2),
            "kring p50/p99 s": f"{kring['p50 s']:.3f}/{kring['p99 s']:.3f}",
            "echo p50/p99 s": f"{echo['p50 s']:.3f}/{echo['p99 s']:.3f}",
            "p99 ratio (≤ 2)": round(kring["p99 s"] / echo["p99 s"], 2),
            "kring CPU ms/upd": round(kring["cpu ms"], 2),
            "echo CPU ms/upd": round(echo["cpu ms"], 2),
            "CPU ratio (≤ 1.5)": round(kring["cpu ms"] / echo["cpu ms"], 2),
            "kring idle/peak MB": f"{kring['idle MB']:.0f}/{kring['peak MB']:.0f}",
            "echo idle/peak MB": f"{echo['idle MB']:.0f}/{echo['peak MB']:.0f}",
        }
    ]
