"""``python -m tests.benchmarks``: run the benchmarks and print their tables. Not part of ``pytest``.

python -m tests.benchmarks                          # every benchmark once
python -m tests.benchmarks --only handling cost     # some of them, by name (see the list below)
python -m tests.benchmarks --only handling --repeat 3   # median of three runs, with the spread

Every number a benchmark reports is shown as the median of the runs; with ``--repeat`` above 1 the
spread (lowest–highest) follows in brackets. Ratios compare Kring with a floor measured in the same
run (a bare python-telegram-bot echo bot, or the same run without the extra load).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.benchmarks import cost, dispatch, handling, plan_files, processes, rendering, scale
from tests.postgres import PostgresUnavailable

Row = dict[str, object]


@dataclass(frozen=True)
class Benchmark:
    name: str
    title: str
    run: Callable[[argparse.Namespace, Path], list[Row]]


BENCHMARKS = [
    Benchmark(
        "handling",
        "Handling: 200 people × 3 commands at once, Telegram's ceiling lifted, next to a bare "
        "python-telegram-bot echo bot in the same run (goals: ≥ 0.7× its throughput, ≤ 2× its p99)",
        lambda args, folder: asyncio.run(handling.run(folder, people=args.people)),
    ),
    Benchmark(
        "cost",
        "Cost per update: CPU ms (process time, one update at a time, the fake Bot API in the same process, no "
        "Telegram ceiling) and peak Python memory per update, next to a bare echo bot (goal: /help ≤ 1.5× echo CPU)",
        lambda args, folder: asyncio.run(cost.run(folder)),
    ),
    Benchmark(
        "dispatch",
        "Dispatch at the production tick (5 s): every check-in and reminder due in the same minute (goals: "
        "≥ 0.9 of 30/s, 0 429s, nothing missed or doubled; the first send within a tick of being due)",
        lambda args, folder: [asyncio.run(dispatch.run(folder, args.circles, args.database_url))],
    ),
    Benchmark(
        "scale",
        "Scale: one scheduler tick with nothing due and with 100 / 10,000 / 50,000 schedules due, in a database of "
        "25,000 circles (goals: ≤ 2 ms per due item, nothing due ~10 ms; SQL statements independent of what is due)",
        lambda args, folder: scale.run(folder, tuple(args.due), database_url=args.database_url),
    ),
    Benchmark(
        "processes",
        "Several processes: two and three Kring processes on one PostgreSQL send the same deliveries; the "
        "sender (the lease holder) is killed a third of the way (goals: 0 429s, 0 lost, doubled only by a send "
        "the kill cut off, the outbox at 27/s of Telegram's 30/s, the killed sender replaced within its 15 s lease)",
        lambda args, folder: asyncio.run(processes.run(args.deliveries)),
    ),
    Benchmark(
        "rendering",
        "Rendering off the path: 80 people's /help p50/p99 while one member gets 2 pictures, next to the same "
        "run without (goal ≤ 1.5×)",
        lambda args, folder: asyncio.run(rendering.latency_rows(folder)),
    ),
    Benchmark(
        "idle",
        "Idle memory: a started Kring (as `kring run` starts it) next to a started echo bot, fresh processes, "
        "median of 3 (aim ≤ 1.5×)",
        lambda args, folder: asyncio.run(rendering.idle_rows()),
    ),
    Benchmark(
        "render-cost",
        "Plan files: CPU ms and peak memory above idle per render, each in a fresh worker process (goal ≤ 60 MB)",
        lambda args, folder: plan_files.costs(),
    ),
    Benchmark(
        "files",
        "Plan files: the picture, the A4 plan, how it went and the calendar, by circle size (seconds)",
        lambda args, folder: plan_files.run(),
    ),
]
NAMES = [benchmark.name for benchmark in BENCHMARKS]


def combine(runs: list[list[Row]]) -> list[Row]:
    """One table from repeated runs: each number the median, with the spread when there were several
    runs; anything else as the first run had it."""
    combined = []
    for rows in zip(*runs, strict=True):
        row: Row = {}
        for key, first in rows[0].items():
            values = [r[key] for r in rows]
            if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
                numbers = [float(v) for v in values]  # type: ignore[arg-type]
                row[key] = _number(statistics.median(numbers), first)
                if len(numbers) > 1:
                    row[key] = f"{row[key]} ({_number(min(numbers), first)}–{_number(max(numbers), first)})"
            else:
                row[key] = first
        combined.append(row)
    return combined


def _number(value: float, like: object) -> object:
    if isinstance(like, int):
        return round(value)
    return round(value, 2) if abs(value) >= 1 else round(value, 3)


def table(rows: list[Row]) -> str:
    headers = list(rows[0])
    widths = [max(len(str(h)), *(len(str(r[h])) for r in rows)) for h in headers]
    lines = [
        " | ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True)),
        "-+-".join("-" * w for w in widths),
    ]
    lines += [" | ".join(str(r[h]).ljust(w) for h, w in zip(headers, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def main(args: argparse.Namespace) -> None:
    chosen = [b for b in BENCHMARKS if not args.only or b.name in args.only]
    for number, benchmark in enumerate(chosen, start=1):
        runs = "" if args.repeat == 1 else f" — median of {args.repeat} runs (lowest–highest)"
        print(f"\n{number}. [{benchmark.name}] {benchmark.title}{runs}\n", flush=True)
        try:
            with tempfile.TemporaryDirectory(prefix="kring-bench-") as folder:
                results = [benchmark.run(args, Path(folder)) for _ in range(args.repeat)]
        except PostgresUnavailable as error:
            print(f"(skipped: {error}; install the Debian package postgresql)")
            continue
        print(table(combine(results)), flush=True)


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tests.benchmarks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="benchmarks: " + "; ".join(f"{b.name}: {b.title}" for b in BENCHMARKS),
    )
    parser.add_argument("--only", nargs="+", choices=NAMES, metavar="NAME", help="run only these: " + ", ".join(NAMES))
    parser.add_argument("--repeat", type=int, default=1, help="runs of each benchmark (median and spread)")
    parser.add_argument("--people", type=int, default=handling.PEOPLE, help="people in the handling benchmark")
    parser.add_argument("--circles", type=int, default=10_000, help="circles in the dispatch benchmark")
    parser.add_argument(
        "--due", type=int, nargs="+", default=list(scale.DUE), help="schedules due at once in the scale benchmark"
    )
    parser.add_argument(
        "--database-url",
        help="PostgreSQL for the dispatch and scale benchmarks (postgresql+asyncpg://…); SQLite by default",
    )
    parser.add_argument("--deliveries", type=int, default=900, help="deliveries in the several-processes benchmark")
    return parser


if __name__ == "__main__":
    main(parser().parse_args())
