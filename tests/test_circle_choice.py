"""The "Voor welke kring?" buttons work in any Kring process, also one started after they were sent."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from telegram.ext import CallbackQueryHandler

import bot.handlers
from bot.handlers.circle_choice import CircleCommand
from sandbox.fake_telegram import SentMessage
from sandbox.harness import SANDBOX_TOKEN, Sandbox
from tests.conftest import TEST_KEY
from tests.journey import STALE, family_group, new_circle, register_professional


async def test_a_circle_button_works_in_a_new_process(sandbox: Sandbox, tmp_path: Path) -> None:
    """The button is sent by this process and pressed while only a separate ``kring run`` runs,
    which has never handled /plan itself: it must know the command from its registration alone."""
    anna = sandbox.user(900, "Anna")
    await register_professional(sandbox, anna)
    fatima, _ = await family_group(sandbox, await new_circle(anna, "Gezin Jansen"))
    await family_group(sandbox, await new_circle(anna, "Gezin Bakker"), group_id=-200)
    (question,) = await fatima.send("/plan")
    assert question.text == "Voor welke kring?" and question.button_texts() == ["Gezin Jansen", "Gezin Bakker"]

    replies: list[SentMessage] = []

    async def press_in_another_process() -> None:
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
            before = question.message_id
            await fatima.press(question, "Gezin Bakker")
            async with asyncio.timeout(30):
                while not any(m.message_id > before for m in sandbox.telegram.messages_in(fatima.id)):
                    assert STALE not in [a.get("text") for a in sandbox.telegram.callback_answers.values()]
                    await asyncio.sleep(0.05)
            replies.extend(m for m in sandbox.telegram.messages_in(fatima.id) if m.message_id > before)
        finally:
            sandbox.telegram.tracker = tracker
            process.send_signal(signal.SIGTERM)
            finished = asyncio.ensure_future(process.communicate())
            async with asyncio.timeout(30):
                while not finished.done():
                    sandbox.telegram.wake_pollers()  # (ends its last long poll at once)
                    await asyncio.wait([finished], timeout=0.1)
        assert process.returncode == 0, finished.result()[1].decode()

    await sandbox.restart(while_stopped=press_in_another_process)
    assert replies and replies[0].text.startswith("📋 Het plan van Gezin Bakker")


def test_every_circle_command_registers_its_buttons() -> None:
    """A feature that declares a command about one circle also registers the handler for its
    "Voor welke kring?" buttons (else they would always be stale)."""
    modules = [getattr(bot.handlers, name) for name in dir(bot.handlers)]
    declared = {
        value: module
        for module in modules
        if hasattr(module, "handlers")
        for value in vars(module).values()
        if isinstance(value, CircleCommand)
    }
    assert len({command.name for command in declared}) == len(declared) >= 12
    for command, module in declared.items():
        taken = [h for h in module.handlers() if isinstance(h, CallbackQueryHandler) and h.callback == command.picked]
        assert len(taken) == 1, command.name
