"""Who plays in the practice circle, and the ready situations to begin from.

A situation is set up by driving the real bot through the fake Telegram, as a person would (like
``kring demo``): no rows are written directly, so no rule of Kring is implemented twice.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.i18n import N_
from bot.services import professionals
from sandbox.demo import pass_time
from sandbox.fake_telegram import Chat, FakeUser, SentMessage
from sandbox.harness import Sandbox, label_in

#: Links the bot sends (a person opens them: ``start`` in their own chat, ``startgroup`` in a group).
LINK = re.compile(r"https://t\.me/\w+\?(start|startgroup)=([A-Za-z0-9_-]+)")
#: Practice starts on a Monday morning in Amsterdam.
START = datetime.fromisoformat("2026-11-23T10:00:00+01:00")
GROUP_ID = -1001
GROUP_TITLE = "Familie Jansen"


@dataclass(frozen=True)
class Role:
    """One person of the practice circle: their Telegram account and what they are to the family."""

    key: str
    user_id: int
    name: str  # the first name on their Telegram account
    language: str  # their Telegram app's language
    role: str  # what they are, in Dutch (translated where it is shown)


CAST = (
    Role("anna", 900, "Anna", "nl", N_("Hulpverlener")),
    Role("fatima", 101, "Fatima", "nl", N_("Ouder")),
    Role("omar", 102, "Omar", "nl", N_("Ouder")),
    Role("ayse", 103, "Ayşe", "tr", N_("Oma, woont in het buitenland")),
    Role("kees", 104, "Kees", "nl", N_("Buurman")),
    Role("sam", 105, "Sam", "nl", N_("Jongere")),
)
#: Who is in the family's group chat (and can write or press buttons there).
GROUP_MEMBERS = ("fatima", "omar", "sam")
GROUP_ROLE = N_("Groep van het gezin")


class Circle:
    """The people and the group, as FakeUsers of one sandbox."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.people = {role.key: sandbox.user(role.user_id, role.name, language_code=role.language) for role in CAST}
        self.group: Chat = sandbox.telegram.group(GROUP_ID, GROUP_TITLE)

    def __getitem__(self, key: str) -> FakeUser:
        return self.people[key]

    def last(self, chat_id: int) -> SentMessage:
        return self.sandbox.telegram.messages_in(chat_id)[-1]

    def last_with(self, chat_id: int, label: str) -> SentMessage:
        """The newest bot message in a chat with a button that reads (or starts with) ``label``."""
        for message in reversed(self.sandbox.telegram.messages_in(chat_id)):
            if any(text.split(" · ")[0] == label for text in message.button_texts()):
                return message
        raise LookupError(label)


def links_in(message: SentMessage) -> dict[str, str]:
    return dict(LINK.findall(message.text))


async def fresh(circle: Circle) -> None:
    """The organisation has signed up Anna (``kring professional invite``); she opened her link."""
    sandbox = circle.sandbox
    async with sandbox.runtime.sessions.begin() as session:
        _professional, token = await professionals.invite(session, "Anna de Vries", now=sandbox.clock.now())
    await circle["anna"].send(f"/start {token}")


async def family_alone(circle: Circle) -> None:
    """Anna made the circle; the parents and Sam are in; nobody around the family yet."""
    await fresh(circle)
    anna, fatima, omar, sam = circle["anna"], circle["fatima"], circle["omar"], circle["sam"]
    clock = circle.sandbox.clock
    await anna.send("/new")
    (question,) = await anna.send("Gezin Jansen")
    await anna.press(question, "Nederlands")
    await anna.press(question, "3 maanden (tip)")
    (question,) = await anna.send("Sam")
    await anna.press(question, "Maak de kring")
    links = links_in(question)
    sam_link = LINK.findall(question.text.split("Sam zelf")[1])[0][1]
    clock.advance(timedelta(minutes=10))
    greeting, *_rest = await fatima.add_bot_to_group(circle.group, links["startgroup"])
    await omar.press(greeting, "🏠 Ik woon in dit huis")
    await fatima.press(circle.last_with(GROUP_ID, "✅ Ja, woont bij ons"), "✅ Ja, woont bij ons")
    await omar.send("/start")
    clock.advance(timedelta(minutes=30))
    (invitation,) = await sam.send(f"/start {sam_link}")
    await sam.press(invitation, "Ja, ik doe mee")
    await fatima.press(circle.last_with(GROUP_ID, "✅ Ja, dit is Sam"), "✅ Ja, dit is Sam")


