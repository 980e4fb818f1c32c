"""Adversarial input through the real application, and what the logs may hold.

The fuzz test plays a few thousand random and hostile updates — odd texts, unicode edge cases,
over-long messages, commands with strange arguments, random and replayed callback data — from
members, a coordinator of another circle and strangers, in private chats and in groups. Kring may
refuse or ignore, but it must never crash, must answer every button press, and must never show one
circle's data to someone outside it.
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta

import pytest

from sandbox.fake_telegram import FakeUser, SentMessage
from sandbox.harness import Sandbox
from tests.conftest import FULL
from tests.journey import (
    GROUP_ID,
    family_group,
    make_agreement,
    new_circle,
    set_up_circle,
)

#: Full size under KRING_TEST_FULL=1 (CI); a fifth of it by default, so the suite stays quick.
INPUTS = 2000 if FULL else 400
ACTIONS = (
    "lang",
    "new",
    "qh",
    "sp",
    "tz",
    "agq",
    "ca",
    "ci",
    "hr",
    "inv",
    "occ",
    "ha",
    "pl",
    "ags",
    "ct",
    "coord",
    "fu",
    "glang",
    "invt",
    "join",
    "leave",
    "agm",
    "pause",
    "pick",
    "rev",
    "hs",
    "agr",
    "cks",
    "cs",
    "thx",
    "cw",
    "x",
)
COMMANDS = (
    "/start",
    "/help",
    "/plan",
    "/newagreement",
    "/agreements",
    "/safetyplan",
    "/checkin",
    "/members",
    "/invite",
    "/pause",
    "/leave",
    "/language",
    "/quiet",
    "/timezone",
    "/privacy",
    "/askhelp",
    "/contact",
    "/pulse",
    "/overview",
    "/new",
    "/cancel",
    "/wiedoetwat",
    "/start@other_bot",
    "/plan@kring_test_bot",
)
ODD_TEXT = (
    "",
    " ",
    "\u200f\u202e",
    "\u2068x\u2069",
    "𝕂𝕣𝕚𝕟𝕘",
    "👨‍👩‍👧‍👦" * 50,
    "<b>vet</b>",
    "<a href='x'>",
    "&amp;",
    "' OR 1=1 --",
    "{name}",
    "%s %d",
    "\\x00",
    "a" * 5000,
    "ٱلسَّلَامُ",
    "ሰላም",
    "Ж" * 300,
    "\n\n\n",
    "🙂",
)
#: What belongs to circle A only: none of it may reach someone outside the circle.
SECRETS = ("Gezin Jansen", "Boodschappen doen", "Oma Ayşe", "Buurman Kees", "Sam gaat niet meer naar school")


def _random_text(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.35:
        return rng.choice(COMMANDS) + rng.choice(
            ["", " ", " " + rng.choice(ODD_TEXT)[:200], " " + "x" * rng.randint(1, 80)]
        )
    if roll < 0.7:
        return rng.choice(ODD_TEXT) or "·"
    alphabet = "aZ09 ?!.,:/@#_-\u00e9\u0130\u05d0\u0627\u4e2d\u200d\u2066\u2069\U0001f600"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 300)))


def _random_data(rng: random.Random, seen: list[str]) -> str:
    if seen and rng.random() < 0.4:
        return rng.choice(seen)  # a real button, replayed by someone else or in another chat
    parts = [rng.choice(ACTIONS)] + [
        rng.choice(["1", "0", "-1", "999999", "99999999999999999999", "nl", "yes", "x", "", "1.5", "٣", "%", "🙂"])
        for _ in range(rng.randint(0, 4))
    ]
    return ":".join(parts)[:64]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_thousands_of_hostile_inputs_change_nothing_they_should_not(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    rng = random.Random(20261123)
    c = await set_up_circle(sandbox)
    await make_agreement(c.fatima, "Buurman Kees", "Boodschappen doen")
    (menu,) = await c.fatima.send("/safetyplan")
    await c.fatima.press(menu, "Waaraan merk je het?")
    (menu,) = await c.fatima.send("Sam gaat niet meer naar school")
    await c.fatima.press(menu, "Klaar")
    links_b = await new_circle(c.anna, "Gezin Bakker")
    bert, _ = await family_group(sandbox, links_b, user_id=80, name="Bert", group_id=-200)
    stranger = sandbox.user(70, "Vreemde")
    outsiders = {bert.id: bert, stranger.id: stranger}
    people: list[FakeUser] = [c.fatima, c.omar, c.ayse, c.kees, c.anna, bert, stranger]
    groups = {
        c.fatima.id: GROUP_ID,
        c.omar.id: GROUP_ID,
        bert.id: -200,
    }  # (Telegram lets only a group's members write there)
    seen = [
        str(button["callback_data"]) for m in sandbox.telegram.messages.values() for row in m.buttons for button in row
    ]
    outsider_seen = {person_id: len(sandbox.telegram.messages_in(person_id)) for person_id in outsiders}
    caplog.set_level(logging.ERROR, logger="bot")

    unanswered = 0
    for number in range(INPUTS):
        person = rng.choice(people)
        in_group = person.id in groups and rng.random() < 0.3
        chat = sandbox.telegram.chats[groups[person.id]] if in_group else None
        if rng.random() < 0.45:
            target: SentMessage | None = rng.choice(
                sandbox.telegram.messages_in(chat.id if chat else person.id) or [None]
            )
            if target is None:
                continue
            answer = await person.press(target, "?", data=_random_data(rng, seen))
            unanswered += not answer  # {} until Kring answers the query
        else:
            await person.send(_random_text(rng), chat=chat)
        if number % 250 == 0:
            sandbox.clock.advance(timedelta(hours=rng.randint(1, 30)))
            await sandbox.tick()

    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []  # nothing crashed
    assert unanswered == 0  # every press was answered (a refusal is an answer)
    for person_id in outsiders:
        for message in sandbox.telegram.messages_in(person_id)[outsider_seen[person_id] :]:
            assert not any(secret in message.text for secret in SECRETS), message.text
    for message in sandbox.telegram.messages_in(-200):
        assert not any(secret in message.text for secret in SECRETS), message.text


PERSONAL = (
    "Fatima",
    "Omar",
    "Ayşe",
    "Kees",
    "Anna de Vries",
    "Gezin Jansen",
    "Boodschappen doen",
    "0612345678",
    "Sam gaat niet",
    "School was zwaar",
    "Kunt u bellen",
)


async def test_the_logs_hold_ids_never_names_or_texts(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    caplog.set_level(logging.DEBUG, logger="scheduler")
    c = await set_up_circle(sandbox, fresh=True)
    await make_agreement(c.fatima, "Buurman Kees", "Boodschappen doen", backup="Oma Ayşe")
    await c.kees.press(sandbox.telegram.messages_in(4)[-1], "Ja, dat doe ik")
    (menu,) = await c.fatima.send("/safetyplan")
    await c.fatima.press(menu, "Wie we vragen")
    await c.fatima.press(menu, "Iemand anders")
    (menu,) = await c.fatima.send("Tante Mira")
    (menu,) = await c.fatima.send("0612345678")
    await c.fatima.press(menu, "Klaar")
    (question,) = await c.fatima.send("/checkin", chat=c.group)
    await c.fatima.press(question, "Nu een check-in")
    await c.omar.press(sandbox.telegram.messages_in(GROUP_ID)[-1], "😟 Niet goed")
    await c.omar.send("School was zwaar.", chat=c.group, reply_to=sandbox.telegram.messages_in(GROUP_ID)[-1])
    (question,) = await c.omar.send("/contact")
    await c.omar.press(question, "Vandaag")
    (confirm,) = await c.omar.send("Kunt u bellen?")
    await c.omar.press(confirm, "✉️ Versturen")
    sandbox.telegram.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=4)
    for _ in range(48):
        sandbox.clock.advance(timedelta(hours=1))
        await sandbox.tick()
    await sandbox.restart()
    assert caplog.records, "the run logged nothing: the check would prove nothing"
    for record in caplog.records:
        logged = record.getMessage() + " " + " ".join(str(v) for k, v in vars(record).items() if k not in _STANDARD)
        assert not any(word in logged for word in PERSONAL), logged


_STANDARD = set(vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None))) | {"message", "asctime"}
