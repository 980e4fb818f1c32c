"""Benchmark 3, scale: planning cost follows due work. One database of 25,000 circles (50,000
schedules: each circle's check-in and a neighbour's weekly agreement); one scheduler tick of a
started Kring (its real work: heartbeat, planning in chunks, follow-up, the outbox) with nothing
due, and with 100 / 10,000 / 50,000 schedules due at once. Reported per size: ms per tick and per
due item (median of ``repeats``, with the spread), SQL statements per tick, and the ratio to the
goal (≤ 2 ms per due item; nothing due ~10 ms). Between repeats the planned rows are removed and
the same schedules made due again, so every repeat plans the same work.

``python -m tests.benchmarks.scale [--postgres] [--due 100 10000 50000]`` runs it on its own."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, event, func, select, update

from bot.db.models import AgreementOccurrence, CheckinRound, Delivery, Schedule
from bot.runtime import runtime_of
from sandbox.fake_telegram import FakeTelegram
from sandbox.harness import SANDBOX_TOKEN
from scheduler import planner
from tests.benchmarks.world import application_for, build_world, sqlite_url

DUE = (100, 10_000, 50_000)
GOAL_PER_ITEM_MS = 2.0
GOAL_IDLE_MS = 10.0


def run(
    folder: Path, due: tuple[int, ...] = DUE, repeats: int = 3, database_url: str | None = None
) -> list[dict[str, object]]:
    """The table's rows: nothing due, then each size (a database of ``max(due) / 2`` circles)."""
    return asyncio.run(measure(database_url or sqlite_url(folder, "scale.sqlite3"), due, repeats))


async def measure(database_url: str, due: tuple[int, ...], repeats: int) -> list[dict[str, object]]:
    circles = max(due) // 2
    started = time.monotonic()
    world = await build_world(database_url, circles, due_in=timedelta(days=1), telegram=None, plan=False)
    built = time.monotonic() - started
    database = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
    rows: list[dict[str, object]] = []
    async with FakeTelegram(SANDBOX_TOKEN) as telegram:
        application = application_for(world.database_url, telegram, tick_seconds=3600)  # ticks by hand below
        await application.initialize()
        await application.post_init(application)  # type: ignore[misc]
        runtime = runtime_of(application)
        statements = Statements(runtime.engine.sync_engine)
        try:
            idle = []
            for _ in range(10):
                with statements.counting(), _timed(idle):
                    await runtime.ticker.tick()
            rows.append(_row(database, circles, 0, idle, statements.last, GOAL_IDLE_MS))
            for size in due:
                times: list[float] = []
                queued = 0
                for _ in range(repeats):
                    async with runtime.sessions.begin() as session:
                        await _make_due(session, size)
                    with statements.counting(), _timed(times):
                        await runtime.ticker.tick()
                    async with runtime.sessions() as session:
                        queued = await session.scalar(select(func.count()).select_from(Delivery)) or 0
                assert queued == size // 2 * 3, (queued, size)  # (a check-in and its nudge; a reminder)
                rows.append(_row(database, circles, size, times, statements.last, GOAL_PER_ITEM_MS * size))
        finally:
            await application.post_stop(application)  # type: ignore[misc]
            await application.shutdown()
            await application.post_shutdown(application)  # type: ignore[misc]
    rows[0]["setup s"] = round(built, 1)
    for row in rows[1:]:
        row["setup s"] = ""
    return rows


async def _make_due(session: Any, size: int) -> None:
    """The first ``size / 2`` circles' check-in and agreement due now, as if never planned."""
    for model in (Delivery, CheckinRound, AgreementOccurrence):
        await session.execute(delete(model))
    now = datetime.now(UTC)
    await session.execute(update(Schedule).values(next_due_at=now + timedelta(days=3)))
    await session.execute(
        update(Schedule)
        .where(Schedule.circle_id <= size // 2)
        .values(next_due_at=now, planned_until=now - timedelta(minutes=1))
    )


def _row(
    database: str, circles: int, due: int, seconds: list[float], statements: int, goal_ms: float
) -> dict[str, object]:
    ms = [s * 1000 for s in seconds]
    median = statistics.median(ms)
    return {
        "database": database,
        "circles": f"{circles:,}",
        "due": f"{due:,}",
        "tick ms (median)": round(median, 1),
        "spread ms": f"{min(ms):.0f}–{max(ms):.0f}",
        "ms per due item": round(median / due, 2) if due else "",
        "SQL per tick": statements,
        "of goal": round(median / goal_ms, 2),  # ≤ 1: met (goal: 2 ms a due item; nothing due 10 ms)
        "runs": len(ms),
    }


@contextmanager
def _timed(into: list[float]) -> Iterator[None]:
    begin = time.perf_counter()
    yield
    into.append(time.perf_counter() - begin)


class Statements:
    """SQL statements sent while counting (the last count is kept)."""

    def __init__(self, engine: Any) -> None:
        self.count = 0
        self.last = 0
        self.on = False
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: object) -> None:
        if self.on:
            self.count += 1

    @contextmanager
    def counting(self) -> Iterator[None]:
        self.count, self.on = 0, True
        try:
            yield
        finally:
            self.on, self.last = False, self.count


def _postgres_url() -> tuple[Any, str]:
    import asyncpg

    from tests.postgres import PostgresServer

    server = PostgresServer()
    server.start()

    async def create() -> None:
        connection = await asyncpg.connect(host="127.0.0.1", port=server.port, user=server.user, database="postgres")
        await connection.execute('CREATE DATABASE "scale"')
        await connection.close()

    asyncio.run(create())
    return server, server.url("scale")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.scale", description=__doc__)
    parser.add_argument("--due", type=int, nargs="+", default=list(DUE))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--postgres", action="store_true", help="also on a throwaway PostgreSQL (tests/postgres.py)")
    args = parser.parse_args(argv)
    from tests.benchmarks.__main__ import table

    with tempfile.TemporaryDirectory(prefix="kring-scale-") as folder:
        rows = run(Path(folder), tuple(args.due), args.repeats)
    if args.postgres:
        server, url = _postgres_url()
        try:
            rows += run(Path("."), tuple(args.due), args.repeats, database_url=url)
        finally:
            server.stop()
    print(f"planning per chunk of {planner.CHUNK} schedules, one transaction each")
    print(table(rows))


if __name__ == "__main__":
    main(sys.argv[1:])
