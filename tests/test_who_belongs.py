"""The family decides who belongs (issue 18), end to end over the fake Bot API: nobody joins by a
first tap or a forwarded link, and someone taken out of the circle hears only that, gets nothing
more and cannot come back by the group button or an old link."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db.models import AuditEvent, Delivery, DeliveryStatus, Member, MemberStatus, Person
from bot.services import network_checkins
from sandbox.harness import Sandbox
from tests.journey import (
    GROUP_ID,
    HOUSEHOLD,
    REFUSED,
    STALE,
    choose_network_checkin,
    confirm_join,
    invite,
    links_in,
    make_agreement,
    new_circle,
    register_professional,
    set_up_circle,
)
from tests.test_rhythm import run_hours

NOT_IN_A_CIRCLE = "Je doet nog niet mee in een kring."


async def _member(sandbox: Sandbox, telegram_user_id: int) -> Member | None:
    async with sandbox.runtime.sessions() as session:
        return await session.scalar(
            select(Member)
            .join(Person, Person.id == Member.person_id)
            .where(Person.telegram_user_id == telegram_user_id)
        )


async def _person_id(sandbox: Sandbox, telegram_user_id: int) -> int:
    async with sandbox.runtime.sessions() as session:
        found = await session.scalar(select(Person.id).where(Person.telegram_user_id == telegram_user_id))
    assert found is not None
    return found


async def test_a_relative_pressing_the_household_button_is_nothing_until_a_coordinator_says_yes(
    sandbox: Sandbox,
) -> None:
    c = await set_up_circle(sandbox)
    greeting = sandbox.telegram.messages_in(GROUP_ID)[0]
    aunt = sandbox.user(30, "Mies")
    await aunt.send("/start")
    await aunt.press(greeting, HOUSEHOLD)
    question = sandbox.telegram.messages_in(GROUP_ID)[-1]
    assert question.text.startswith("Mies wil meedoen als gezin. Woont Mies bij jullie in huis?")
    assert question.button_texts() == ["✅ Ja, woont bij ons", "Nee"]
    pending = await _member(sandbox, 30)
    assert pending is not None and pending.status == MemberStatus.PENDING
    for command in ("/plan", "/members", "/agreements"):  # until then she sees nothing of the circle
        assert all("Jansen" not in m.text for m in await aunt.send(command)), command

    assert (await c.omar.press(question, "Nee"))["text"] == STALE  # family, but not the one who decides
    await c.fatima.press(question, "Nee")
    assert question.text.startswith("Mies doet niet mee als gezin.") and not question.buttons
    assert sandbox.telegram.messages_in(30)[-1].text.startswith("Je doet niet mee in de kring van Gezin Jansen.")
    seen = len(sandbox.telegram.messages_in(GROUP_ID))
    assert (await aunt.press(greeting, HOUSEHOLD))["text"] == STALE  # no asking again and again
    assert len(sandbox.telegram.messages_in(GROUP_ID)) == seen
    refused = await _member(sandbox, 30)
    assert refused is not None and refused.status == MemberStatus.REFUSED


async def test_a_forwarded_invitation_is_held_for_the_family_and_refused_when_it_is_someone_else(
    sandbox: Sandbox,
) -> None:
    c = await set_up_circle(sandbox)
    token, _ = await invite(c.fatima, "Opa")
    stranger = sandbox.user(40, "Onbekend")
    (invitation,) = await stranger.send(f"/start {token}")
    await stranger.press(invitation, "Ja, ik doe mee")
    question = sandbox.telegram.messages_in(GROUP_ID)[-1]
    assert question.text.startswith("Het Telegram-account Onbekend opende de link voor Opa. Is dit echt Opa?")
    assert all(m.text.startswith(NOT_IN_A_CIRCLE) for m in await stranger.send("/plan"))

    opa = sandbox.user(41, "Jan")
    (refused,) = await opa.send(f"/start {token}")  # the real grandfather: the link was taken
    assert refused.text.startswith(REFUSED)
    told = sandbox.telegram.messages_in(GROUP_ID)[-1]
    assert told.text.startswith("Nog een Telegram-account opende de link voor Opa.")
    assert "Kijk goed of het account dat wacht echt Opa is." in told.text

    await c.fatima.press(question, "Nee, iemand anders")
    assert question.text == "Onbekend doet niet mee. De link voor Opa werkt niet meer."
    assert sandbox.telegram.messages_in(40)[-1].text.startswith("Je doet niet mee in de kring van Gezin Jansen.")
    assert all(m.text.startswith(NOT_IN_A_CIRCLE) for m in await stranger.send("/plan"))
    await c.fatima.press(question, "🔗 Nieuwe link voor Opa")
    (invitation,) = await opa.send(f"/start {links_in(question)['start']}")
    await opa.press(invitation, "Ja, ik doe mee")
    await confirm_join(c.fatima, "✅ Ja, dit is Opa")
    assert sandbox.telegram.messages_in(41)[-1].text.startswith("Welkom in de kring van Gezin Jansen!")

    grandfather = await _member(sandbox, 41)
    assert grandfather is not None and grandfather.display_name == "Opa" and grandfather.status == MemberStatus.ACTIVE
    assert grandfather.account_name is None  # the account's name was only kept while the family decided
    assert await _member(sandbox, 40) is None
    async with sandbox.runtime.sessions() as session:
        decisions = [
            (e.action, e.actor_person_id)
            for e in await session.scalars(select(AuditEvent).where(AuditEvent.action.like("member.join_%")))
        ]
    fatima = await _person_id(sandbox, 1)
    assert ("member.join_refused", fatima) in decisions and ("member.join_confirmed", fatima) in decisions


async def test_a_removed_network_member_gets_nothing_more_sees_nothing_and_cannot_come_back(
    sandbox: Sandbox,
) -> None:
    c = await set_up_circle(sandbox)
    await make_agreement(c.fatima, "Buurman Kees", "Boodschappen doen", backup="Oma Ayşe")
    await c.kees.press(sandbox.telegram.messages_in(4)[-1], "Ja, dat doe ik")
    await make_agreement(c.fatima, "Oma Ayşe", "Koken", when=("Elke week", "donderdag", "17:00"), backup="Buurman Kees")
    await c.ayse.press(sandbox.telegram.messages_in(3)[-1], "Ja, dat doe ik")
    (menu,) = await c.fatima.send("/safetyplan")
    for button in ("Wie we vragen", "Buurman Kees", "Klaar"):
        await c.fatima.press(menu, button)
    (pause,) = await c.kees.send("/pause")  # what is queued for him now waits a week
    await c.kees.press(pause, "7 dagen")
    await choose_network_checkin(c.fatima, "Buurman Kees")
    kees = await _member(sandbox, 4)
    assert kees is not None
    async with sandbox.runtime.sessions.begin() as session:  # his check-in is queued for tonight
        schedule = await network_checkins.current(session, kees.id)
        assert schedule is not None
        await network_checkins.plan(
            session, schedule, [sandbox.clock.now() + timedelta(hours=5)], now=sandbox.clock.now()
        )
        queued = await session.scalar(
            select(Delivery.id).where(Delivery.person_id == kees.person_id, Delivery.status == DeliveryStatus.PENDING)
        )
    assert queued is not None

    (members,) = await c.fatima.send("/members")
    await c.fatima.press(members, "Buurman Kees")
    await c.fatima.press(members, "🚪 Uit de kring halen")
    assert members.text.startswith("Buurman Kees uit de kring halen?")
    assert "Niet van wie en niet waarom." in members.text
    before = len(sandbox.telegram.messages_in(4))
    await c.fatima.press(members, "Ja, haal Buurman Kees uit de kring")
    assert "Deze afspraken zijn gestopt:\n• Boodschappen doen" in members.text
    assert "Hier zou Buurman Kees inspringen. Dat is gestopt:\n• Koken" in members.text
    assert "Jullie plan voor als het misgaat noemt Buurman Kees." in members.text
    told = sandbox.telegram.messages_in(GROUP_ID)[-1].text  # the family sees what stopped
    assert told.startswith("Buurman Kees doet niet meer mee in de kring.") and "• Boodschappen doen" in told

    await run_hours(sandbox, 24 * 21, 4)  # three weeks: reminders, check-ins, notices would have come
    after = sandbox.telegram.messages_in(4)[before:]
    assert [m.text for m in after] == [
        "Je doet niet meer mee in de kring van Gezin Jansen. Je krijgt van deze kring geen berichten meer."
    ]
    async with sandbox.runtime.sessions() as session:
        waiting = await session.scalar(
            select(Delivery.id).where(
                Delivery.person_id == kees.person_id,
                Delivery.circle_id.is_not(None),
                Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENT]),
                Delivery.created_at > sandbox.clock.now() - timedelta(days=21),
            )
        )
        removed = [
            (e.actor_person_id, e.subject_id, e.detail)
            for e in await session.scalars(select(AuditEvent).where(AuditEvent.action == "member.removed"))
        ]
    assert waiting is None
    assert removed == [(await _person_id(sandbox, 1), kees.id, {"role": "network"})]  # ids only

    assert all(m.text.startswith(NOT_IN_A_CIRCLE) for m in await c.kees.send("/plan"))
    greeting = sandbox.telegram.messages_in(GROUP_ID)[0]
    seen = len(sandbox.telegram.messages_in(GROUP_ID))
    assert (await c.kees.press(greeting, HOUSEHOLD))["text"] == STALE  # not back through the group button
    assert len(sandbox.telegram.messages_in(GROUP_ID)) == seen
    (plan,) = await c.fatima.send("/safetyplan")
    assert "⚠️ Vraag Buurman Kees — doet niet meer mee. Pas deze stap aan." in plan.text


async def test_coordinators_take_back_roles_and_remove_family_but_a_circle_keeps_a_coordinator(
    sandbox: Sandbox,
) -> None:
    c = await set_up_circle(sandbox)
    (members,) = await c.fatima.send("/members")
    await c.fatima.press(members, "Fatima")
    assert "🚪 Uit de kring halen" not in members.button_texts()  # leaving is /leave
    assert "Niet meer laten regelen" not in members.button_texts()  # the only coordinator
    await c.fatima.press(members, "⬅️ Terug")
    await c.fatima.press(members, "Omar")
    await c.fatima.press(members, "Omar laten meeregelen")
    token, _ = await invite(c.omar, "Vriend van Omar")  # a link Omar sent, not opened yet
    await c.fatima.press(members, "Niet meer laten regelen")
    assert members.text == "Omar (gezin)"

    group_seen = len(sandbox.telegram.messages_in(GROUP_ID))
    await c.fatima.press(members, "🚪 Uit de kring halen")
    await c.fatima.press(members, "Ja, haal Omar uit de kring")
    assert "Zit Omar ook in jullie Telegram-groep? Haal Omar daar zelf weg. Dat kan ik niet." in members.text
    assert sandbox.telegram.messages_in(GROUP_ID)[group_seen:] == []  # not told where Omar may read along
    assert sandbox.telegram.messages_in(2)[-1].text.startswith("Je doet niet meer mee in de kring van Gezin Jansen.")
    (refused,) = await sandbox.user(50, "Vriend").send(f"/start {token}")  # his open link stopped working
    assert refused.text.startswith(REFUSED)
    greeting = sandbox.telegram.messages_in(GROUP_ID)[0]
    assert (await c.omar.press(greeting, HOUSEHOLD))["text"] == STALE

    await c.fatima.press(members, "🚫 Niet opnieuw uitnodigen")
    (listed,) = await c.fatima.send("/members")
    assert "• Omar (niet opnieuw uitnodigen)" in listed.text
    (leave,) = await c.fatima.send("/leave")
    assert leave.text.startswith("Jij bent de enige die de kring regelt.")
    async with sandbox.runtime.sessions() as session:
        actions = {e.action for e in await session.scalars(select(AuditEvent))}
    assert {"member.coordinator_taken_back", "member.removed", "member.do_not_invite"} <= actions


async def test_the_last_coordinator_hands_over_before_erasing_themselves(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    (question,) = await c.fatima.send("/forget")
    await c.fatima.press(question, "🗑 Alles over mij wissen")
    assert question.text.startswith("Jij bent de enige die de kring regelt. Laat eerst iemand anders meeregelen")
    assert await _member(sandbox, 1) is not None  # nothing erased: Omar's family keeps a coordinator


async def test_the_parent_with_the_link_leads_and_a_second_parent_is_confirmed(sandbox: Sandbox) -> None:
    anna = sandbox.user(900, "Anna")
    await register_professional(sandbox, anna)
    links = await new_circle(anna)
    group = sandbox.telegram.group(GROUP_ID, "Familie")
    greeting, *_ = await anna.add_bot_to_group(group, links["startgroup"])  # the professional adds Kring herself
    assert "Vraag wie de kring regelt om een uitnodiging." in greeting.text
    assert await _member(sandbox, 900) is None  # she is not family, and leads nothing
    mira = sandbox.user(5, "Mira")
    (welcome,) = await mira.send(f"/start {links['start']}")  # the parent's own link
    assert "Jij regelt de kring." in welcome.text
    sam = sandbox.user(6, "Sam")
    await sam.press(greeting, HOUSEHOLD)  # the second parent asks, in the group
    await confirm_join(mira, "✅ Ja, woont bij ons")
    joined = await _member(sandbox, 6)
    assert joined is not None and joined.status == MemberStatus.ACTIVE and not joined.is_coordinator
