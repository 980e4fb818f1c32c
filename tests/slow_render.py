"""A render that holds the GIL for a second or so (a C loop that never lets go), then draws: what a
thread could not keep off the event loop. Its own small module, so a worker process that
unpickles it loads little."""

from __future__ import annotations

from bot.plan_files import render


def slow_png(html: str) -> render.Picture:
    sum(range(40_000_000))
    return render.png(html)
