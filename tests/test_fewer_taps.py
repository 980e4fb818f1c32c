"""Fewer taps, one question per screen (issue 20): an agreement in five presses when the defaults
fit, /checkin asking one thing per screen, and ✓ only for what is chosen now."""

from __future__ import annotations

from sqlalchemy import select

from bot import callbacks
from bot.db.models import Agreement, Draft, SupportKind, Visibility
from sandbox.harness import Sandbox
from tests.journey import make_agreement, set_up_circle


def _presses(sandbox: Sandbox, since: int) -> list[str]:
    return [e.text for e in sandbox.telegram.timeline[since:] if e.kind == "press"]


async def test_an_agreement_with_the_defaults_takes_five_presses(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    start = len(sandbox.telegram.timeline)
    done = await make_agreement(c.fatima, "Buurman Kees", "Boodschappen doen")
    assert done.text == "Bewaard. Ik vraag Buurman Kees of dat goed is."
    assert _presses(sandbox, start) == ["Buurman Kees", "Elke week", "woensdag", "15:00", "✅ Opslaan"]
    async with sandbox.runtime.sessions() as session:
        saved = await session.scalar(select(Agreement).where(Agreement.what == "Boodschappen doen"))
        assert saved is not None
        assert (saved.for_whom, saved.support_kind, saved.backup_member_id, saved.visibility) == (
            None,
            SupportKind.PRACTICAL,
            None,
            Visibility.CIRCLE,
        )


async def test_the_summary_shows_the_defaults_in_words_and_each_can_be_changed(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    (current,) = await c.fatima.send("/agreement")
    await c.fatima.press(current, "Oma Ayşe")
    (current,) = await c.fatima.send("Voorlezen")
    await c.fatima.press(current, "Om de week")
    await c.fatima.press(current, "dinsdag")
    (current,) = await c.fatima.send("19.30")  # a time without a button can be typed
    assert current.text.splitlines() == [
        "Klopt dit?",
        "Oma Ayşe: Voorlezen",
        "om de week op dinsdag om 19:30",
        "🛠 praktische hulp",
        "Niemand springt in als het niet lukt.",
        "Iedereen in de kring ziet dit.",
    ]
    assert current.button_texts() == [
        "✅ Opslaan",
        "Voor wie?",
        "Soort hulp",
        "Wie springt in?",
        "Wie ziet het?",
        "Stop",
    ]
    start = len(sandbox.telegram.timeline)
    await c.fatima.press(current, "Soort hulp")
    await c.fatima.press(current, "🎲 samen iets leuks doen")
    await c.fatima.press(current, "Wie springt in?")
    await c.fatima.press(current, "Omar")
    await c.fatima.press(current, "Wie ziet het?")
    await c.fatima.press(current, "Alleen het gezin en Oma Ayşe")
    await c.fatima.press(current, "Voor wie?")
    (current,) = await c.fatima.send("Sam")
    assert current.text.splitlines()[1:] == [
        "Oma Ayşe: Voorlezen (voor Sam)",
        "om de week op dinsdag om 19:30",
        "🎲 samen iets leuks doen",
        "Als het niet lukt: Omar",
        "Alleen het gezin en Oma Ayşe zien dit.",
    ]
    await c.fatima.press(current, "✅ Opslaan")
    assert len(_presses(sandbox, start)) == 8  # each change: one press to open, one to choose
    async with sandbox.runtime.sessions() as session:
        saved = await session.scalar(select(Agreement).where(Agreement.what == "Voorlezen"))
        assert saved is not None and saved.for_whom == "Sam" and saved.support_kind == SupportKind.COMPANY
        assert saved.backup_member_id is not None and saved.visibility == Visibility.FAMILY_AND_DOER


async def test_a_draft_from_before_the_summary_goes_on(sandbox: Sandbox) -> None:
    """Drafts stored by the old ten-step flow (which asked "for whom" and the kind before "when",
    and kept ``kind``/``visibility`` as null until asked) resume in the new one."""
    c = await set_up_circle(sandbox)
    (current,) = await c.fatima.send("/agreement")
    await c.fatima.press(current, "Omar")
    async with sandbox.runtime.sessions.begin() as session:
        draft = await session.scalar(select(Draft))
        assert draft is not None
        draft.step, draft.data = "kind", {**draft.data, "what": "Koken", "kind": None, "visibility": None}
        draft_id = draft.id
    await c.fatima.press(current, "", data=callbacks.encode("agr", draft_id, "kind", "advice"))
    assert current.text == "Wanneer?"  # the old flow had not asked it yet
    await c.fatima.press(current, "Als het nodig is")
    assert current.text.startswith("Klopt dit?") and "💡 advies" in current.text
    async with sandbox.runtime.sessions.begin() as session:  # one waiting at "who steps in", "when" known
        draft = await session.scalar(select(Draft))
        assert draft is not None
        draft.step = "backup"
    await c.fatima.press(current, "", data=callbacks.encode("agr", draft_id, "backup", 0))
    assert current.text.startswith("Klopt dit?")
    await c.fatima.press(current, "✅ Opslaan")
    assert current.text == "Bewaard. Ik vraag Omar of dat goed is."
