"""The circle at closure, end to end: professional → /new → group → coordinator → network invited."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from bot.db.models import Circle, Member, MemberRole, MemberStatus
from bot.services import professionals
from sandbox.fake_telegram import FakeUser, SentMessage
from sandbox.harness import Sandbox
from tests.journey import HOUSEHOLD, join_household

LINK = re.compile(r"https://t\.me/kring_test_bot\?(start|startgroup)=([A-Za-z0-9_-]{43})")
REFUSED = "Deze link werkt niet (meer)."


def links_in(message: SentMessage) -> dict[str, str]:
    return dict(LINK.findall(message.text))


async def register_professional(sandbox: Sandbox, user: FakeUser, name: str = "Anna de Vries") -> None:
    async with sandbox.runtime.sessions.begin() as session:
        _, token = await professionals.invite(session, name, now=sandbox.clock.now())
    (welcome,) = await user.send(f"/start {token}")
    assert welcome.text.startswith(f"Welkom, {name}. Je bent nu aangemeld als hulpverlener.")


async def new_circle(sandbox: Sandbox, professional: FakeUser, name: str = "Gezin Jansen") -> dict[str, str]:
    await professional.send("/new")
    (question,) = await professional.send(name)
    await professional.press(question, "Nederlands")
    assert question.text.startswith("Hoe lang kijk je na het einde van de hulp nog mee?")
    await professional.press(question, "3 maanden (tip)")
    assert question.text.startswith("Voor welk kind of welke jongere was de hulp?")
    await professional.press(question, "Overslaan")
    assert "Naam: Gezin Jansen" in question.text and "Je kijkt mee tot: 23 februari 2027" in question.text
    await professional.press(question, "Maak de kring")
    assert question.text.startswith(f"De kring {name} is klaar.")
    return links_in(question)


async def family_group(sandbox: Sandbox, links: dict[str, str]) -> tuple[FakeUser, SentMessage]:
    """Fatima got the links at closure and adds Kring to the family's group: she leads the circle."""
    fatima = sandbox.user(1, "Fatima")
    group = sandbox.telegram.group(-100, "Familie Jansen")
    (greeting,) = await fatima.add_bot_to_group(group, links["startgroup"])  # nothing about the figures yet
    assert greeting.text.startswith("Hallo allemaal! Ik ben Kring. Ik help Gezin Jansen met afspraken")
    assert "Anna de Vries leest hier niet mee." in greeting.text and "112" in greeting.text
    assert "Fatima regelt de kring." in greeting.text and "Wie als eerste drukt" not in greeting.text
    assert "Familie, vrienden of buren? Vraag Fatima om een uitnodiging." in greeting.text
    assert greeting.button_texts() == [HOUSEHOLD, "☎️ Hulplijnen"]
    return fatima, greeting


async def invite(sandbox: Sandbox, coordinator: FakeUser, name: str, helps_with: str | None) -> tuple[str, SentMessage]:
    (question,) = await coordinator.send("/invite")
    await coordinator.press(question, "Iemand om het gezin heen")
    (ask_help,) = await coordinator.send(name)
    if helps_with is None:
        await coordinator.press(ask_help, "Overslaan")
        link_message = ask_help
    else:
        (link_message,) = await coordinator.send(helps_with)
    return links_in(link_message)["start"], link_message


async def test_the_whole_set_up(sandbox: Sandbox) -> None:
    anna = sandbox.user(900, "Anna")
    await register_professional(sandbox, anna)
    links = await new_circle(sandbox, anna)
    assert set(links) == {"start", "startgroup"}

    fatima, greeting = await family_group(sandbox, links)
    omar = sandbox.user(2, "Omar")
    asked = await omar.press(greeting, HOUSEHOLD)
    assert asked["text"] == "Dank je! Ik vraag het aan wie de kring regelt. Daarna hoor je het."
    question = sandbox.telegram.messages_in(-100)[-1]
    assert question.text.startswith("Omar wil meedoen als gezin. Woont Omar bij jullie in huis?")
    assert (await omar.press(greeting, HOUSEHOLD))["text"] == "Je vraag wacht nog op een ja."
    assert (await omar.press(question, "✅ Ja, woont bij ons"))[
        "text"
    ] == "Deze knop werkt niet meer."  # not his to say
    await fatima.press(question, "✅ Ja, woont bij ons")
    assert question.text == "✅ Omar doet nu mee."
    assert sandbox.telegram.messages_in(-100)[-1].text.startswith("Welkom, Omar! Je doet nu mee als gezin.")
    assert (await omar.press(greeting, HOUSEHOLD))["text"] == "Je doet al mee."

    token, link_message = await invite(sandbox, fatima, "Oma Ayşe", "Oppassen op woensdag")
    assert "De link werkt één keer, 14 dagen lang." in link_message.text
    assert "is dit echt Oma Ayşe?" in link_message.text

    ayse = sandbox.user(3, "Ayşe")
    (invitation,) = await ayse.send(f"/start {token}")
    assert invitation.text.startswith("Fatima nodigt je uit voor de kring van Gezin Jansen.")
    assert "Oppassen op woensdag" in invitation.text and "Je kunt altijd stoppen." in invitation.text
    await ayse.press(invitation, "Ja, ik doe mee")
    assert invitation.text.startswith("Dank je! Ik vraag het aan wie de kring regelt.")
    question = sandbox.telegram.messages_in(-100)[-1]
    assert question.text.startswith("Het Telegram-account Ayşe opende de link voor Oma Ayşe. Is dit echt Oma Ayşe?")
    await fatima.press(question, "✅ Ja, dit is Oma Ayşe")
    assert sandbox.telegram.messages_in(3)[-1].text.startswith("Welkom in de kring van Gezin Jansen!")

    (members,) = await fatima.send("/members", chat=sandbox.telegram.chats[-100])
    assert members.text.splitlines() == [
        "Wie doet mee in de kring van Gezin Jansen:",
        "• Fatima (gezin, regelt de kring)",
        "• Omar (gezin)",
        "• Oma Ayşe (netwerk)",
        "",
        "Kies iemand om meer te doen.",
    ]
    await fatima.press(members, "Omar")
    await fatima.press(members, "Omar laten meeregelen")
    assert members.text == "Omar (gezin, regelt de kring)"
    await fatima.press(members, "⬅️ Terug")
    assert "• Omar (gezin, regelt de kring)" in members.text
    async with sandbox.runtime.sessions() as session:
        roles = {(m.display_name, m.role, m.is_coordinator) for m in await session.scalars(select(Member))}
    assert roles == {
        ("Fatima", MemberRole.FAMILY, True),
        ("Omar", MemberRole.FAMILY, True),
        ("Oma Ayşe", MemberRole.NETWORK, False),
    }


