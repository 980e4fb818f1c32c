"""Fewer taps, one question per screen (issue 20): an agreement in five presses when the defaults
fit, /checkin asking one thing per screen, and ✓ only for what is chosen now."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot import callbacks
from bot.db.models import Agreement, Draft, SupportKind, Visibility
from sandbox.harness import Sandbox
from tests.journey import GROUP_ID, make_agreement, set_up_circle
from tests.test_rhythm import run_hours

ANNA = 900  # the professional's private chat


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
    (current,) = await c.fatima.send("/newagreement")
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
    (current,) = await c.fatima.send("/newagreement")
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


async def test_checkin_asks_one_thing_per_screen_and_the_figures_once_after_the_first_choice(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    greeting = sandbox.telegram.messages_in(GROUP_ID)[0]
    assert "cijfers" not in greeting.text  # not asked in the first minute
    (question,) = await c.fatima.send("/checkin", chat=c.group)
    assert question.text == "Wat wil je kiezen?"
    assert question.button_texts() == [
        "Hoe vaak vraag ik hoe het gaat?",
        "🔄 Samen naar het plan kijken",
        "🌱 Check-ins voor de mensen om jullie heen",
        "Nu een check-in",
    ]
    await c.fatima.press(question, "Hoe vaak vraag ik hoe het gaat?")
    assert question.text == "Hoe vaak vraag ik hoe het gaat?\nNu zijn er geen vaste check-ins."
    assert question.button_texts() == ["Elke week", "Om de week (tip)", "Elke maand", "✓ Geen check-ins"]
    await c.fatima.press(question, "Elke week")
    assert question.text == "Op welke dag?"
    await c.fatima.press(question, "dinsdag")
    assert question.text == "Hoe laat?"
    await c.fatima.press(question, "19:00")
    assert "Mag Anna de Vries om de paar weken de cijfers zien?\nZo kijkt Anna de Vries nog mee." in question.text
    assert question.button_texts() == ["Elke 2 weken (tip)", "Elke 4 weken", "✓ Uit"]
    assert len(question.text.split()) <= 60

    (question,) = await c.fatima.send("/checkin", chat=c.group)  # ✓: what is chosen now
    await c.fatima.press(question, "Hoe vaak vraag ik hoe het gaat?")
    assert question.button_texts() == ["✓ Elke week", "Om de week (tip)", "Elke maand", "Geen check-ins"]
    await c.fatima.press(question, "Elke maand")
    await c.fatima.press(question, "20:00")
    assert "cijfers" not in question.text  # asked once

    (question,) = await c.fatima.send("/checkin", chat=c.group)
    await c.fatima.press(question, "🔄 Samen naar het plan kijken")
    assert question.button_texts() == ["4 weken", "✓ 6 weken", "8 weken", "12 weken"]
    await c.fatima.press(question, "4 weken")
    (question,) = await c.fatima.send("/checkin", chat=c.group)
    await c.fatima.press(question, "🔄 Samen naar het plan kijken")
    assert question.button_texts() == ["✓ 4 weken", "6 weken (tip)", "8 weken", "12 weken"]

    (question,) = await c.fatima.send("/checkin")
    await c.fatima.press(question, "🌱 Check-ins voor de mensen om jullie heen")
    await c.fatima.press(question, next(b for b in question.button_texts() if b.startswith("Buurman Kees")))
    assert question.button_texts() == ["Elke 2 weken", "Elke 3 weken (tip)", "Elke 4 weken", "✓ Uit"]
    await c.fatima.press(question, "Elke 2 weken")
    (question,) = await c.fatima.send("/checkin")
    await c.fatima.press(question, "🌱 Check-ins voor de mensen om jullie heen")
    await c.fatima.press(question, next(b for b in question.button_texts() if b.startswith("Buurman Kees")))
    assert question.button_texts() == ["✓ Elke 2 weken", "Elke 3 weken (tip)", "Elke 4 weken", "Uit"]


async def test_the_figures_are_not_asked_after_checkin_when_the_family_chose_already(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    (choice,) = await c.fatima.send("/pulse")
    await c.fatima.press(choice, "✓ Uit")  # off, as it was: chosen now, so asked no more
    (question,) = await c.fatima.send("/checkin", chat=c.group)
    for button in ("Hoe vaak vraag ik hoe het gaat?", "Elke week", "zondag", "19:00"):
        await c.fatima.press(question, button)
    assert question.text == "Goed. De check-in komt elke zondag om 19:00." and not question.buttons


async def test_the_figures_count_not_done_apart_from_no_answer(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    (choice,) = await c.fatima.send("/pulse")
    await c.fatima.press(choice, "Elke 2 weken (tip)")
    await make_agreement(c.fatima, "Buurman Kees", "Boodschappen doen")  # Wednesdays
    await c.kees.press(sandbox.telegram.messages_in(4)[-1], "Ja, dat doe ik")
    (reminder,) = [m for _, m in await run_hours(sandbox, 48, 4) if m.text.startswith("⏰")]
    await c.kees.press(reminder, "Lukt deze keer niet")
    (sent,) = [m for _, m in await run_hours(sandbox, 24 * 14, ANNA) if m.text.startswith("🫶")]
    assert "Afspraken: 0 gelukt, 1 niet gelukt, 1 zonder antwoord." in sent.text.splitlines()


def test_a_check_mark_is_only_ever_what_is_chosen_now() -> None:
    """✓ comes from one helper (``marked``), in front of the chosen label; no menu adds its own."""
    literal = [
        f"{path}:{number}"
        for path in Path("bot").rglob("*.py")
        if path != Path("bot/messages/buttons.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if '"✓' in line or '✓"' in line
    ]
    assert literal == []
