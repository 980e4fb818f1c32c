"""The young person the care was about, in a role of their own: added at /new by the professional
or invited by a coordinator, always confirmed by the family, end to end over the fake Bot API."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Member, MemberRole, MemberStatus
from sandbox.harness import Sandbox
from tests.journey import (
    confirm_join,
    family_group,
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
