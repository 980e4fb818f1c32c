"""Safety circles: per part of the plan and per person, must know / may know / must not know. A
"must not know" never reaches that person: not in /plan, the picture, the PDF, the group, a
notice or a help ask. No choice keeps today's default."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import KnowLevel, SharingRule
from bot.plan_files import render
from sandbox.fake_telegram import FakeUser, SentMessage
from sandbox.harness import Sandbox
from tests.journey import GROUP_ID, STALE, make_agreement, set_up_circle
from tests.test_plan_files import PICTURE, PRINT, open_picture, plain, press_under_plan, read_pdf, rendered

__all__ = ["rendered"]  # the fixture: every PDF Kring renders, also the picture's

ASKED = "Als het misgaat, kan het gezin jou om hulp vragen."
OWN_STEP = "We bellen samen de huisarts"


def last(sandbox: Sandbox, chat_id: int) -> SentMessage:
    return sandbox.telegram.messages_in(chat_id)[-1]


async def plan_text(person: FakeUser, chat: int | None = None) -> str:
    sent = await person.send("/plan", chat=person.telegram.chats[chat] if chat is not None else None)
    return "\n".join(m.text or "" for m in sent)


async def plan_with_two_steps(fatima: FakeUser) -> SentMessage:
    """1. Vraag Oma Ayşe, 2. Zelf: we call the GP; returns the menu (still open)."""
    (menu,) = await fatima.send("/safetyplan")
    await fatima.press(menu, "Wie we vragen")
    await fatima.press(menu, "Oma Ayşe")
    await fatima.press(menu, "Wat we zelf doen")
    await fatima.send(OWN_STEP)
    return fatima.telegram.messages_in(fatima.id)[-1]


async def choose(fatima: FakeUser, screen: SentMessage, person: str, level: str) -> None:
    """On the "Wie mag dit weten?" screen: a person, then their level."""
    (button,) = [b for b in screen.button_texts() if b.startswith(f"{person}: ")]
    await fatima.press(screen, button)
    await fatima.press(screen, level)


async def test_a_step_someone_must_not_know_never_reaches_them(sandbox: Sandbox, rendered: list[render.Pdf]) -> None:
    c = await set_up_circle(sandbox)
    menu = await plan_with_two_steps(c.fatima)
    (old_view,) = await c.omar.send("/askhelp")  # before the choice: Omar can ask her
    assert "🙋 Vraag Oma Ayşe" in old_view.button_texts()
    assert ASKED in await plan_text(c.ayse)  # today's default: she sees she can be asked

    await c.fatima.press(menu, "🔒 Wie mag wat weten?")
    assert menu.text == "Over welke stap gaat het?"
    await c.fatima.press(menu, "1. Vraag Oma Ayşe")
    assert menu.text.startswith("🔒 Wie mag dit weten?\n1. Vraag Oma Ayşe")
    assert menu.button_texts() == ["Oma Ayşe: nog niet gekozen", "Buurman Kees: nog niet gekozen", "Klaar"]
    await choose(c.fatima, menu, "Oma Ayşe", "Mag het niet weten")
    assert menu.text.startswith("Goed. Oma Ayşe krijgt dit nooit te zien, ook niet als plaatje of PDF.")
    assert "Oma Ayşe: mag het niet weten" in menu.button_texts()
    await c.fatima.press(menu, "Klaar")
    await c.fatima.press(menu, "2. Zelf: " + OWN_STEP)
    await choose(c.fatima, menu, "Buurman Kees", "Mag het weten")
    assert "Buurman Kees: mag het weten" in menu.button_texts()
    await c.fatima.press(menu, "Klaar")
    await c.fatima.press(menu, "Terug")
    await c.fatima.press(menu, "Klaar")

    # text: Ayşe no longer reads that she can be asked; Kees reads the step shared with him
    assert ASKED not in await plan_text(c.ayse)
    kees = await plan_text(c.kees)
    assert "Dit doet het gezin dan:\n1. Zelf: " + OWN_STEP in kees and ASKED not in kees
    assert OWN_STEP not in await plan_text(c.ayse)  # no choice for her: as today
    # the family still sees everything privately, but the group (everyone reads along) not step 1
    assert "Vraag Oma Ayşe" in await plan_text(c.fatima)
    group = await plan_text(c.fatima, GROUP_ID)
    assert "Vraag Oma Ayşe" not in group and OWN_STEP in group

    # picture and PDF: built from the same view
    open_picture(await press_under_plan(c.ayse, PICTURE))
    picture_text, _pages, _glyphs = read_pdf(rendered[-1].content)
    printable = await press_under_plan(c.ayse, PRINT)
    assert printable.document is not None
    pdf_text, _pages, _glyphs = read_pdf(printable.document[1])
    for text in (picture_text, pdf_text):
        assert plain(ASKED) not in plain(text) and plain(OWN_STEP) not in plain(text)
    open_picture(await press_under_plan(c.kees, PICTURE))
    assert plain(OWN_STEP) in plain(read_pdf(rendered[-1].content)[0])

    # help asks: no button for her, in the group not the step, and an old button asks nobody
    (view,) = await c.omar.send("/askhelp")
    assert "🙋 Vraag Oma Ayşe" not in view.button_texts() and "Vraag Oma Ayşe" in view.text
    (in_group,) = await c.fatima.send("/askhelp", chat=c.group)
    assert "Vraag Oma Ayşe" not in in_group.text
    hers = len(sandbox.telegram.messages_in(c.ayse.id))
    answer = await c.omar.press(old_view, "🙋 Vraag Oma Ayşe")
    assert answer["text"] == STALE
    assert len(sandbox.telegram.messages_in(c.ayse.id)) == hers


async def test_an_agreement_kept_from_one_person_and_shared_with_another(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await make_agreement(c.fatima, "Buurman Kees", "Fietsen maken")
    await c.kees.press(last(sandbox, c.kees.id), "Ja, dat doe ik")
    await make_agreement(c.fatima, "Buurman Kees", "Naar school bellen", visibility="family")
    await c.kees.press(last(sandbox, c.kees.id), "Ja, dat doe ik")
    assert "Fietsen maken" in await plan_text(c.ayse)  # shared with the circle: today she sees it
    assert "Naar school bellen" not in await plan_text(c.ayse)

    listed = await c.fatima.send("/agreements")
    (bikes,) = [m for m in listed if "Fietsen maken" in (m.text or "")]
    await c.fatima.press(bikes, "🔒 Wie mag het weten?")
    screen = last(sandbox, c.fatima.id)
    assert screen.button_texts() == ["Oma Ayşe: nog niet gekozen", "Klaar"]  # the doer always knows
    await choose(c.fatima, screen, "Oma Ayşe", "Mag het niet weten")
    await c.fatima.press(screen, "Klaar")
    (school,) = [m for m in listed if "Naar school bellen" in (m.text or "")]
    await c.fatima.press(school, "🔒 Wie mag het weten?")
    screen = last(sandbox, c.fatima.id)
    await choose(c.fatima, screen, "Oma Ayşe", "Moet het weten")
    assert "Oma Ayşe: moet het weten" in screen.button_texts()

    ayse = await plan_text(c.ayse)
    assert "Fietsen maken" not in ayse and "Naar school bellen" in ayse
    assert "Fietsen maken" in await plan_text(c.kees)
    assert "Fietsen maken" not in await plan_text(c.fatima, GROUP_ID)
    # a notice in the group does not name it either
    (kees_bikes,) = [m for m in await c.kees.send("/agreements") if "Fietsen maken" in (m.text or "")]
    await c.kees.press(kees_bikes, "Ik stop hiermee")
    notice = last(sandbox, GROUP_ID).text or ""
    assert "Fietsen maken" not in notice and "alleen voor het gezin" in notice


async def test_only_a_coordinator_chooses_and_no_choice_is_todays_default(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await plan_with_two_steps(c.fatima)
    async with sandbox.runtime.sessions() as session:
        assert list(await session.scalars(select(SharingRule))) == []
    for person in (c.omar, c.kees):
        (menu,) = await person.send("/safetyplan")
        assert "🔒 Wie mag wat weten?" not in menu.button_texts()
    # a forged press on someone else's draft asks nothing
    fatimas = last(sandbox, c.fatima.id)
    answer = await c.kees.press(fatimas, "", data=fatimas.callback_data("🔒 Wie mag wat weten?"))
    assert answer["text"] == STALE
    # "Niet kiezen" goes back to the default (the row goes)
    menu = await plan_with_two_steps(c.fatima)
    await c.fatima.press(menu, "🔒 Wie mag wat weten?")
    await c.fatima.press(menu, "1. Vraag Oma Ayşe")
    await choose(c.fatima, menu, "Buurman Kees", "Moet het weten")
    async with sandbox.runtime.sessions() as session:
        assert [r.level for r in await session.scalars(select(SharingRule))] == [KnowLevel.MUST]
    await choose(c.fatima, menu, "Buurman Kees", "Niet kiezen")
    async with sandbox.runtime.sessions() as session:
        assert list(await session.scalars(select(SharingRule))) == []
