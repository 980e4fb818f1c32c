"""The bot's base, end to end: people talk to the real Application through the fake Bot API."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from bot.db.models import AuditEvent, Person
from bot.services import menus
from sandbox.harness import SANDBOX_TOKEN, Sandbox


async def test_start_answers_in_dutch_for_a_dutch_app(sandbox: Sandbox) -> None:
    fatima = sandbox.user(1, "Fatima", language_code="nl")
    (reply,) = await fatima.send("/start")
    assert reply.text.startswith("Hallo! Ik ben Kring.")
    assert "Bel 112" in reply.text and reply.button_texts() == ["☎️ Hulplijnen"]  # the helplines: one tap


async def test_start_answers_in_english_for_an_english_app(sandbox: Sandbox) -> None:
    daniel = sandbox.user(2, "Daniel", language_code="en-GB")
    (reply,) = await daniel.send("/start")
    assert reply.text.startswith("Hello! I am Kring.")
    assert "Call 112" in reply.text


async def test_an_unshipped_language_falls_back_to_dutch(sandbox: Sandbox) -> None:
    pedro = sandbox.user(3, "Pedro", language_code="pt-BR")
    (reply,) = await pedro.send("/start")
    assert reply.text.startswith("Hallo!")


async def test_first_contact_is_remembered_once(sandbox: Sandbox) -> None:
    fatima = sandbox.user(1, "Fatima", language_code="en")
    await fatima.send("/start")
    await fatima.send("/help")
    async with sandbox.runtime.sessions() as session:
        person = await session.scalar(select(Person).where(Person.telegram_user_id == 1))
        assert person is not None and person.language == "en" and not person.language_chosen
        created = await session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "person.created")
        )
        assert created == 1


async def test_help_and_privacy(sandbox: Sandbox) -> None:
    fatima = sandbox.user(1, "Fatima")
    (help_reply,) = await fatima.send("/help")  # not in a circle yet: what everyone can do
    shown = [line.split(" ")[0] for line in help_reply.text.splitlines()[1:]]
    assert shown == ["/language", "/privacy", "/mydata", "/forget", "/help", "/start"]  # the "nobody yet" menu
    (privacy_reply,) = await fatima.send("/privacy")
    assert privacy_reply.text.startswith("Wat bewaar ik?")


async def test_language_is_chosen_with_a_button_and_remembered(sandbox: Sandbox) -> None:
    daniel = sandbox.user(2, "Daniel", language_code="en")
    (question,) = await daniel.send("/language")
    assert question.button_texts()[0] == "Nederlands" and "✓ English *" in question.button_texts()  # * not checked yet
    assert question.text.endswith("Languages with a * have not yet been checked by a native speaker.")
    answer = await daniel.press(question, "Nederlands")
    assert answer == {"text": None, "show_alert": None}  # answered, so the button stops spinning
    assert question.text == "Klaar. Ik schrijf je vanaf nu in het Nederlands."
    (reply,) = await daniel.send("/start")
    assert reply.text.startswith("Hallo!")
    async with sandbox.runtime.sessions() as session:
        person = await session.scalar(select(Person).where(Person.telegram_user_id == 2))
        assert person is not None and person.language == "nl" and person.language_chosen
    # the command menu of this chat follows the person's choice, not the app's language
    await sandbox.tick()
    assert "/start Wat is Kring?" in sandbox.telegram.menu_seen(2, "en")


async def test_menus_are_registered_per_language(sandbox: Sandbox) -> None:
    commands = sandbox.telegram.commands
    default = '{"type": "default"}'
    assert [c["command"] for c in commands[(default, "")]] == [c.name for c in menus.commands_for(())]
    assert {"command": "start", "description": "Wat is Kring?"} in commands[(default, "nl")]
    assert {"command": "start", "description": "What is Kring?"} in commands[(default, "en")]


@pytest.mark.parametrize("forged", ["lang:xx", "lang:", "lang:nl:extra", "nope:1", "x" * 64])
async def test_forged_or_stale_buttons_change_nothing(sandbox: Sandbox, forged: str) -> None:
    daniel = sandbox.user(2, "Daniel", language_code="en")
    (question,) = await daniel.send("/language")
    answer = await daniel.press(question, "Nederlands", data=forged)
    assert answer["text"] == "This button no longer works."
    assert question.text.startswith("Which language would you like my messages in?")
    (reply,) = await daniel.send("/start")
    assert reply.text.startswith("Hello!")


async def test_language_in_a_group_points_to_a_private_chat(sandbox: Sandbox) -> None:
    fatima = sandbox.user(1, "Fatima")
    group = sandbox.telegram.group(-100, "Gezin Jansen")
    group.bot_member = True
    (reply,) = await fatima.send("/language", chat=group)
    assert "privégesprek" in reply.text and not reply.buttons


async def test_unknown_command_gets_a_pointer_to_help(sandbox: Sandbox) -> None:
    fatima = sandbox.user(1, "Fatima")
    (reply,) = await fatima.send("/wiedoetwat")
    assert reply.text == "Dat commando ken ik niet. Kies /help om te zien wat ik kan."


async def test_unknown_command_in_a_group_only_when_addressed_to_kring(sandbox: Sandbox) -> None:
    fatima = sandbox.user(1, "Fatima")
    group = sandbox.telegram.group(-100, "Gezin Jansen")
    group.bot_member = True
    assert await fatima.send("/otherbotcommand", chat=group) == []
    (reply,) = await fatima.send("/wiedoetwat@kring_test_bot", chat=group)
    assert "/help" in reply.text


async def test_free_text_gets_a_kind_pointer_with_the_helplines_one_tap_away(sandbox: Sandbox) -> None:
    fatima = sandbox.user(1, "Fatima")
    (reply,) = await fatima.send("Het gaat vandaag niet goed")
    assert "/help" in reply.text and reply.button_texts() == ["☎️ Hulplijnen"]
    await fatima.press(reply, "☎️ Hulplijnen")
    assert "Is er gevaar? Bel 112." in sandbox.telegram.messages_in(1)[-1].text


async def test_group_chatter_is_not_seen_in_privacy_mode(sandbox: Sandbox) -> None:
    fatima = sandbox.user(1, "Fatima")
    group = sandbox.telegram.group(-100, "Gezin Jansen")
    group.bot_member = True
    assert await fatima.send("gewoon een bericht aan de familie", chat=group) == []
    assert not any(method == "sendMessage" for method, _ in sandbox.telegram.calls)


async def test_a_failing_reply_is_explained_and_the_bot_goes_on(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    fatima = sandbox.user(1, "Fatima")
    sandbox.telegram.fail_next("sendMessage", 400, "Bad Request: something unexpected", chat_id=1)
    with caplog.at_level(logging.ERROR, logger="bot.handlers.errors"):
        (reply,) = await fatima.send("/help")
    assert reply.text.startswith("Sorry, er ging bij mij iets mis. Wat je net deed, is misschien niet gelukt.")
    assert any(getattr(r, "update_id", None) for r in caplog.records)
    (after,) = await fatima.send("/help")
    assert after.text.startswith("Dit kun je doen:")


async def test_a_person_who_blocked_the_bot_breaks_nothing(sandbox: Sandbox) -> None:
    fatima = sandbox.user(1, "Fatima")
    sandbox.telegram.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=1, times=2)
    assert await fatima.send("/start") == []
    (reply,) = await fatima.send("/start")
    assert reply.text.startswith("Hallo!")


async def test_logs_hold_ids_not_names_texts_or_the_token(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fatima = sandbox.user(424242, "Fatimazahra", language_code="nl")
    await fatima.send("/start")
    await fatima.send("Mijn geheime zin voor de test")
    sandbox.telegram.fail_next("sendMessage", 400, "Bad Request: something unexpected", chat_id=424242)
    await fatima.send("/help")
    assert caplog.records, "the run should have logged something"
    for forbidden in ("Fatimazahra", "Mijn geheime zin", SANDBOX_TOKEN, SANDBOX_TOKEN.split(":")[1]):
        assert forbidden not in caplog.text
