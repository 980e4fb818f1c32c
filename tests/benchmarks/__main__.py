"""``python -m tests.benchmarks``: run the benchmarks and print a table. Not part of ``pytest``.

    python -m tests.benchmarks                 # dispatch of 10,000 circles (about 12 minutes)
    python -m tests.benchmarks --circles 1000  # a quicker look
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from tests.benchmarks import dispatch


def table(rows: list[dict[str, object]]) -> str:
    headers = list(rows[0])
    widths = [max(len(str(h)), *(len(str(r[h])) for r in rows)) for h in headers]
    lines = [" | ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True)),
             "-+-".join("-" * w for w in widths)]
    lines += [" | ".join(str(r[h]).ljust(w) for h, w in zip(headers, widths, strict=True)) for r in rows]
    return "\n".join(lines)


async def main(circles: int, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory(prefix="kring-bench-") as folder:
        result = await dispatch.run(Path(folder), circles, database_url)
    print("\n1. Dispatch: all check-ins and reminders due in the same minute (goal: ≥ 0.9 of 30/s, 0 429s, "
          "≤ 2 s to the first send, nothing missed or doubled)\n")
    print(table([result]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__)
    parser.add_argument("--circles", type=int, default=10_000)
    parser.add_argument("--database-url", help="a PostgreSQL URL (postgresql+asyncpg://…); SQLite by default")
    args = parser.parse_args()
    asyncio.run(main(args.circles, args.database_url))
