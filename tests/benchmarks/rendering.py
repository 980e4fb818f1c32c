"""Rendering off the path: 80 people send ``/help`` while one circle member asks for the picture
twice; their p99 next to the same run without pictures (goal ≤ 1.5×). Rows: Kring's own update
processor (each chat in order, chats in parallel) and, to compare, one update at a time (the old
way), each with pictures in worker processes and in a thread of the bot's own process (the old way). Plus idle memory: a started Kring (as ``kring run`` starts
it) next to a started bare echo bot, each in a fresh process, and Kring after a picture.

Heavy imports are inside the functions: ``python -m tests.benchmarks.rendering --idle …`` measures
a fresh interpreter."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections import deque
from pathlib import Path
from typing import Any

PEOPLE = 80
PICTURES = 2
#: The /help messages are spread over this many seconds, so they meet the renders.
SPREAD_SECONDS = 2.0
COORDINATOR = 2_000_001  # (the first circle's coordinator in tests.benchmarks.world)
ROOT = Path(__file__).resolve().parents[2]
#: sandbox.harness.SANDBOX_TOKEN, written out: a fresh interpreter measured must not import the sandbox.
TOKEN = "123456:sandbox-token-for-the-fake-telegram-api"


def _rss_mb(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _children_rss_mb() -> float:
    """The resident memory of this process's children (the render workers)."""
    total = 0.0
    for task in Path("/proc/self/task").iterdir():
        children = (task / "children").read_text().split()
        total += sum(_rss_mb(pid) for pid in children)
    return total


async def _one_run(folder: Path, *, concurrent: bool, workers: int, pictures: int) -> dict[str, float]:
    from telegram.ext import SimpleUpdateProcessor

    from bot.app import build_application
    from bot.clock import SystemClock
    from bot.config import load_settings
    from sandbox.fake_telegram import FakeTelegram
    from sandbox.harness import SANDBOX_TOKEN
    from tests.benchmarks.world import BENCH_KEY, build_world, sqlite_url

    url = sqlite_url(folder, f"rendering-{time.monotonic_ns()}.sqlite3")
    async with FakeTelegram(SANDBOX_TOKEN) as telegram:
        await build_world(url, 1, due_in=__import__("datetime").timedelta(days=1), telegram=telegram, plan=False)
        settings = load_settings(
            {
                "KRING_DATABASE_URL": url,
                "KRING_BOT_TOKEN": SANDBOX_TOKEN,
                "KRING_TELEGRAM_API_URL": telegram.url,
                "KRING_SECRET_KEY": BENCH_KEY,
            }
        ).with_overrides(render_workers=workers)
        processor = None if concurrent else SimpleUpdateProcessor(max_concurrent_updates=1)
        application = build_application(settings, clock=SystemClock(), update_processor=processor, tick_seconds=None)
        pushed: dict[int, deque[float]] = {}
        latencies: list[float] = []

        def arrived(event: Any) -> None:
            if event.kind == "bot" and pushed.get(event.chat_id):
                latencies.append(time.monotonic() - pushed[event.chat_id].popleft())

        telegram.on_event = arrived
        await application.initialize()
        assert application.post_init is not None and application.updater is not None
        await application.post_init(application)
        await application.updater.start_polling(poll_interval=0, timeout=1)
        await application.start()
        try:
            coordinator = telegram.user(COORDINATOR, "Ouder")
            await telegram.push_update({"message": coordinator._message_json(coordinator.private_chat, "/plan", None)})
            plan = await telegram.wait_for_message(COORDINATOR, timeout=30)
            while not plan.button_texts():
                plan = await telegram.wait_for_message(COORDINATOR, after=plan.message_id, timeout=30)
            button = next(text for text in plan.button_texts() if "plaatje" in text)

            async def press() -> None:
                chat = coordinator.private_chat
                await telegram.push_update(
                    {
                        "callback_query": {
                            "id": telegram.new_callback_id(),
                            "from": coordinator.info,
                            "chat_instance": str(chat.id),
                            "message": telegram._message_json(plan, chat),
                            "data": plan.callback_data(button),
                        }
                    }
                )

            def photos() -> int:
                return sum(1 for m in telegram.messages_in(COORDINATOR) if m.photo is not None)

            if pictures:  # one first: the worker starts and loads its libraries (as after the first of the day)
                await press()
                async with asyncio.timeout(60):
                    while photos() < 1:
                        await asyncio.sleep(0.05)
            users = [telegram.user(5_000_000 + n, f"Persoon {n}") for n in range(PEOPLE)]
            begin = time.monotonic()
            for _picture in range(pictures):
                await press()
            for user in users:
                user.private_chat.started = True
                pushed.setdefault(user.id, deque()).append(time.monotonic())
                await telegram.push_update({"message": user._message_json(user.private_chat, "/help", None)})
                await asyncio.sleep(SPREAD_SECONDS / PEOPLE)
            async with asyncio.timeout(120):
                while len(latencies) < PEOPLE or photos() < (1 + pictures if pictures else 0):
                    await asyncio.sleep(0.05)
            elapsed = time.monotonic() - begin
        finally:
            await application.updater.stop()
            await application.stop()
            await application.shutdown()
            assert application.post_shutdown is not None
            await application.post_shutdown(application)
    ordered = sorted(latencies)
    return {
        "p50": statistics.median(ordered),
        "p99": ordered[max(0, int(len(ordered) * 0.99) - 1)],
        "elapsed": elapsed,
    }


