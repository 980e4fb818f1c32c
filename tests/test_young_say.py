"""The young person's own say, end to end over the fake Bot API: what they think of an agreement
and whom they would want in the circle (only the coordinators see it), and their own private
request for contact with the former professional."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.db.models import (
    Agreement,
    AgreementOpinion,
    ContactRequest,
    Member,
    PersonWish,
    YoungOpinion,
    YoungWish,
)
from sandbox.fake_telegram import FakeUser, SentMessage
from sandbox.harness import Sandbox
from tests.journey import GROUP_ID, STALE, Circle, join_young, make_agreement, set_up_circle

SAM = 5


async def _count(sandbox: Sandbox, model: type[YoungOpinion] | type[YoungWish]) -> int:
    async with sandbox.runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def with_button(sandbox: Sandbox, chat_id: int, button: str) -> SentMessage:
    return [m for m in sandbox.telegram.messages_in(chat_id) if button in m.button_texts()][-1]


def texts_since(sandbox: Sandbox, chat_id: int, before: int) -> list[str]:
    return [m.text for m in sandbox.telegram.messages_in(chat_id)[before:]]


def counts(sandbox: Sandbox, *chat_ids: int) -> dict[int, int]:
    return {chat_id: len(sandbox.telegram.messages_in(chat_id)) for chat_id in chat_ids}


async def circle_with_sam(sandbox: Sandbox) -> tuple[Circle, FakeUser]:
    c = await set_up_circle(sandbox)
    sam = await join_young(sandbox, c.fatima, SAM, "Sam", "Sam")
    await sandbox.tick()
    return c, sam


async def test_the_coordinator_hears_the_young_persons_opinion_and_nobody_else(sandbox: Sandbox) -> None:
    c, sam = await circle_with_sam(sandbox)
    await make_agreement(c.fatima, "Buurman Kees", "Sam naar voetbal brengen")
    await c.kees.press(sandbox.telegram.messages_in(4)[-1], "Ja, dat doe ik")
    await make_agreement(c.fatima, "Oma Ayşe", "Gesprek met school", visibility="family")
    await c.ayse.press(sandbox.telegram.messages_in(3)[-1], "Ja, dat doe ik")
    await sandbox.tick()

    # Sam sees only what the family shares with the whole circle, with a button for their say.
    await sam.send("/plan")
    plan = sandbox.telegram.messages_in(SAM)[-1]
    assert "Sam naar voetbal brengen" in plan.text and "Gesprek met school" not in plan.text
    assert "💬 Sam naar voetbal brengen" in plan.button_texts()
    assert not any("Gesprek met school" in b for b in plan.button_texts())

    before = counts(sandbox, 1, 2, 3, 4, 900, GROUP_ID)
    await sam.press(plan, "💬 Sam naar voetbal brengen")
    question = sandbox.telegram.messages_in(SAM)[-1]
    assert question.text.startswith("Wat vind jij van deze afspraak?")
    assert question.button_texts() == ["👍 Dit helpt", "👎 Dit helpt niet", "💡 Liever iets anders"]
    await sam.press(question, "👎 Dit helpt niet")
    assert question.text.startswith("Dank je! Ik laat het weten aan wie de kring regelt.")
    assert "✓ 👎 Dit helpt niet" in question.button_texts()
    await sandbox.tick()

    told = texts_since(sandbox, 1, before[1])
    assert told == [
        "💬 Sam over 'Sam naar voetbal brengen': dit helpt niet.\n"
        "Alleen wie de kring regelt, ziet dit. Je vindt het ook in /plan."
    ]
    for chat_id in (2, 3, 4, 900, GROUP_ID):  # Omar (family), Oma Ayşe, Kees (the doer), Anna, the group
        assert counts(sandbox, chat_id)[chat_id] == before[chat_id], chat_id

    # Fatima sees it in /plan and /agreements, privately; Kees, Omar and the group do not.
    fatima_plan = "\n".join(m.text for m in await c.fatima.send("/plan"))
    assert "💬 Sam vindt: dit helpt niet" in fatima_plan
    fatima_list = "\n".join(m.text for m in await c.fatima.send("/agreements"))
    assert "💬 Sam vindt: dit helpt niet" in fatima_list
    for person, chat in ((c.kees, None), (c.omar, None), (c.fatima, c.group)):
        seen = await person.send("/plan", chat=chat) if chat else await person.send("/plan")
        seen += await person.send("/agreements", chat=chat) if chat else await person.send("/agreements")
        assert not any("vindt:" in m.text for m in seen), person.name

    # Sam changes their mind: Fatima hears the new answer; the ✓ moves.
    await sam.press(question, "👍 Dit helpt")
    assert "✓ 👍 Dit helpt" in question.button_texts() and "👎 Dit helpt niet" in question.button_texts()
    await sandbox.tick()
    assert sandbox.telegram.messages_in(1)[-1].text.startswith("💬 Sam over 'Sam naar voetbal brengen': dit helpt.")
    async with sandbox.runtime.sessions() as session:
        assert list(await session.scalars(select(YoungOpinion.opinion))) == [AgreementOpinion.HELPS]


async def test_forged_opinion_and_wish_presses_change_nothing(sandbox: Sandbox) -> None:
    c, sam = await circle_with_sam(sandbox)
    await make_agreement(c.fatima, "Buurman Kees", "Sam naar voetbal brengen")
    await c.kees.press(sandbox.telegram.messages_in(4)[-1], "Ja, dat doe ik")
    await make_agreement(c.fatima, "Oma Ayşe", "Gesprek met school", visibility="family")
    await c.ayse.press(sandbox.telegram.messages_in(3)[-1], "Ja, dat doe ik")
    async with sandbox.runtime.sessions() as session:
        shared = await session.scalar(select(Agreement.id).where(Agreement.what == "Sam naar voetbal brengen"))
        family_only = await session.scalar(select(Agreement.id).where(Agreement.what == "Gesprek met school"))
        kees = await session.scalar(select(Member.id).where(Member.display_name == "Buurman Kees"))
    stranger = sandbox.user(77, "Vreemde")
    await stranger.send("/start")
    forged = [f"yo:{shared}:does_not_help", f"yo:{shared}:ask", f"yw:{kees}:rather_not", f"yw:{kees}:ask"]
    for person in (c.fatima, c.omar, c.kees, stranger):
        own = sandbox.telegram.messages_in(person.id)[-1]
        for data in forged:
            assert (await person.press(own, "x", data=data))["text"] == STALE, (person.name, data)
    # The young person cannot give a view on a family-only agreement, nor mark themselves.
    async with sandbox.runtime.sessions() as session:
        sam_id = await session.scalar(select(Member.id).where(Member.display_name == "Sam"))
    own = sandbox.telegram.messages_in(SAM)[-1]
    for data in (f"yo:{family_only}:helps", f"yo:{family_only}:ask", f"yw:{sam_id}:want", "yo:999999:helps"):
        assert (await sam.press(own, "x", data=data))["text"] == STALE, data
    # Nor in the group, where everyone reads along.
    group_message = sandbox.telegram.messages_in(GROUP_ID)[-1]
    assert (await sam.press(group_message, "x", data=f"yo:{shared}:helps"))["text"] == STALE
    assert await _count(sandbox, YoungOpinion) == 0 and await _count(sandbox, YoungWish) == 0
    (plan,) = [m for m in await sam.send("/plan") if "Wie doet wat?" in m.text]
    assert "Gesprek met school" not in plan.text


async def test_whom_the_young_person_wants_only_the_coordinators_see(sandbox: Sandbox) -> None:
    c, sam = await circle_with_sam(sandbox)
    before = counts(sandbox, 1, 2, 3, 4, GROUP_ID)
    (listed,) = await sam.send("/people")
    assert listed.text.startswith("Wie wil jij erbij? Kies een naam.")
    assert set(listed.button_texts()) == {"Fatima", "Omar", "Oma Ayşe", "Buurman Kees"}
    await sam.press(listed, "Buurman Kees")
    assert listed.text == "Wil je dat Buurman Kees meedoet?"
    assert listed.button_texts() == ["👍 Ja, graag", "🙅 Liever niet", "✓ 🤷 Weet ik niet", "⬅️ Terug"]
    await sam.press(listed, "🙅 Liever niet")
    assert listed.text.startswith("Genoteerd.") and "🙅 Buurman Kees" in listed.button_texts()
    await sam.press(listed, "Oma Ayşe")
    await sam.press(listed, "👍 Ja, graag")
    assert "👍 Oma Ayşe" in listed.button_texts()
    await sam.press(listed, "👍 Oma Ayşe")
    await sam.press(listed, "🤷 Weet ik niet")  # clears it
    await sam.press(listed, "Oma Ayşe")
    await sam.press(listed, "👍 Ja, graag")
    await sandbox.tick()
    assert counts(sandbox, 1, 2, 3, 4, GROUP_ID) == before  # no message per mark
    async with sandbox.runtime.sessions() as session:
        assert sorted(await session.scalars(select(YoungWish.wish))) == sorted([PersonWish.WANT, PersonWish.RATHER_NOT])

    (members,) = await c.fatima.send("/members")
    assert "• Buurman Kees (netwerk) · 🙅 Sam wil deze persoon liever niet erbij" in members.text
    assert "• Oma Ayşe (netwerk) · 👍 Sam wil deze persoon erbij" in members.text
    await c.fatima.press(members, "Buurman Kees")
    assert "🙅 Sam wil deze persoon liever niet erbij" in members.text
    # Omar (family, not leading the circle), the group, and the people marked never see it.
    (omar_members,) = await c.omar.send("/members")
    assert "wil dit" not in omar_members.text
    group_members = await c.fatima.send("/members", chat=c.group)
    assert not any("wil dit" in m.text for m in group_members)
    for person in (c.kees, c.ayse):
        assert not any("wil dit" in m.text for m in await person.send("/members"))
    # /people is the young person's alone.
    for person in (c.fatima, c.kees):
        (refused,) = await person.send("/people")
        assert refused.text == "Dit is voor de jongere in een kring."


async def test_the_young_persons_contact_request_stays_private(sandbox: Sandbox) -> None:
    c, sam = await circle_with_sam(sandbox)
    before = counts(sandbox, 1, 2, GROUP_ID)
    (question,) = await sam.send("/contact")
    await sam.press(question, "Deze week")
    (confirm,) = await sam.send("Ik wil graag praten")
    assert "Alleen jij krijgt het antwoord. Je ouders horen er niets van." in confirm.text
    await sam.press(confirm, "✉️ Versturen")
    await sandbox.tick()
    asked = sandbox.telegram.messages_in(900)[-1]
    assert "Van: Sam (de jongere zelf; alleen de jongere leest je antwoord)" in asked.text
    assert "Ik wil graag praten" in asked.text
    await c.anna.press(asked, "Ik reageer deze week")
    await sandbox.tick()
    assert "Anna de Vries antwoordt Sam: Ik reageer deze week." in sandbox.telegram.messages_in(SAM)[-1].text
    assert counts(sandbox, 1, 2, GROUP_ID) == before  # no parent, no group hears of it
    async with sandbox.runtime.sessions() as session:
        assert (await session.scalar(select(ContactRequest.private))) is True


async def test_help_for_the_young_person_names_their_own_helplines(sandbox: Sandbox) -> None:
    c, sam = await circle_with_sam(sandbox)
    (help_message,) = await sam.send("/help")
    assert "Kindertelefoon: 0800-0432" in help_message.text and "Bel 112." in help_message.text
    assert "/people - Wie wil jij erbij?" in help_message.text and "/contact" in help_message.text
    (parent_help,) = await c.fatima.send("/help")
    assert "Kindertelefoon" not in parent_help.text