async def test_a_family_without_a_group_uses_private_chats(sandbox: Sandbox) -> None:
    anna = sandbox.user(900, "Anna")
    await register_professional(sandbox, anna)
    links = await new_circle(sandbox, anna)
    mira = sandbox.user(5, "Mira")
    (welcome,) = await mira.send(f"/start {links['start']}")
    assert welcome.text.startswith("Welkom in de kring van Gezin Jansen.") and "Jij regelt de kring." in welcome.text
    token, _ = await invite(sandbox, mira, "Buurman Kees", None)
    kees = sandbox.user(6, "Kees")
    (invitation,) = await kees.send(f"/start {token}")
    await kees.press(invitation, "Nee, liever niet")
    assert invitation.text.startswith("Dank je wel. Het gezin weet dat je niet meedoet.")
    assert (
        sandbox.telegram.messages_in(5)[-1].text == "Buurman Kees doet niet mee. Dat is goed: niet iedereen kan helpen."
    )


async def test_links_are_single_use_and_reveal_nothing(sandbox: Sandbox) -> None:
    anna = sandbox.user(900, "Anna")
    await register_professional(sandbox, anna)
    links = await new_circle(sandbox, anna)
    fatima, _ = await family_group(sandbox, links)
    token, _ = await invite(sandbox, fatima, "Oma", None)

    ayse, stranger = sandbox.user(3, "Ayşe"), sandbox.user(4, "Iemand")
    (invitation,) = await ayse.send(f"/start {token}")
    (forwarded,) = await stranger.send(f"/start {token}")  # a forwarded copy, opened by someone else
    assert forwarded.text.startswith(REFUSED) and "Jansen" not in forwarded.text
    told = sandbox.telegram.messages_in(-100)[-1]  # the family hears it, once
    assert told.text.startswith("Nog een Telegram-account opende de link voor Oma.")
    await stranger.send(f"/start {token}")
    assert sandbox.telegram.messages_in(-100)[-1] == told
    await ayse.press(invitation, "Ja, ik doe mee")
    (again,) = await ayse.send(f"/start {token}")
    assert again.text.startswith(REFUSED)
    (used_group_link,) = await stranger.send(f"/start {links['startgroup']}")
    assert used_group_link.text.startswith(REFUSED) or "groep" in used_group_link.text


async def test_an_expired_or_revoked_link_is_refused(sandbox: Sandbox) -> None:
    anna = sandbox.user(900, "Anna")
    await register_professional(sandbox, anna)
    links = await new_circle(sandbox, anna)
    fatima, _ = await family_group(sandbox, links)
    token, link_message = await invite(sandbox, fatima, "Oma", None)
    await fatima.press(link_message, "Link intrekken")
    assert link_message.text == "De link voor Oma is ingetrokken. Hij werkt niet meer."
    (revoked,) = await sandbox.user(3, "Ayşe").send(f"/start {token}")
    assert revoked.text.startswith(REFUSED)

    late_token, _ = await invite(sandbox, fatima, "Buurvrouw", None)
    sandbox.clock.advance(timedelta(days=14))
    (expired,) = await sandbox.user(7, "Els").send(f"/start {late_token}")
    assert expired.text.startswith(REFUSED)


