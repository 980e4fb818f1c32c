"""Help one tap away, without shouting it in the group (issue 20): the ☎️ button shows the
helplines to the presser only, the full block reaches the group at most once a local day, "Niet
goed" gets its help privately, own words get the help buttons, a note by button."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.db.models import CheckinAnswer
from bot.texts import ALERT_LIMIT
from sandbox.harness import Sandbox
from tests.journey import GROUP_ID, new_circle, set_up_circle
from tests.test_when_help_is_needed import last, name_grandmother_in_the_plan

BLOCK = "Is er gevaar? Bel 112."
HELPLINES = "☎️ Hulplijnen"


async def _checkin_now(sandbox: Sandbox, c: object) -> None:
    fatima = c.fatima  # type: ignore[attr-defined]
    (question,) = await fatima.send("/checkin", chat=c.group)  # type: ignore[attr-defined]
    await fatima.press(question, "Nu een check-in")


async def test_the_group_sees_the_whole_block_at_most_once_a_local_day(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await name_grandmother_in_the_plan(c.fatima)
    sandbox.telegram.chats[2].started = False  # Omar never pressed Start: his help stays in the group
    before = len(sandbox.telegram.messages_in(GROUP_ID))
    for _ in range(2):  # two check-ins and two help asks on one day
        await _checkin_now(sandbox, c)
        await c.omar.press(last(sandbox, GROUP_ID), "😟 Niet goed")
        (view,) = await c.omar.send("/askhelp", chat=c.group)
        sandbox.clock.advance(timedelta(minutes=30))
    since = sandbox.telegram.messages_in(GROUP_ID)[before:]
    assert sum(BLOCK in m.text for m in since) == 1
    assert HELPLINES in view.button_texts() and BLOCK not in view.text  # the later one: the button
    sandbox.clock.advance(timedelta(days=1))
    replies = await c.omar.send("/askhelp", chat=c.group)  # (yesterday's nudges may arrive too)
    (tomorrow,) = [m for m in replies if m.text.startswith("Gaat het niet goed?")]
    assert BLOCK in tomorrow.text and HELPLINES not in tomorrow.button_texts()


async def test_the_helplines_button_shows_the_numbers_to_the_presser_only(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = await set_up_circle(sandbox)
    await c.fatima.send("/askhelp", chat=c.group)  # the block of the day
    (view,) = await c.omar.send("/askhelp", chat=c.group)
    chats = {chat: len(sandbox.telegram.messages_in(chat)) for chat in (GROUP_ID, 1, 2)}
    answer = await c.fatima.press(view, HELPLINES)  # anyone in the group may press it
    assert answer["show_alert"] and BLOCK in answer["text"] and len(answer["text"]) <= ALERT_LIMIT
    assert {chat: len(sandbox.telegram.messages_in(chat)) for chat in (GROUP_ID, 1, 2)} == chats

    monkeypatch.setattr("bot.handlers.help_flow.ALERT_LIMIT", 20)  # a language whose block is too long
    answer = await c.omar.press(view, HELPLINES)
    assert not answer["show_alert"] and BLOCK in last(sandbox, 2).text  # privately
    sandbox.telegram.chats[2].started = False
    answer = await c.omar.press(view, HELPLINES)
    assert answer["show_alert"] and answer["text"].startswith("Gevaar? Bel 112.") and "0800-2000" in answer["text"]
    assert len(sandbox.telegram.messages_in(GROUP_ID)) == chats[GROUP_ID]


async def test_not_good_without_a_private_chat_stays_short_in_the_group(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await name_grandmother_in_the_plan(c.fatima)
    await _checkin_now(sandbox, c)
    c.omar.block()  # Telegram answers "Forbidden" for Omar's private chat
    private_before = len(sandbox.telegram.messages_in(2))
    await c.omar.press(last(sandbox, GROUP_ID), "💬 Ik wil erover praten")
    reply = last(sandbox, GROUP_ID)
    assert reply.text == "Dank je wel, Omar. Fijn dat je het zegt."
    assert reply.button_texts() == ["✍️ Iets erbij schrijven", "🆘 Hulp vragen", HELPLINES]
    assert len(sandbox.telegram.messages_in(2)) == private_before


async def test_own_words_get_the_help_buttons_privately_and_when_addressed_in_the_group(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    outside = {chat: len(sandbox.telegram.messages_in(chat)) for chat in (1, 3, 900)}
    (reply,) = await c.omar.send("Het gaat niet goed met Sam")
    assert reply.button_texts() == ["🆘 Hulp vragen", HELPLINES]
    assert "Kies /help om te zien wat ik kan." in reply.text and len(reply.text.split()) < 40
    assert BLOCK not in reply.text
    (mentioned,) = await c.omar.send(f"@{sandbox.telegram.bot_username} help", chat=c.group)
    assert mentioned.button_texts() == ["🆘 Hulp vragen", HELPLINES]
    (network,) = await c.kees.send("Ik maak me zorgen")  # not family: the helplines, no plan
    assert network.button_texts() == [HELPLINES]
    # An admin bot sees all group chatter: unaddressed, it is not answered.
    group_before = len(sandbox.telegram.messages_in(GROUP_ID))
    message = c.omar._message_json(c.group, "het gaat niet goed", None)
    await sandbox.telegram.settle(await sandbox.telegram.push_update({"message": message}))
    assert len(sandbox.telegram.messages_in(GROUP_ID)) == group_before
    assert {chat: len(sandbox.telegram.messages_in(chat)) for chat in (1, 3, 900)} == outside


async def test_a_note_by_button_in_the_group_opens_a_reply_for_the_presser(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await _checkin_now(sandbox, c)
    await c.omar.press(last(sandbox, GROUP_ID), "😐 Zo-zo")
    thanks = last(sandbox, GROUP_ID)
    assert (await c.fatima.press(thanks, "✍️ Iets erbij schrijven"))["text"] == "Deze knop werkt niet meer."
    await c.omar.press(thanks, "✍️ Iets erbij schrijven")
    prompt = last(sandbox, GROUP_ID)
    assert prompt.force_reply and prompt.mentions == [2] and prompt.text.startswith("Omar, schrijf het hieronder.")
    (saved,) = await c.omar.send("Sam slaapt slecht.", chat=c.group, reply_to=prompt)
    assert saved.text == "Bewaard. Het gezin leest het bij de volgende check-in."
    async with sandbox.runtime.sessions() as session:
        (answer,) = await session.scalars(select(CheckinAnswer))
    assert answer.note == "Sam slaapt slecht."


async def test_a_note_by_button_in_a_private_chat(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    links = await new_circle(c.anna, "Gezin Bakker")  # a family without a group: check-ins privately
    lotte = sandbox.user(11, "Lotte")
    await lotte.send(f"/start {links['start']}")
    (question,) = await lotte.send("/checkin")
    await lotte.press(question, "Nu een check-in")
    checkin = last(sandbox, 11)
    assert checkin.text.startswith("💬")  # the first one: no look back
    await lotte.press(checkin, "😊 Goed")
    thanks = last(sandbox, 11)
    await lotte.send("/help")  # another command in between: the quiet offer of a note is gone
    await lotte.press(thanks, "✍️ Iets erbij schrijven")
    assert last(sandbox, 11).text == "Schrijf het hieronder. Het gezin leest het bij de volgende check-in."
    (saved,) = await lotte.send("Rustige week.")
    assert saved.text == "Bewaard. Het gezin leest het bij de volgende check-in."
    async with sandbox.runtime.sessions() as session:
        notes = [a.note for a in await session.scalars(select(CheckinAnswer))]
    assert notes == ["Rustige week."]


async def test_the_plan_in_the_group_carries_the_button_once_the_block_was_shown_today(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    (first,) = await c.fatima.send("/plan", chat=c.group)
    assert BLOCK in first.text and HELPLINES not in first.button_texts()
    (again,) = await c.fatima.send("/plan", chat=c.group)
    assert BLOCK not in again.text and HELPLINES in again.button_texts()
    (privately,) = await c.fatima.send("/plan")  # a private chat is not the group
    assert BLOCK in privately.text
