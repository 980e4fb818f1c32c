"""Benchmark: what one update costs Kring, next to a bare python-telegram-bot echo bot in the same
run. CPU is process time per update, one update at a time (the fake Bot API runs in the same
process, so both bots' numbers include its share alike); peak memory is the Python allocations
(tracemalloc) above the level before the update, in a separate pass so tracing does not slow the
CPU pass. No Telegram ceiling: the fake API refuses nothing, so only the bots' own cost shows.

Rows: ``/help`` (a known person, privately), a button press (the check-in menu in the group), a
check-in answer ("😊 Goed" on a check-in just sent), and the echo bot's reply to a command. Then
the floor under any update that must know who wrote: one read session with one SELECT by key, on
SQLite (aiosqlite: every statement a hop to the connection's thread) and on PostgreSQL (asyncpg),
measured alone.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.clock import SimulatedClock
from bot.config import load_settings
from sandbox.fake_telegram import FakeTelegram
from sandbox.harness import SANDBOX_TOKEN, Sandbox
from tests.conftest import START, TEST_KEY
from tests.journey import set_up_circle

#: Updates measured per kind in each repeat (after a few unmeasured ones to warm up).
UPDATES = 40
WARM_UP = 5
#: Updates traced for peak memory per kind in each repeat.
TRACED = 8
REPEATS = 3

Step = Callable[[], Awaitable[Callable[[], Awaitable[object]]]]
"""Prepares one update (unmeasured) and returns the call that sends it and waits for the reply."""


async def _measure(step: Step, count: int, *, traced: bool, clock: SimulatedClock | None) -> list[float]:
    """Per update: CPU ms, or (traced) peak KiB above the start."""
    values = []
    for _ in range(count):
        update = await step()
        if clock is not None:
            clock.advance(timedelta(seconds=20))  # at a person's pace: the flood guard stays out of it
        gc.collect()
        if traced:
            tracemalloc.start()
            base = tracemalloc.get_traced_memory()[0]
            await update()
            values.append((tracemalloc.get_traced_memory()[1] - base) / 1024)
            tracemalloc.stop()
        else:
            began = time.process_time()
            await update()
            values.append((time.process_time() - began) * 1000)
    return values


async def _measure_all(
    steps: dict[str, Step], updates: int, clock: SimulatedClock | None = None
) -> dict[str, tuple[float, float]]:
    """Per kind: median CPU ms and median peak KiB of this repeat."""
    result = {}
    for name, step in steps.items():
        await _measure(step, WARM_UP, traced=False, clock=clock)
        cpu = await _measure(step, updates, traced=False, clock=clock)
        memory = await _measure(step, TRACED, traced=True, clock=clock)
        result[name] = (statistics.median(cpu), statistics.median(memory))
    return result


async def _kring(folder: Path, repeat: int, updates: int) -> dict[str, tuple[float, float]]:
    path = folder / f"cost-{repeat}.sqlite3"
    settings = load_settings({"KRING_DATABASE_URL": f"sqlite+aiosqlite:///{path}", "KRING_SECRET_KEY": TEST_KEY})
    async with Sandbox(settings, SimulatedClock(START), bot_username="kring_test_bot") as sandbox:
        c = await set_up_circle(sandbox, fresh=True)
        sandbox.telegram.after_update = None  # the scheduler ticks on its own, not per update

        async def help_() -> Callable[[], Awaitable[object]]:
            return lambda: c.fatima.send("/help")

        async def press() -> Callable[[], Awaitable[object]]:
            (menu,) = await c.fatima.send("/checkin", chat=c.group)
            return lambda: c.fatima.press(menu, "Hoe vaak vraag ik hoe het gaat?")

        async def answer() -> Callable[[], Awaitable[object]]:
            (menu,) = await c.fatima.send("/checkin", chat=c.group)
            await c.fatima.press(menu, "Nu een check-in")
            await sandbox.tick()  # (the check-in goes out through the outbox)
            checkin = next(
                m for m in reversed(sandbox.telegram.messages_in(c.group.id)) if "😊 Goed" in m.button_texts()
            )
            return lambda: c.fatima.press(checkin, "😊 Goed")

        steps = {"/help": help_, "button press": press, "check-in answer": answer}
        return await _measure_all(steps, updates, sandbox.clock)


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text("echo")


async def _echo_bot(updates: int) -> dict[str, tuple[float, float]]:
    async with FakeTelegram(SANDBOX_TOKEN) as telegram:
        application = Application.builder().token(SANDBOX_TOKEN).base_url(f"{telegram.url}/bot").build()
        application.add_handler(CommandHandler("help", _echo))
        await application.initialize()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=1)
        await application.start()
        try:
            user = telegram.user(5_000_001, "Persoon")
            user.private_chat.started = True

            async def help_() -> Callable[[], Awaitable[object]]:
                last = max((m.message_id for m in telegram.messages_in(user.id)), default=0)

                async def send() -> object:
                    await telegram.push_update({"message": user._message_json(user.private_chat, "/help", None)})
                    return await telegram.wait_for_message(user.id, after=last)

                return send

            return await _measure_all({"echo /help": help_}, updates)
        finally:
            await application.updater.stop()
            await application.stop()
            await application.shutdown()


async def _one_read(database_url: str, sessions: int = 300) -> float:
    """CPU ms for a read session with one SELECT by key (after the schema is made)."""
    from sqlalchemy import select

    from bot.db import crypto, migrate
    from bot.db.models import Person
    from bot.db.session import create_engine, create_read_sessionmaker

    crypto.use_key(crypto.decode_key(TEST_KEY))
    engine = create_engine(database_url)
    try:
        await migrate.upgrade(engine)
        reads = create_read_sessionmaker(engine)
        for _ in range(WARM_UP):
            async with reads() as session:
                await session.scalar(select(Person.id).where(Person.telegram_user_id == 1))
        started = time.process_time()
        for _ in range(sessions):
            async with reads() as session:
                await session.scalar(select(Person.id).where(Person.telegram_user_id == 1))
        return 1000 * (time.process_time() - started) / sessions
    finally:
        await engine.dispose()


async def _database_floor(folder: Path) -> dict[str, list[float]]:
    from tests.postgres import PostgresServer, PostgresUnavailable

    floor = {
        "floor: 1 read session, 1 SELECT (SQLite)": [await _one_read(f"sqlite+aiosqlite:///{folder / 'floor.db'}")]
    }
    try:
        server = PostgresServer()
        server.start()
    except PostgresUnavailable:
        return floor
    try:
        floor["floor: 1 read session, 1 SELECT (PostgreSQL)"] = [await _one_read(server.url())]
    finally:
        server.stop()
    return floor


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


async def run(folder: Path, updates: int = UPDATES, repeats: int = REPEATS) -> list[dict[str, object]]:
    """Alternating echo and Kring ``repeats`` times; each row: median of the repeats' medians, with
    the lowest and highest, and the ratio of the medians to the echo bot's CPU per update."""
    runs: dict[str, list[tuple[float, float]]] = {}
    for repeat in range(repeats):
        for name, (cpu, memory) in (await _echo_bot(updates)).items():
            runs.setdefault(name, []).append((cpu, memory))
        for name, (cpu, memory) in (await _kring(folder, repeat, updates)).items():
            runs.setdefault(name, []).append((cpu, memory))
    echo_cpu = statistics.median(cpu for cpu, _ in runs["echo /help"])
    floors = await _database_floor(folder)
    return [
        {
            "update": name,
            "CPU ms/update": _spread([cpu for cpu, _ in values]),
            "× echo CPU": round(statistics.median(cpu for cpu, _ in values) / echo_cpu, 2),
            "peak KiB/update": _spread([memory for _, memory in values]),
            "repeats": len(values),
        }
        for name, values in runs.items()
    ] + [
        {
            "update": name,
            "CPU ms/update": _spread(values),
            "× echo CPU": round(statistics.median(values) / echo_cpu, 2),
            "peak KiB/update": "–",
            "repeats": 1,
        }
        for name, values in floors.items()
    ]


if __name__ == "__main__":  # python -m tests.benchmarks.cost
    import tempfile

    from tests.benchmarks.__main__ import table

    with tempfile.TemporaryDirectory(prefix="kring-cost-") as folder:
        print(table(asyncio.run(run(Path(folder)))))