async def test_guessing_links_is_throttled(sandbox: Sandbox) -> None:
    guesser = sandbox.user(66, "Raden")
    for attempt in range(5):
        (reply,) = await guesser.send(f"/start {'A' * 42}{attempt}")
        assert reply.text.startswith(REFUSED)
    (throttled,) = await guesser.send("/start " + "B" * 43)
    assert throttled.text.startswith("Je hebt te vaak een link geprobeerd die niet werkt.")
    sandbox.clock.advance(timedelta(hours=1, seconds=1))
    (later,) = await guesser.send("/start " + "C" * 43)
    assert later.text.startswith(REFUSED)


async def test_only_professionals_start_circles_and_only_coordinators_invite(sandbox: Sandbox) -> None:
    stranger = sandbox.user(70, "Vreemde")
    (refused,) = await stranger.send("/new")
    assert refused.text.startswith("Alleen een hulpverlener kan een kring starten.")
    anna = sandbox.user(900, "Anna")
    await register_professional(sandbox, anna)
    links = await new_circle(sandbox, anna)
    await family_group(sandbox, links)
    (professional_invites,) = await anna.send("/invite")
    assert professional_invites.text == "Alleen wie de kring regelt, kan mensen uitnodigen."
    (stranger_invites,) = await stranger.send("/invite")
    assert stranger_invites.text == "Alleen wie de kring regelt, kan mensen uitnodigen."


async def test_forged_buttons_change_nothing(sandbox: Sandbox) -> None:
    anna = sandbox.user(900, "Anna")
    await register_professional(sandbox, anna)
    links = await new_circle(sandbox, anna)
    fatima, greeting = await family_group(sandbox, links)
    omar = sandbox.user(2, "Omar")
    await join_household(fatima, omar, greeting)
    (members,) = await fatima.send("/members", chat=sandbox.telegram.chats[-100])
    await fatima.press(members, "Omar")
    coordinate = members.callback_data("Omar laten meeregelen")
    # Omar (not a coordinator) presses Fatima's button; a stranger forges one in a private chat
    assert (await omar.press(members, "", data=coordinate))["text"] == "Deze knop werkt niet meer."
    (own,) = await sandbox.user(70, "Vreemde").send("/start")
    assert (await sandbox.user(70, "Vreemde").press(own, "", data=coordinate))["text"] == "Deze knop werkt niet meer."
    # a join button for this circle, pressed in another group
    other = sandbox.telegram.group(-200, "Andere groep")
    other.bot_member = True
    fake = SentMessage(10_000, -200, "x")
    sandbox.telegram.messages[(-200, 10_000)] = fake
    answer = await sandbox.user(71, "Buiten").press(fake, "", data=greeting.callback_data(HOUSEHOLD))
    assert answer["text"] == "Deze knop werkt niet meer."
    async with sandbox.runtime.sessions() as session:
        members_now = {(m.display_name, m.is_coordinator) for m in await session.scalars(select(Member))}
    assert members_now == {("Fatima", True), ("Omar", False)}


async def test_a_group_upgraded_to_a_supergroup_keeps_its_circle(sandbox: Sandbox) -> None:
    anna = sandbox.user(900, "Anna")
    await register_professional(sandbox, anna)
    links = await new_circle(sandbox, anna)
    fatima, _ = await family_group(sandbox, links)
    update_id = await sandbox.telegram.push_update(
        {
            "message": {
                "message_id": sandbox.telegram.next_message_id(),
                "date": 0,
                "chat": {"id": -100, "type": "group", "title": "x"},
                "from": fatima.info,
                "migrate_to_chat_id": -1000100,
            }
        }
    )
    await sandbox.telegram.settle(update_id)
    async with sandbox.runtime.sessions() as session:
        circle = await session.scalar(select(Circle))
        assert circle is not None and circle.group_chat_id == -1000100


async def test_the_bot_added_without_a_link_explains_itself(sandbox: Sandbox) -> None:
    fatima = sandbox.user(1, "Fatima")
    group = sandbox.telegram.group(-300, "Zomaar een groep")
    assert await fatima.add_bot_to_group(group) == []
    (reply,) = await fatima.send("/start", chat=group)
    assert reply.text.startswith("Hallo! Ik ben Kring. Ik werk alleen in een groep als de hulpverlener")
    async with sandbox.runtime.sessions() as session:
        assert await session.scalar(select(Circle)) is None
        assert await session.scalar(select(Member).where(Member.status == MemberStatus.ACTIVE)) is None


async def test_a_restart_halfway_through_a_conversation_loses_nothing(sandbox: Sandbox) -> None:
    anna = sandbox.user(900, "Anna")
    await register_professional(sandbox, anna)
    await anna.send("/new")
    (question,) = await anna.send("Gezin Jansen")
    await sandbox.restart()
    await anna.press(question, "Nederlands")
    assert question.text.startswith("Hoe lang kijk je na het einde van de hulp nog mee?")
    await sandbox.restart()
    await anna.press(question, "3 maanden (tip)")
    await sandbox.restart()
    (question,) = await anna.send("Sam")
    assert "De hulp was voor: Sam" in question.text
    await anna.press(question, "Maak de kring")
    assert question.text.startswith("De kring Gezin Jansen is klaar.")
