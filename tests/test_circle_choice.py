"""The "Voor welke kring?" buttons work in any Kring process, also one started after they were sent."""

from __future__ import annotations

from pathlib import Path

from telegram.ext import CallbackQueryHandler

import bot.handlers
from bot.handlers.circle_choice import CircleCommand
from sandbox.harness import Sandbox
from tests.journey import family_group, new_circle, register_professional
from tests.other_process import while_another_process_runs


async def test_a_circle_button_works_in_a_new_process(sandbox: Sandbox, tmp_path: Path) -> None:
    """The button is sent by this process and pressed while only a separate ``kring run`` runs,
    which has never handled /plan itself: it must know the command from its registration alone."""
    anna = sandbox.user(900, "Anna")
    await register_professional(sandbox, anna)
    fatima, _ = await family_group(sandbox, await new_circle(anna, "Gezin Jansen"))
    await family_group(sandbox, await new_circle(anna, "Gezin Bakker"), group_id=-200)
    (question,) = await fatima.send("/plan")
    assert question.text == "Voor welke kring?" and question.button_texts() == ["Gezin Jansen", "Gezin Bakker"]

    before = question.message_id

    def answered() -> bool:
        return any(m.message_id > before for m in sandbox.telegram.messages_in(fatima.id))

    async def press() -> None:
        await fatima.press(question, "Gezin Bakker")

    await while_another_process_runs(sandbox, tmp_path, press, answered)
    replies = [m for m in sandbox.telegram.messages_in(fatima.id) if m.message_id > before]
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
