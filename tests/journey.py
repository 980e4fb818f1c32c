"""Steps of the set-up journey, played by people through the fake Telegram (shared by the tests)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.services import professionals
from sandbox.fake_telegram import Chat, FakeUser, SentMessage
from sandbox.harness import Sandbox
from tests import snapshots

LINK = re.compile(r"https://t\.me/kring_test_bot\?(start|startgroup)=([A-Za-z0-9_-]{43})")
REFUSED = "Deze link werkt niet (meer)."
HOUSEHOLD = "🏠 Ik woon in dit huis"
STALE = "Deze knop werkt niet meer."
GROUP_ID = -100


def links_in(message: SentMessage) -> dict[str, str]:
    return dict(LINK.findall(message.text))


async def register_professional(sandbox: Sandbox, user: FakeUser, name: str = "Anna de Vries") -> None:
    async with sandbox.runtime.sessions.begin() as session:
        _, token = await professionals.invite(session, name, now=sandbox.clock.now())
    (welcome,) = await user.send(f"/start {token}")
    assert welcome.text.startswith(f"Welkom, {name}. Je bent nu aangemeld als hulpverlener.")


async def new_circle(professional: FakeUser, name: str = "Gezin Jansen", young: str | None = None) -> dict[str, str]:
    """Walk /new; with ``young``, the link for the young person is ``links["young"]``."""
    await professional.send("/new")
    (question,) = await professional.send(name)
    await professional.press(question, "Nederlands")
    await professional.press(question, "3 maanden (tip)")
    if young is None:
        await professional.press(question, "Overslaan")
    else:
        (question,) = await professional.send(young)
    await professional.press(question, "Maak de kring")
    assert question.text.startswith(f"De kring {name} is klaar.")
    links = links_in(question)
    if young is not None:
        links["young"] = LINK.findall(question.text.split(f"Voor {young} zelf")[1])[0][1]
    return links


async def family_group(
    sandbox: Sandbox, links: dict[str, str], user_id: int = 1, name: str = "Fatima", group_id: int = GROUP_ID
) -> tuple[FakeUser, SentMessage]:
    """The parent who got the links adds Kring to the family's group: they lead the circle."""
    coordinator = sandbox.user(user_id, name)
    group = sandbox.telegram.group(group_id, "Familie")
    greeting, *_pulse_offer = await coordinator.add_bot_to_group(group, links["startgroup"])
    return coordinator, greeting


async def confirm_join(coordinator: FakeUser, yes: str) -> SentMessage:
    """A coordinator answers the family's newest question about a newcomer (in the family's group,
    or in the coordinator's own chat when there is no group)."""
    asked = [m for m in coordinator.telegram.messages.values() if yes in [t.split(" · ")[0] for t in m.button_texts()]]
    question = max(asked, key=lambda m: m.message_id)
    await coordinator.press(question, yes)
    return question


async def join_household(coordinator: FakeUser, person: FakeUser, greeting: SentMessage) -> None:
    """Someone of the household presses the group's button; the coordinator says yes."""
    await person.press(greeting, HOUSEHOLD)
    await confirm_join(coordinator, "✅ Ja, woont bij ons")


async def invite(coordinator: FakeUser, name: str, helps_with: str | None = None) -> tuple[str, SentMessage]:
    (question,) = await coordinator.send("/invite")
    await coordinator.press(question, "Iemand om het gezin heen")
    (ask_help,) = await coordinator.send(name)
    if helps_with is None:
        await coordinator.press(ask_help, "Overslaan")
        return links_in(ask_help)["start"], ask_help
    (link_message,) = await coordinator.send(helps_with)
    return links_in(link_message)["start"], link_message


async def join_network(
    sandbox: Sandbox, coordinator: FakeUser, user_id: int, first_name: str, display_name: str
) -> FakeUser:
    token, _ = await invite(coordinator, display_name)
    person = sandbox.user(user_id, first_name)
    (invitation,) = await person.send(f"/start {token}")
    await person.press(invitation, "Ja, ik doe mee")
    await confirm_join(coordinator, f"✅ Ja, dit is {display_name}")
    return person


