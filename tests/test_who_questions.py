"""Who-questions (issue 22, point 1), end to end over the fake Bot API: a family with nobody around
it answers a few questions at its own pace, the names stay private (nobody is contacted), one tap
invites a name the usual way, and the young person keeps a list of their own."""

from __future__ import annotations

import json

from sqlalchemy import func, select, text

from bot.db.models import Member, MemberStatus, WhoName
from sandbox.fake_telegram import FakeUser
from sandbox.harness import Sandbox
from tests.journey import (
    GROUP_ID,
    STALE,
    confirm_join,
    family_group,
    join_young,
    links_in,
    new_circle,
    register_professional,
    set_up_circle,
)
from tests.test_rhythm import run_hours

LATER = "Klaar voor nu"


async def family_with_nobody(sandbox: Sandbox) -> FakeUser:
    anna = sandbox.user(900, "Anna")
    await register_professional(sandbox, anna)
    fatima, _greeting = await family_group(sandbox, await new_circle(anna))
    return fatima


async def _names(sandbox: Sandbox) -> list[WhoName]:
    async with sandbox.runtime.sessions() as session:
        return list(await session.scalars(select(WhoName).order_by(WhoName.id)))


async def _members(sandbox: Sandbox) -> int:
    async with sandbox.runtime.sessions() as session:
        return await session.scalar(select(func.count()).select_from(Member)) or 0


async def test_a_family_with_nobody_answers_three_questions_and_invites_a_name_with_one_tap(
    sandbox: Sandbox,
) -> None:
    fatima = await family_with_nobody(sandbox)
    (private_only,) = await fatima.send("/who", chat=sandbox.telegram.chats[GROUP_ID])
    assert private_only.text == "De namen zijn alleen voor jou. Stuur mij /who in een privéchat."
    members_before = await _members(sandbox)
    group_before = len(sandbox.telegram.messages_in(GROUP_ID))

    (first,) = await fatima.send("/who")
    assert first.text.startswith("Ik stel je 3 vragen over de mensen om jullie heen.")
    assert "Niemand krijgt een bericht." in first.text
    assert "Vraag 1 van 3\nOp wie kunnen jullie echt rekenen?" in first.text
    assert first.button_texts() == ["Overslaan", LATER]
    (second,) = await fatima.send("Oma Ayşe")
    assert second.text.startswith("Bewaard: Oma Ayşe.\n\nVraag 2 van 3\nWie vraagt weleens")
    (third,) = await fatima.send("Buurman Kees,  Lisa")
    assert third.text.startswith("Bewaard: Buurman Kees, Lisa.\n\nVraag 3 van 3")
    (the_list,) = await fatima.send("Tante Nora")
    assert the_list.text.startswith("Bewaard: Tante Nora.\n\nJullie lijst:\n• Oma Ayşe\n• Buurman Kees\n• Lisa")
    assert "Nodig Tante Nora uit" in the_list.button_texts() and "Meer vragen" in the_list.button_texts()

    # kept privately: no members, nothing to anyone, and the names are sealed at rest
    assert await _members(sandbox) == members_before
    assert len(sandbox.telegram.messages_in(GROUP_ID)) == group_before
    assert [n.name for n in await _names(sandbox)] == ["Oma Ayşe", "Buurman Kees", "Lisa", "Tante Nora"]
    async with sandbox.runtime.sessions() as session:
        stored = (await session.execute(text("SELECT name FROM who_names"))).scalars().all()
    assert not any("Nora" in str(raw) for raw in stored)

    invite = the_list.callback_data("Nodig Tante Nora uit")
    await fatima.press(the_list, "Nodig Tante Nora uit")
    assert "• Tante Nora (uitgenodigd)" in the_list.text
    assert "Nodig Tante Nora uit" not in the_list.button_texts()
    link = sandbox.telegram.messages_in(fatima.id)[-1]
    assert link.text.startswith("Stuur deze link aan Tante Nora")
    assert (await fatima.press(the_list, "", data=invite))["text"] == STALE  # once

    nora = sandbox.user(7, "Nora")
    (invitation,) = await nora.send(f"/start {links_in(link)['start']}")
    await nora.press(invitation, "Ja, ik doe mee")
    await confirm_join(fatima, "✅ Ja, dit is Tante Nora")
    async with sandbox.runtime.sessions() as session:
        joined = await session.scalar(select(Member).where(Member.person_id.is_not(None), Member.id > members_before))
        assert joined is not None and joined.display_name == "Tante Nora" and joined.status == MemberStatus.ACTIVE
    assert [n.invited_member_id for n in await _names(sandbox)][-1] == joined.id


