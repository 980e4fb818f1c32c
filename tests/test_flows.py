"""Multi-step conversations (bot/flows): declared once, stored, and resumed by any process."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, update
from telegram.ext import CallbackQueryHandler

from bot.db.models import Agreement, Draft
from bot.handlers import flows
from sandbox.harness import Sandbox
from tests.journey import set_up_circle
from tests.other_process import while_another_process_runs


def test_every_flow_is_declared_once_with_a_typed_draft() -> None:
    """One table lists every flow: unique names (stored on drafts) and button prefixes, a frozen
    dataclass as the draft, and for every step something to ask or something it accepts."""
    declared = list(flows.FLOWS.values())
    assert len(declared) >= 11 and len({f.name for f in declared}) == len(declared)
    actions = [f.action for f in declared if f.action is not None]
    assert len(set(actions)) == len(actions)
    for flow in declared:
        assert dataclasses.is_dataclass(flow.draft) and flow.draft.__dataclass_params__.frozen  # type: ignore[attr-defined]
        for name, step in flow.steps.items():
            assert step.ask or step.typed or step.pressed, f"{flow.name}.{name} does nothing"
            if step.pressed is not None:
                assert flow.action is not None, f"{flow.name}.{name} takes presses but has no buttons"
    registered = [h.pattern.pattern for h in flows.handlers() if isinstance(h, CallbackQueryHandler) and h.pattern]
    assert sorted(registered) == sorted(f"^{action}:" for action in actions)


async def test_a_conversation_halfway_goes_on_in_another_process(sandbox: Sandbox, tmp_path: Path) -> None:
    """Halfway through /newagreement Kring restarts as a new process; the typed answer and the next
    press are taken there, from the stored draft alone; back in the first, it is saved."""
    c = await set_up_circle(sandbox)
    (current,) = await c.fatima.send("/newagreement")
    await c.fatima.press(current, "Omar")
    (current,) = await c.fatima.send("Koken")
    assert current.text == "Wanneer?"
    async with sandbox.runtime.sessions.begin() as session:  # the other process runs on the real clock
        await session.execute(update(Draft).values(updated_at=datetime.now(UTC)))

    await c.fatima.press(current, "Als het nodig is")
    assert current.text.startswith("Klopt dit?")
    edited = current.text

    async def change_for_whom() -> None:
        await c.fatima.press(current, "Voor wie?")

    await while_another_process_runs(sandbox, tmp_path, change_for_whom, lambda: current.text != edited)
    assert current.text.startswith("Voor wie is het?")
    before = current.message_id

    def summary_shown() -> bool:
        return any(m.message_id > before for m in sandbox.telegram.messages_in(c.fatima.id))

    async def type_for_whom() -> None:
        await c.fatima.send("voor Sam")

    await while_another_process_runs(sandbox, tmp_path, type_for_whom, summary_shown)
    (current,) = [m for m in sandbox.telegram.messages_in(c.fatima.id) if m.message_id > before]
    assert current.text.startswith("Klopt dit?") and "(voor voor Sam)" in current.text
    await c.fatima.press(current, "✅ Opslaan")
    assert current.text == "Bewaard. Ik vraag Omar of dat goed is."
    async with sandbox.runtime.sessions() as session:
        saved = await session.scalar(select(Agreement).where(Agreement.what == "Koken"))
        assert saved is not None and saved.for_whom == "voor Sam"
        assert await session.scalar(select(Draft)) is None


async def test_a_draft_stored_before_an_update_resumes_or_ends_kindly(sandbox: Sandbox) -> None:
    """A stored draft with a key this version no longer knows goes on; one that misses what the
    flow needs ends with a short message, not an error."""
    c = await set_up_circle(sandbox)
    (current,) = await c.fatima.send("/newagreement")
    await c.fatima.press(current, "Omar")
    async with sandbox.runtime.sessions.begin() as session:
        draft = await session.scalar(select(Draft))
        assert draft is not None and draft.step == "what"
        draft.data = {**draft.data, "from_an_older_version": 1}
    (asked,) = await c.fatima.send("Koken")
    assert asked.text == "Wanneer?"
    async with sandbox.runtime.sessions.begin() as session:
        draft = await session.scalar(select(Draft))
        assert draft is not None
        draft.data = {"doer": draft.data["doer"]}  # no circle: this draft cannot go on
    (ended,) = await c.fatima.send("voor Sam")
    assert ended.text == "Deze afspraak is al veranderd. Er is niets aangepast."
    async with sandbox.runtime.sessions() as session:
        assert await session.scalar(select(Draft)) is None
