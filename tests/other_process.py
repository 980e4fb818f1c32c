"""Run a second, real ``kring run`` process against the sandbox's fake Telegram and database while
the sandbox's own bot is stopped: what that process does can only come from what is stored and
registered, never from this process's memory."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from sandbox.harness import SANDBOX_TOKEN, Sandbox
from tests.conftest import TEST_KEY
from tests.journey import STALE


async def while_another_process_runs(
    sandbox: Sandbox, tmp_path: Path, act: Callable[[], Awaitable[None]], done: Callable[[], bool]
) -> None:
    """Stop the sandbox's bot, start ``kring run``, ``act`` (send or press), wait until ``done()``
    (the other process answered), stop it cleanly, and start the sandbox's bot again."""

    async def in_other_process() -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KRING_")}
        env.update(
            KRING_BOT_TOKEN=SANDBOX_TOKEN,
            KRING_TELEGRAM_API_URL=sandbox.telegram.url,
            KRING_DATABASE_URL=sandbox.settings.database_url,
            KRING_SECRET_KEY=TEST_KEY,
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path, stderr=asyncio.subprocess.PIPE
        )
        tracker, sandbox.telegram.tracker = sandbox.telegram.tracker, None  # (the other process handles it)
        try:
            await act()
            async with asyncio.timeout(30):
                while not done():
                    assert STALE not in [a.get("text") for a in sandbox.telegram.callback_answers.values()]
                    await asyncio.sleep(0.05)
        finally:
            sandbox.telegram.tracker = tracker
            process.send_signal(signal.SIGTERM)
            finished = asyncio.ensure_future(process.communicate())
            async with asyncio.timeout(30):
                while not finished.done():
                    sandbox.telegram.wake_pollers()  # (ends its last long poll at once)
                    await asyncio.wait([finished], timeout=0.1)
        assert process.returncode == 0, finished.result()[1].decode()

    await sandbox.restart(while_stopped=in_other_process)