async def _join(circle: Circle, key: str, display_name: str) -> None:
    """Fatima invites someone around the family; they open the link and say yes; she confirms."""
    fatima, person = circle["fatima"], circle[key]
    (question,) = await fatima.send("/invite")
    await fatima.press(question, "Iemand om het gezin heen")
    (ask_help,) = await fatima.send(display_name)
    await fatima.press(ask_help, "Overslaan")
    (invitation,) = await person.send(f"/start {links_in(ask_help)['start']}")
    language = str(person.info.get("language_code") or "nl")
    await person.press(invitation, label_in(language, "Ja, ik doe mee"))
    yes = f"✅ Ja, dit is {display_name}"
    await fatima.press(circle.last_with(GROUP_ID, yes), yes)


async def _agreement(circle: Circle, doer: str, what: str, day: str, hour: str) -> None:
    fatima = circle["fatima"]
    (current,) = await fatima.send("/newagreement")
    await fatima.press(current, doer)
    (current,) = await fatima.send(what)
    for answer in ("Elke week", day, hour, "✅ Opslaan"):
        await fatima.press(current, answer)


async def _grandmother_helps(circle: Circle) -> None:
    """Oma Ayşe joins; she lives in Istanbul, reads Turkish, and babysits every Wednesday at 15:00."""
    ayse = circle["ayse"]
    await _join(circle, "ayse", "Oma Ayşe")
    (question,) = await ayse.send("/timezone")
    await ayse.press(question, next(t for t in question.button_texts() if t.startswith("Istanbul")))
    await _agreement(circle, "Oma Ayşe", "Oppassen op Sam", "woensdag", "15:00")
    await ayse.press(circle.last(ayse.id), label_in("tr", "Ja, dat doe ik"))


async def grandmother_abroad(circle: Circle) -> None:
    """Oma abroad; the clock stands just before her first reminder."""
    await family_alone(circle)
    await _grandmother_helps(circle)
    await pass_time(circle.sandbox, datetime.fromisoformat("2026-11-25T07:00:00+01:00"))


async def hard_week(circle: Circle) -> None:
    """Two weeks on: oma could not babysit, and the family said in the Sunday check-in that it
    does not go well."""
    await family_alone(circle)
    await _grandmother_helps(circle)
    fatima, omar, ayse = circle["fatima"], circle["omar"], circle["ayse"]
    await _join(circle, "kees", "Buurman Kees")
    await _agreement(circle, "Omar", "Sam naar voetbal brengen", "zaterdag", "09:00")
    await omar.press(circle.last_with(GROUP_ID, "Ja, dat doe ik"), "Ja, dat doe ik")
    (question,) = await fatima.send("/checkin", chat=circle.group)
    for answer in ("Hoe vaak vraag ik hoe het gaat?", "Elke week", "zondag", "19:00"):
        await fatima.press(question, answer)
    sandbox = circle.sandbox
    await pass_time(sandbox, datetime.fromisoformat("2026-12-02T12:00:00+01:00"))
    cannot = label_in("tr", "Lukt deze keer niet")
    await ayse.press(circle.last_with(ayse.id, cannot), cannot)
    await pass_time(sandbox, datetime.fromisoformat("2026-12-06T19:05:00+01:00"))
    checkin = circle.last_with(GROUP_ID, "😟 Niet goed")
    await fatima.press(checkin, "😟 Niet goed")
    await omar.press(checkin, "😟 Niet goed")


@dataclass(frozen=True)
class Situation:
    key: str
    title: str  # in Dutch (translated where it is shown)
    play: Callable[[Circle], Awaitable[None]]
    tip: str  # what to try first, in Dutch (translated where it is shown)


SITUATIONS = (
    Situation("fresh", N_("Nog geen kring"), fresh, N_("Begin bij Anna. Stuur /new en maak een kring voor het gezin.")),
    Situation(
        "alone",
        N_("Een gezin zonder netwerk"),
        family_alone,
        N_("Het gezin heeft nog niemand om zich heen. Stuur als Fatima /who."),
    ),
    Situation("hard", N_("Een zware week"), hard_week, N_("Het gaat niet goed. Kijk in de groep en vraag om hulp.")),
    Situation(
        "abroad",
        N_("Oma in het buitenland"),
        grandmother_abroad,
        N_("Druk op 'Tot het volgende bericht' en kijk wat oma Ayşe krijgt."),
    ),
)
