"""Edge cases around people coming and going, privacy in the group, and a sender that keeps going."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import app
from bot.db import outbox
from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import (
    Agreement,
    AgreementStatus,
    Delivery,
    DeliveryStatus,
    Member,
    MemberStatus,
)
from bot.messages.renderers import RENDERERS
from bot.services import professionals
from sandbox.harness import Sandbox
from scheduler.sender import Rendered
from tests.journey import (
    GROUP_ID,
    REFUSED,
    confirm_join,
    invite,
    join_household,
    make_agreement,
    register_professional,
    set_up_circle,
)


async def test_family_only_agreements_stay_out_of_the_group_and_away_from_the_backup(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await make_agreement(c.fatima, "Omar", "Geheim plan", visibility="family", backup="Buurman Kees")
    ask = sandbox.telegram.messages_in(GROUP_ID)[-1]
    assert "Geheim plan" not in ask.text and "/agreements" in ask.text
    (private,) = await c.omar.send("/agreements")
    assert "Geheim plan" in private.text and private.button_texts() == ["Ja, dat doe ik", "Liever anders"]
    await c.omar.press(private, "Ja, dat doe ik")
    told = sandbox.telegram.messages_in(GROUP_ID)[-1].text
    assert told.startswith("Omar zegt ja:") and "Geheim plan" not in told
    for person in (c.kees, c.ayse):
        assert all("Geheim plan" not in m.text for m in await person.send("/plan"))


async def test_people_who_left_can_come_back(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    greeting = sandbox.telegram.messages_in(GROUP_ID)[0]
    (leave,) = await c.omar.send("/leave")
    await c.omar.press(leave, "Ja, ik stop")
    await join_household(c.fatima, c.omar, greeting)
    assert sandbox.telegram.messages_in(GROUP_ID)[-1].text.startswith("Welkom, Omar! Je doet nu mee als gezin.")
    (leave,) = await c.kees.send("/leave")
    await c.kees.press(leave, "Ja, ik stop")
    token, _ = await invite(c.fatima, "Buurman Kees")
    (invitation,) = await c.kees.send(f"/start {token}")
    await c.kees.press(invitation, "Ja, ik doe mee")
    await confirm_join(c.fatima, "✅ Ja, dit is Buurman Kees")
    async with sandbox.runtime.sessions() as session:
        active = sorted(
            m.display_name for m in await session.scalars(select(Member).where(Member.status == MemberStatus.ACTIVE))
        )
    assert active == ["Buurman Kees", "Fatima", "Oma Ayşe", "Omar"]


async def test_a_family_link_opened_by_someone_already_in_the_circle_is_refused_kindly(sandbox: Sandbox) -> None:
    anna = sandbox.user(900, "Anna")
    await register_professional(sandbox, anna)
    await anna.send("/new")
    (question,) = await anna.send("Gezin Jansen")
    await anna.press(question, "Nederlands")
    await anna.press(question, "3 maanden (tip)")
    await anna.press(question, "Overslaan")
    await anna.press(question, "Maak de kring")
    family_token = question.text.split("?start=")[1].split()[0]
    (reply,) = await anna.send(f"/start {family_token}")  # the professional is not family
    assert reply.text.startswith(REFUSED)


async def test_a_removed_professional_can_register_again(sandbox: Sandbox) -> None:
    anna = sandbox.user(900, "Anna")
    await register_professional(sandbox, anna)
    async with sandbox.runtime.sessions.begin() as session:
        (first,) = await professionals.all_professionals(session)
        await professionals.remove(session, first.id, now=sandbox.clock.now())
    (refused,) = await anna.send("/new")
    assert refused.text.startswith("Alleen een hulpverlener kan een kring starten.")
    await register_professional(sandbox, anna, name="Anna de Vries-Bakker")


async def test_the_professional_suggests_nothing_after_the_follow_up_period(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    (question,) = await c.anna.send("/newagreement")  # begun during the follow-up period ...
    await c.anna.press(question, "Oma Ayşe")
    sandbox.clock.advance(timedelta(days=100))  # ... which ends before it is saved
    await sandbox.tick()
    (reply,) = await c.anna.send("Te laat")  # a question from 100 days ago is not answered any more
    assert reply.text.startswith("Dank je voor je bericht.") and reply.button_texts() == ["☎️ Hulplijnen"]
    (question,) = await c.anna.send("/newagreement")  # and the professional has left the circle
    assert question.text == "Alleen wie de kring regelt, kan afspraken maken."
    async with sandbox.runtime.sessions() as session:
        assert await session.scalar(select(Agreement).where(Agreement.what == "Te laat")) is None


async def test_a_paused_member_gets_family_news_after_the_pause(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    (pause,) = await c.kees.send("/pause")
    await c.kees.press(pause, "7 dagen")
    before = len(sandbox.telegram.messages_in(4))
    await make_agreement(c.fatima, "Buurman Kees", "Ramen zemen")
    assert len(sandbox.telegram.messages_in(4)) == before  # nothing during the pause
    sandbox.clock.advance(timedelta(days=7, minutes=1))
    await sandbox.tick()
    assert sandbox.telegram.messages_in(4)[-1].text.startswith("Buurman Kees, Fatima vraagt of jij dit wilt doen:")


BROKEN = cast(DeliveryKind, "test.broken")  # a kind of the test's own


@pytest.fixture
def broken_renderer(monkeypatch: pytest.MonkeyPatch) -> None:
    """The application is built (and built again at each restart) with a renderer that fails."""

    async def broken(session: AsyncSession, delivery: Delivery) -> Rendered | None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(app, "RENDERERS", {**RENDERERS, BROKEN: broken})


async def test_one_broken_message_does_not_hold_up_the_others(broken_renderer: None, sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    now = sandbox.clock.now()
    async with sandbox.runtime.sessions.begin() as session:
        await outbox.enqueue(session, key="broken", kind=BROKEN, chat_id=GROUP_ID, due_at=now, now=now)
    await make_agreement(c.fatima, "Oma Ayşe", "Soep koken")
    async with sandbox.runtime.sessions() as session:
        statuses = {d.key: d.status for d in await session.scalars(select(Delivery))}
        agreement = await session.scalar(select(Agreement).where(Agreement.what == "Soep koken"))
    assert statuses["broken"] == DeliveryStatus.FAILED
    assert agreement is not None and agreement.status == AgreementStatus.PROPOSED
    assert statuses[f"agreement.ask:{agreement.id}"] == DeliveryStatus.SENT
