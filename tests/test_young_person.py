"""The young person the care was about, in a role of their own: added at /new by the professional
or invited by a coordinator, always confirmed by the family, end to end over the fake Bot API."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db.models import Member, MemberRole, MemberStatus, Person
from sandbox.demo import pass_time
from sandbox.harness import Sandbox
from tests.journey import (
    GROUP_ID,
    STALE,
    Circle,
    confirm_join,
    family_group,
    join_household,
    join_young,
    make_agreement,
    new_circle,
    register_professional,
    set_up_circle,
)


async def test_the_professional_adds_the_young_person_and_the_family_confirms(sandbox: Sandbox) -> None:
    anna = sandbox.user(900, "Anna")
    await register_professional(sandbox, anna)
    links = await new_circle(anna, young="Sam")
    fatima, _greeting = await family_group(sandbox, links)
    sam = sandbox.user(7, "Sam")
    (invitation,) = await sam.send(f"/start {links['young']}")
    assert invitation.text.startswith("Je bent uitgenodigd voor de kring van Gezin Jansen.")
    assert "Ik vraag jou af en toe zelf hoe het gaat. Wat je zegt, blijft van jou." in invitation.text
    await sam.press(invitation, "Ja, ik doe mee")
    async with sandbox.runtime.sessions() as session:  # not in before the family says yes
        young = await session.scalar(select(Member).where(Member.role == MemberRole.YOUNG))
        assert young is not None and young.status == MemberStatus.PENDING
    await confirm_join(fatima, "✅ Ja, dit is Sam")
    async with sandbox.runtime.sessions() as session:
        young = await session.scalar(select(Member).where(Member.role == MemberRole.YOUNG))
        assert young is not None and young.status == MemberStatus.ACTIVE and not young.is_coordinator
    assert any(m.text.startswith("Welkom") for m in sandbox.telegram.messages_in(7))


async def test_the_young_person_sees_only_what_the_family_shares(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    sam = await join_young(sandbox, c.fatima, 7, "Sam", "Sam")
    await make_agreement(c.fatima, "Oma Ayşe", "Samen naar de kapper")
    await c.ayse.press(sandbox.telegram.messages_in(3)[-1], "Ja, dat doe ik")
    await make_agreement(c.fatima, "Omar", "Gesprek met school", visibility="family")
    (parents_plan,) = await c.fatima.send("/plan")
    assert "Gesprek met school" in parents_plan.text
    (plan,) = await sam.send("/plan")
    assert "Samen naar de kapper" in plan.text and "Gesprek met school" not in plan.text
    (refused,) = await sam.send("/safetyplan")
    assert "Samen naar de kapper" not in refused.text
    (members,) = await c.fatima.send("/members")
    assert "Sam" in members.text
    card_button = next(b for b in members.button_texts() if b.startswith("Sam"))
    await c.fatima.press(members, card_button)
    assert "de jongere" in members.text
    assert not any("meeregelen" in b for b in members.button_texts())  # never a coordinator


async def test_a_parent_who_never_opened_a_chat_with_kring_is_not_called_blocked(sandbox: Sandbox) -> None:
    """The parents hear the young person's choices privately. Telegram refuses a private message
    to someone who never pressed Start: that is no block, and the family hears nothing about it."""
    c = await set_up_circle(sandbox)
    lina = sandbox.user(8, "Lina")
    await join_household(c.fatima, lina, sandbox.telegram.messages_in(GROUP_ID)[0])  # only ever in the group
    (members,) = await c.fatima.send("/members")
    await c.fatima.press(members, "Lina")
    await c.fatima.press(members, "Lina laten meeregelen")
    sam = await join_young(sandbox, c.fatima, 7, "Sam", "Sam")
    group_before = len(sandbox.telegram.messages_in(GROUP_ID))
    await sam.send("/mentor")
    await sam.send("Trainer Bas")
    (question,) = await sam.send("Hij luistert")
    await sam.press(question, "✅ Vraag het mijn ouders")
    await sandbox.tick()
    assert any("vertrouwenspersoon" in m.text for m in sandbox.telegram.messages_in(c.fatima.id))
    assert sandbox.telegram.messages_in(GROUP_ID)[group_before:] == []
    async with sandbox.runtime.sessions() as session:
        person = await session.scalar(select(Person).where(Person.telegram_user_id == 8))
        assert person is not None and person.unreachable_since is None


async def test_the_young_persons_own_data_holds_their_choices_and_nobody_elses_does(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    sam = await join_young(sandbox, c.fatima, 7, "Sam", "Sam")
    await make_agreement(c.fatima, "Oma Ayşe", "Samen naar de kapper")
    await c.ayse.press(sandbox.telegram.messages_in(3)[-1], "Ja, dat doe ik")
    await sam.send("/mentor")
    await sam.send("Trainer Bas")
    (question,) = await sam.send("Hij luistert")
    await sam.press(question, "✅ Vraag het mijn ouders")
    *_others, haircut = await sam.send("/agreements")
    await sam.press(haircut, "💬 Wat vind jij ervan?")
    await sam.press(sandbox.telegram.messages_in(7)[-1], "👎 Dit helpt niet")
    (people_list,) = await sam.send("/people")
    await sam.press(people_list, "Buurman Kees")
    await sam.press(people_list, "🙅 Liever niet")
    _intro, readable, _json = await sam.send("/mydata")
    assert readable.document is not None
    text = readable.document[1].decode()
    assert "Samen naar de kapper: dit helpt niet" in text
    assert "Buurman Kees: 🙅 Liever niet" in text
    assert "Trainer Bas — “Hij luistert”" in text
    for parent in (c.fatima, c.omar):
        _intro, *documents = await parent.send("/mydata")
        contents = "".join(d.document[1].decode() for d in documents if d.document)
        assert "Hij luistert" not in contents and "Liever niet" not in contents and "helpt niet" not in contents


async def _omar_leads_too(c: Circle) -> None:
    (members,) = await c.fatima.send("/members")
    await c.fatima.press(members, "Omar")
    await c.fatima.press(members, "Omar laten meeregelen")


async def test_a_parent_never_sees_the_young_persons_mark_about_themselves(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await _omar_leads_too(c)
    sam = await join_young(sandbox, c.fatima, 7, "Sam", "Sam")
    (people_list,) = await sam.send("/people")
    await sam.press(people_list, "Fatima")
    await sam.press(people_list, "🙅 Liever niet")
    (fatima_sees,) = await c.fatima.send("/members")
    (omar_sees,) = await c.omar.send("/members")
    assert "Sam wil deze persoon liever niet erbij" not in fatima_sees.text
    assert "Sam wil deze persoon liever niet erbij" in omar_sees.text


async def test_what_waited_for_a_parent_is_not_sent_once_they_no_longer_lead(sandbox: Sandbox) -> None:
    """A pause holds the young person's news for a parent; if the family takes that parent's role
    back in the meantime, the news is not sent to them after all."""
    c = await set_up_circle(sandbox)
    await _omar_leads_too(c)
    sam = await join_young(sandbox, c.fatima, 7, "Sam", "Sam")
    await make_agreement(c.fatima, "Oma Ayşe", "Samen naar de kapper")
    await c.ayse.press(sandbox.telegram.messages_in(3)[-1], "Ja, dat doe ik")
    (pause,) = await c.omar.send("/pause")
    await c.omar.press(pause, "7 dagen")
    *_others, haircut = await sam.send("/agreements")
    await sam.press(haircut, "💬 Wat vind jij ervan?")
    await sam.press(sandbox.telegram.messages_in(7)[-1], "👎 Dit helpt niet")
    await sandbox.tick()
    assert any("dit helpt niet" in m.text for m in sandbox.telegram.messages_in(c.fatima.id))
    (members,) = await c.fatima.send("/members")
    await c.fatima.press(members, "Omar")
    await c.fatima.press(members, "Niet meer laten regelen")
    await pass_time(sandbox, sandbox.clock.now() + timedelta(days=8))
    assert not any("helpt" in m.text for m in sandbox.telegram.messages_in(c.omar.id))


async def test_choosing_again_takes_a_waiting_question_back(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    sam = await join_young(sandbox, c.fatima, 7, "Sam", "Sam")
    for name in ("Trainer Bas", "Juf Mies"):
        (question,) = await sam.send("/mentor")
        await sam.send(name)
        (question,) = await sam.send("Omdat")
        await sam.press(question, "✅ Vraag het mijn ouders")
        await sandbox.tick()
    first, second = [m for m in sandbox.telegram.messages_in(c.fatima.id) if "als vertrouwenspersoon" in m.text]
    assert "Trainer Bas" in first.text and "Juf Mies" in second.text
    answer = await c.fatima.press(first, "✅ Ja, dat is goed")
    assert answer["text"] == STALE
    await c.fatima.press(second, "✅ Ja, dat is goed")
    async with sandbox.runtime.sessions() as session:
        statuses = {m.display_name: m.status for m in await session.scalars(select(Member))}
    assert statuses["Trainer Bas"] == MemberStatus.REFUSED and statuses["Juf Mies"] == MemberStatus.INVITED