async def latency_rows(folder: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for concurrent in (True, False):
        for workers, where in ((1, "worker process"), (0, "thread (old way)")):
            quiet = await _one_run(folder, concurrent=concurrent, workers=workers, pictures=0)
            busy = await _one_run(folder, concurrent=concurrent, workers=workers, pictures=PICTURES)
            rows.append(
                {
                    "updates handled": "each chat in order (Kring)" if concurrent else "one at a time (before)",
                    "pictures rendered in": where,
                    "/help p50/p99 s, no pictures": f"{quiet['p50']:.3f}/{quiet['p99']:.3f}",
                    f"/help p50/p99 s, {PICTURES} pictures": f"{busy['p50']:.3f}/{busy['p99']:.3f}",
                    "p99 ratio (goal ≤ 1.5)": round(busy["p99"] / quiet["p99"], 2),
                }
            )
    return rows


# -- idle memory ----------------------------------------------------------------------------------


async def _idle_child(which: str, url: str, database: str) -> dict[str, float]:
    """In a fresh interpreter: start a bot on the fake API at ``url``; its resident memory."""
    result: dict[str, float] = {}
    if which == "echo":
        from telegram.ext import AIORateLimiter, Application, CommandHandler

        async def echo(update: Any, _context: Any) -> None:
            await update.effective_message.reply_text("echo")

        application: Any = (
            Application.builder()
            .token(TOKEN)
            .base_url(f"{url}/bot")
            .rate_limiter(AIORateLimiter(overall_max_rate=1, overall_time_period=1 / 29, max_retries=0))
            .build()
        )
        application.add_handler(CommandHandler("help", echo))
    else:
        from bot import cli
        from bot.app import build_application
        from bot.config import load_settings
        from bot.db import crypto

        cli._warn_without_pictures()  # (as `kring run` starts)
        settings = load_settings(
            {
                "KRING_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
                "KRING_BOT_TOKEN": TOKEN,
                "KRING_TELEGRAM_API_URL": url,
                "KRING_SECRET_KEY": crypto.encode_key(bytes(range(1, 65))),
            }
        )
        application = build_application(settings)
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    await asyncio.sleep(1)
    result["started"] = _rss_mb()
    if which == "kring":
        from bot.i18n import use_language
        from bot.plan_files import pool, render
        from tests.benchmarks.plan_files import NOW, _circle

        with use_language("nl"):
            from bot.plan_files import layout

            page = layout.picture_page(_circle(4)[0], NOW.date())
        renderer = pool.Renderer(1)
        await renderer.run(render.png, page)
        result["after a picture"] = _rss_mb()
        result["worker"] = _children_rss_mb()
        await renderer.close()
    await application.stop()
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
    return result


async def idle_rows(python_path: str | None = None) -> list[dict[str, object]]:
    """Kring and the echo bot, each started in a fresh interpreter (alternating, median of three).
    Kring starts as it does every day: on its database at the newest revision (a first start,
    unmeasured, made it); the first start after an upgrade also loads Alembic (about 20 MB)."""
    from sandbox.fake_telegram import FakeTelegram
    from sandbox.harness import SANDBOX_TOKEN

    assert TOKEN == SANDBOX_TOKEN
    measured: dict[str, list[dict[str, float]]] = {"echo": [], "kring": []}
    database = Path(tempfile.mkdtemp(prefix="kring-idle-")) / "idle.sqlite3"
    async with FakeTelegram(SANDBOX_TOKEN) as telegram:
        for which in ["kring"] + 3 * list(measured):  # the first only makes the database
            child = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.benchmarks.rendering",
                "--idle",
                which,
                telegram.url,
                str(database),
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": python_path or str(ROOT)},
            )
            out, _err = await child.communicate()
            measured[which].append(json.loads(out.decode().strip().splitlines()[-1]))
    measured["kring"].pop(0)

    def median(which: str, key: str) -> float:
        return statistics.median(m[key] for m in measured[which])

    echo, kring = median("echo", "started"), median("kring", "started")
    return [
        {
            "echo bot MB": round(echo, 1),
            "Kring started MB": round(kring, 1),
            "ratio (aim ≤ 1.5)": round(kring / echo, 2),
            "Kring after a picture MB": round(median("kring", "after a picture"), 1),
            "its render worker MB (until 5 idle min)": round(median("kring", "worker"), 1),
        }
    ]


def run(folder: Path | None = None) -> list[dict[str, object]]:
    """Both tables' rows (the latency rows first, then the idle-memory row)."""
    with tempfile.TemporaryDirectory(prefix="kring-rendering-") as scratch:
        rows = asyncio.run(latency_rows(folder or Path(scratch)))
    return rows + asyncio.run(idle_rows())


if __name__ == "__main__":
    if sys.argv[1:2] == ["--idle"]:
        print(json.dumps(asyncio.run(_idle_child(sys.argv[2], sys.argv[3], sys.argv[4]))))
    else:
        with tempfile.TemporaryDirectory(prefix="kring-rendering-") as scratch:
            for row in asyncio.run(latency_rows(Path(scratch))):
                print(row, flush=True)
        for row in asyncio.run(idle_rows()):
            print(row, flush=True)
