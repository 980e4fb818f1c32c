"""``python -m tests.benchmarks``: run the benchmarks and print their tables. Not part of ``pytest``.

python -m tests.benchmarks      # dispatch of 10,000 circles; handling; scale at 1k/10k/100k; two processes
python -m tests.benchmarks --circles 1000 --sizes 1000 10000 --deliveries 2000   # a quicker look
python -m tests.benchmarks --only files                     # one of them (dispatch, handling, scale, processes, files)
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from tests.benchmarks import dispatch, handling, plan_files, processes, scale
from tests.postgres import PostgresUnavailable


def table(rows: list[dict[str, object]]) -> str:
    headers = list(rows[0])
    widths = [max(len(str(h)), *(len(str(r[h])) for r in rows)) for h in headers]
    lines = [
        " | ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True)),
        "-+-".join("-" * w for w in widths),
    ]
    lines += [" | ".join(str(r[h]).ljust(w) for h, w in zip(headers, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def main(circles: int, sizes: list[int], database_url: str | None, deliveries: int, only: str | None = None) -> None:
    if only in (None, "files"):
        print(
            "\n5. Plan files: the picture, the A4 plan, how it went and the calendar, by circle size "
            f"(median of {plan_files.RUNS} runs; the PDF is what the picture is drawn from)\n"
        )
        print(table(plan_files.run()), flush=True)
    if only == "files":
        return
    with tempfile.TemporaryDirectory(prefix="kring-bench-") as folder:
        result = asyncio.run(dispatch.run(Path(folder), circles, database_url))
        print(
            "\n1. Dispatch: every check-in and reminder due in the same minute (goals: ≥ 0.9 of 30/s, "
            "0 429s, ≤ 2 s from due to the first send, nothing missed or doubled)\n"
        )
        print(table([result]), flush=True)
        print(
            "\n2. Handling: 200 people at once, next to a bare python-telegram-bot echo bot on the same fake API "
            "(goals: ≥ 0.7× its throughput, ≤ 2× its p99)\n"
        )
        print(table([asyncio.run(handling.run(Path(folder)))]), flush=True)
        print(
            "\n3. Scale: start-up, memory, and one scheduler tick (the cost should follow what is due, "
            "not what is scheduled)\n"
        )
        print(table(scale.run(Path(folder), sizes)), flush=True)
    print(
        f"\n4. Several processes: two Kring processes on one PostgreSQL send {deliveries:,} deliveries; one is "
        "killed and started again (goals: 0 lost; doubled only by a send the kill cut off)\n"
    )
    try:
        print(table([asyncio.run(processes.run(deliveries))]), flush=True)
    except PostgresUnavailable as error:
        print(f"(skipped: {error}; install the Debian package postgresql)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m tests.benchmarks", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--circles", type=int, default=10_000, help="circles in the dispatch benchmark")
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000], help="circles in the scale benchmark"
    )
    parser.add_argument(
        "--database-url", help="PostgreSQL for the dispatch benchmark (postgresql+asyncpg://…); SQLite by default"
    )
    parser.add_argument("--deliveries", type=int, default=10_000, help="deliveries in the several-processes benchmark")
    parser.add_argument("--only", choices=["files"], help="run only this benchmark")
    args = parser.parse_args()
    main(args.circles, args.sizes, args.database_url, args.deliveries, args.only)
