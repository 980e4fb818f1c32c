"""Where pictures and PDFs are rendered: a small pool of worker processes, so a render (0.3–3 s of
CPU, some 50 MB at its peak) never holds the event loop or anyone else's update. A thread is not
enough: WeasyPrint's layout is Python and holds the GIL.

The pool starts with the first render (a bot nobody asks a picture of never loads WeasyPrint),
its workers are ``spawn``-ed (safe next to asyncio and threads), run at a lower priority than the
bot, are replaced after a number of renders (memory a render leaves behind goes with them) and
are stopped after a while without renders. ``workers=0`` renders in this process, in a thread, as
the tests do for speed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from typing import ParamSpec, TypeVar

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

#: A render that takes longer than this is given up (and its worker stopped).
TIMEOUT_SECONDS = 60.0
#: Renders waiting for a worker beyond this many are refused at once (the person gets the text).
MAX_WAITING = 16
#: A worker is replaced after this many renders (fonts and caches are loaded again: about a second).
RENDERS_PER_WORKER = 25
#: The pool is stopped after this long without renders; the next render starts it again.
IDLE_SECONDS = 300.0
#: Workers are this much "nicer" than the bot: its replies come first when the cores are busy.
NICENESS = 10


class Failed(RuntimeError):
    """The render failed, took too long, or too many were waiting; nothing was made."""


def default_workers() -> int:
    """Half the cores, at least one: the other half stays with the bot's event loop."""
    return max(1, (os.cpu_count() or 2) // 2)


def _start_worker() -> None:
    os.nice(NICENESS)


class Renderer:
    """Runs render functions (module-level, with picklable arguments and results) off the event loop."""

    def __init__(
        self,
        workers: int,
        *,
        timeout: float = TIMEOUT_SECONDS,
        idle_seconds: float = IDLE_SECONDS,
        max_waiting: int = MAX_WAITING,
    ) -> None:
        self.workers = workers
        self.timeout = timeout
        self.idle_seconds = idle_seconds
        self.max_waiting = max_waiting
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._slots = asyncio.Semaphore(max(1, workers))
        self._waiting = 0
        self._idle: asyncio.TimerHandle | None = None
        self.started = 0  # pools started (for tests and the benchmark)

    @property
    def in_process(self) -> bool:
        return self.workers == 0

    async def run(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``function(*args)`` in a worker. Raises what it raised (e.g. ``render.Unavailable``), or
        :class:`Failed` when it could not be done in time or at all."""
        if self._waiting >= self.max_waiting:
            log.warning("render.refused waiting=%s", self._waiting)
            raise Failed("too many waiting")
        self._waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
        try:
            return await self._run(function, *args, **kwargs)
        finally:
            self._slots.release()
            self._keep_until_idle()

    async def _run(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await self._run_somewhere(function, *args, **kwargs)
        except Failed:
            raise
        except Exception as error:  # a bug or a document the libraries choke on: the person is told, the bot goes on
            log.exception("render.failed error=%s", type(error).__name__)
            raise Failed(type(error).__name__) from error

    async def _run_somewhere(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        if self.in_process:
            return await asyncio.wait_for(asyncio.to_thread(function, *args, **kwargs), self.timeout)
        pool = self._started()
        loop = asyncio.get_running_loop()
        try:
            future = loop.run_in_executor(pool, _call, function, args, kwargs)
            return await asyncio.wait_for(future, self.timeout)
        except TimeoutError:
            log.warning("render.timeout seconds=%s", self.timeout)
            self._stop(pool, kill=True)
            raise Failed("took too long") from None
        except BrokenProcessPool:
            log.warning("render.worker_lost")
            self._stop(pool, kill=True)
            raise Failed("worker lost") from None

    def _started(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._pool is None:
            self._pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                max_tasks_per_child=RENDERS_PER_WORKER,
            )
            self.started += 1
            log.info("render.pool_started workers=%s", self.workers)
        return self._pool

    def _stop(self, pool: concurrent.futures.ProcessPoolExecutor, *, kill: bool) -> None:
        if self._pool is pool:
            self._pool = None
        if kill:  # a stuck render cannot be cancelled: its worker is ended (a new pool starts next time)
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    def _keep_until_idle(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
        if self._pool is not None and self.idle_seconds > 0:
            self._idle = asyncio.get_running_loop().call_later(self.idle_seconds, self._stop_if_idle)

    def _stop_if_idle(self) -> None:
        self._idle = None
        if self._pool is not None and self._waiting == 0 and not self._slots.locked():
            log.info("render.pool_stopped idle_seconds=%s", self.idle_seconds)
            self._stop(self._pool, kill=False)

    async def close(self) -> None:
        """Stop the workers (with the application); a render under way is given up."""
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        if (pool := self._pool) is not None:
            self._pool = None
            processes = list((getattr(pool, "_processes", None) or {}).values())
            try:
                async with asyncio.timeout(5):
                    await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
            except TimeoutError:  # a render under way: its worker is ended
                for process in processes:
                    process.kill()


def _call(function: Callable[..., T], args: tuple[object, ...], kwargs: dict[str, object]) -> T:
    return function(*args, **kwargs)