async def test_every_question_can_be_skipped_and_skipped_ones_come_back_later(sandbox: Sandbox) -> None:
    fatima = await family_with_nobody(sandbox)
    (question,) = await fatima.send("/who")
    for _ in range(3):
        await fatima.press(question, "Overslaan")
    assert question.text == "Geen namen deze keer. Dat is goed.\nLater verder? Stuur dan /who."
    assert await _names(sandbox) == []

    await fatima.press(question, "Meer vragen")  # the same questions again: nothing was answered
    again = sandbox.telegram.messages_in(fatima.id)[-1]
    assert "Vraag 1 van 3\nOp wie kunnen jullie echt rekenen?" in again.text
    await fatima.send("Oma")
    (cancelled,) = await fatima.send("/cancel")
    assert cancelled.text == "Gestopt. De namen die je al stuurde, staan op de lijst."
    (next_round,) = await fatima.send("/who")  # answered ones make way for the next
    assert "Vraag 1 van 3\nWie vraagt weleens hoe het met jullie gaat?" in next_round.text
    await fatima.press(next_round, LATER)
    assert next_round.text.startswith("Jullie lijst:\n• Oma\n")
    await fatima.send("/who")
    (twice,) = await fatima.send("oma")  # already on the list: kept once
    assert not twice.text.startswith("Bewaard")
    assert [n.name for n in await _names(sandbox)] == ["Oma"]


async def test_the_young_person_keeps_their_own_list_and_the_network_cannot_ask(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    sam = await join_young(sandbox, c.fatima, 5, "Sam", "Sam")
    (question,) = await sam.send("/who")
    assert question.text.startswith("Ik stel je een paar vragen over de mensen om je heen.")
    assert "Alleen jij ziet je lijst." in question.text and "Op wie kun jij echt rekenen?" in question.text
    await sam.send("Trainer Bas")
    mine = sandbox.telegram.messages_in(5)[-1]
    await sam.press(mine, LATER)
    assert mine.text.startswith("Jouw lijst:\n• Trainer Bas")
    assert "/mentor" in mine.text and mine.button_texts() == ["Meer vragen"]

    (family,) = await c.fatima.send("/who")
    await c.fatima.press(family, LATER)
    assert "Trainer Bas" not in family.text  # the young person's list is theirs alone
    (bas,) = await _names(sandbox)
    forged = f"whoinv:{bas.id}"
    assert (await c.fatima.press(family, "", data=forged))["text"] == STALE
    assert (await sam.press(mine, "", data=forged))["text"] == STALE  # a young person invites via /mentor

    (refused,) = await c.kees.send("/who")
    assert refused.text == "Alleen wie de kring regelt, of de jongere zelf, kan deze vragen doen."


async def test_the_list_is_in_mydata_and_can_be_wiped_with_forget(sandbox: Sandbox) -> None:
    fatima = await family_with_nobody(sandbox)
    await fatima.send("/who")
    await fatima.send("Oma Ayşe")
    _intro, readable, machine = await fatima.send("/mydata")
    assert readable.document is not None and machine.document is not None
    assert "Namen die je opschreef bij /who:\n• Oma Ayşe" in readable.document[1].decode()
    assert json.loads(machine.document[1])["who_names"][0]["name"] == "Oma Ayşe"

    (question,) = await fatima.send("/forget")
    await fatima.press(question, "🗑 Alleen de namen van /who (1)")
    await fatima.press(question, "Ja, wis de namen")
    assert question.text == "Klaar. De namen van /who zijn gewist."
    assert await _names(sandbox) == []
    (again,) = await fatima.send("/forget")
    assert not any("/who" in label for label in again.button_texts())


async def test_kring_mentions_the_questions_gently_when_few_people_are_around(sandbox: Sandbox) -> None:
    fatima = await family_with_nobody(sandbox)
    group = sandbox.telegram.chats[GROUP_ID]
    tip = "Weinig mensen om jullie heen? Met /who bedenk je rustig wie er is. (tip)"
    for rhythm in ("Om de week (tip)", "Elke week"):  # the first time, the figures are asked instead
        (question,) = await fatima.send("/checkin", chat=group)
        await fatima.press(question, "Hoe vaak vraag ik hoe het gaat?")
        await fatima.press(question, rhythm)
        await fatima.press(question, "zondag")
        await fatima.press(question, "19:00")
    assert question.text.endswith(tip)
    arrived = await run_hours(sandbox, 24 * 49, GROUP_ID)  # and at the look at the plan
    (review,) = [m for _, m in arrived if m.text.startswith("🔄 Past het plan nog?")]
    assert review.text.endswith(tip)


async def test_no_tip_when_two_people_are_around_the_family(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    (question,) = await c.fatima.send("/checkin", chat=c.group)
    await c.fatima.press(question, "Hoe vaak vraag ik hoe het gaat?")
    await c.fatima.press(question, "Elke week")
    await c.fatima.press(question, "zondag")
    await c.fatima.press(question, "19:00")
    assert "/who" not in question.text


def test_names_are_split_on_every_comma_people_type() -> None:
    from bot.flows.who_questions import _split

    assert _split("Sara، Ahmad; Lina, Kees") == ["Sara", "Ahmad", "Lina", "Kees"]
    assert _split("سارا، احمد") == ["سارا", "احمد"]