async def join_young(
    sandbox: Sandbox, coordinator: FakeUser, user_id: int, first_name: str, display_name: str
) -> FakeUser:
    """A coordinator invites the young person the care was about; they join once confirmed."""
    (question,) = await coordinator.send("/invite")
    await coordinator.press(question, "De jongere zelf")
    (link_message,) = await coordinator.send(display_name)
    person = sandbox.user(user_id, first_name)
    (invitation,) = await person.send(f"/start {links_in(link_message)['start']}")
    await person.press(invitation, "Ja, ik doe mee")
    await confirm_join(coordinator, f"✅ Ja, dit is {display_name}")
    return person


async def choose_network_checkin(coordinator: FakeUser, name: str, every: str = "Elke 3 weken (tip)") -> SentMessage:
    """A coordinator switches on check-ins for one network member, under /checkin."""
    (question,) = await coordinator.send("/checkin")
    await coordinator.press(question, "🌱 Check-ins voor de mensen om jullie heen")
    await coordinator.press(question, next(b for b in question.button_texts() if b.startswith(name)))
    await coordinator.press(question, every)
    return question


@dataclass
class Circle:
    """A circle as the tests find it: the professional, the family's group and its people."""

    anna: FakeUser  # the professional
    fatima: FakeUser  # coordinator
    omar: FakeUser  # family member
    ayse: FakeUser  # network: grandmother
    kees: FakeUser  # network: neighbour
    group: Chat


async def set_up_circle(sandbox: Sandbox, *, fresh: bool = False) -> Circle:
    """The shared circle: played once per database kind, then copied (``fresh``: played again, for
    a test that looks at what the set-up itself did, such as its logs)."""
    if fresh:
        return await _play_circle(sandbox)
    return await snapshots.cached(sandbox, "circle", _play_circle)


async def _play_circle(sandbox: Sandbox) -> Circle:
    anna = sandbox.user(900, "Anna")
    await register_professional(sandbox, anna)
    links = await new_circle(anna)
    fatima, greeting = await family_group(sandbox, links)
    omar = sandbox.user(2, "Omar")
    await join_household(fatima, omar, greeting)
    await omar.send("/start")  # Omar also opened a private chat with Kring
    ayse = await join_network(sandbox, fatima, 3, "Ayşe", "Oma Ayşe")
    kees = await join_network(sandbox, fatima, 4, "Kees", "Buurman Kees")
    return Circle(anna, fatima, omar, ayse, kees, sandbox.telegram.chats[GROUP_ID])


async def make_agreement(
    maker: FakeUser,
    doer: str,
    what: str,
    *,
    for_whom: str | None = None,
    kind: str | None = None,
    when: tuple[str, ...] = ("Elke week", "woensdag", "15:00"),
    backup: str | None = None,
    visibility: str | None = None,
    circle: str = "Gezin Jansen",
) -> SentMessage:
    """Walk /newagreement: who, what, when, then the summary, where only what is given changes a
    default (``visibility="family"``: only the family and the doer); returns the last message
    (which says what happens next)."""
    (current,) = await maker.send("/newagreement")
    if current.text == "Voor welke kring?":
        await maker.press(current, circle)
        current = maker.telegram.messages_in(maker.id)[-1]
    await maker.press(current, doer)
    (current,) = await maker.send(what)
    await maker.press(current, when[0])
    for answer in when[1:]:
        if current.buttons and answer in current.button_texts():
            await maker.press(current, answer)
        else:
            (current,) = await maker.send(answer)
    assert current.text.startswith("Klopt dit?"), current.text
    if for_whom is not None:
        await maker.press(current, "Voor wie?")
        (current,) = await maker.send(for_whom)
    if kind is not None:
        await maker.press(current, "Soort hulp")
        await maker.press(current, kind)
    if backup is not None:
        await maker.press(current, "Wie springt in?")
        await maker.press(current, backup)
    if visibility is not None:
        await maker.press(current, "Wie ziet het?")
        await maker.press(current, visibility if visibility != "family" else f"Alleen het gezin en {doer}")
    assert current.text.startswith("Klopt dit?"), current.text
    await maker.press(current, "✅ Opslaan")
    return current
