"""The family's data is the family's: /mydata gives a person everything Kring holds about them,
/forget erases a person (the family is told, once, what stopped), a coordinator can dissolve the
whole circle after two steps, and the daily purge keeps answers and records only for a year."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import (
    Agreement,
    AuditEvent,
    CheckinAnswer,
    Circle,
    Delivery,
    Member,
    Person,
    PlanStep,
)
from sandbox.demo import pass_time
from sandbox.harness import Sandbox
from tests.journey import (
    GROUP_ID,
    STALE,
    choose_network_checkin,
    make_agreement,
    set_up_circle,
)


async def test_my_data_is_two_documents_with_only_my_own_data(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await make_agreement(c.fatima, "Oma Ayşe", "Oppassen", for_whom="Sam")
    await c.ayse.press(sandbox.telegram.messages_in(3)[-1], "Ja, dat doe ik")
    await choose_network_checkin(c.fatima, "Oma Ayşe")
    await pass_time(sandbox, sandbox.clock.now() + timedelta(weeks=1, hours=10))
    own = sandbox.telegram.messages_in(3)[-1]
    await c.ayse.press(own, "Ja")
    await c.ayse.press(own, "🙂 Goed")
    (saved,) = await c.ayse.send("Het gaat prima met mij.")
    await c.ayse.press(saved, "Nee, alleen voor mij")
    checkin = (await c.fatima.send("/checkin", chat=c.group))[0]
    await c.fatima.press(checkin, "Nu een check-in")
    await sandbox.tick()
    await c.omar.press(sandbox.telegram.messages_in(GROUP_ID)[-1], "😟 Niet goed")
    await c.omar.send("Alleen van Omar.", chat=c.group, reply_to=sandbox.telegram.messages_in(GROUP_ID)[-1])

    intro, readable, machine = await c.ayse.send("/mydata")
    assert intro.text.startswith("Dit is alles wat Kring over jou bewaart.")
    assert readable.document is not None and machine.document is not None
    assert readable.document[0].endswith(".txt") and machine.document[0].endswith(".json")
    text = readable.document[1].decode()
    for mine in ("Gezin Jansen", "Oma Ayşe", "Oppassen", "Het gaat prima met mij.", "Het gezin leest je notitie: nee"):
        assert mine in text, mine
    data = json.loads(machine.document[1])
    assert data["person"]["telegram_user_id"] == 3
    assert [c["display_name"] for c in data["circles"]] == ["Oma Ayşe"]
    assert [a["what"] for a in data["agreements"]] == ["Oppassen"]
    assert [n["note"] for n in data["network_checkins"]] == ["Het gaat prima met mij."]
    assert any(e["action"] == "network_checkin.answered" for e in data["events"])
    assert {(c["what"], c["given"]) for c in data["consents"]} == {
        ("joined", True),
        ("network_answers", True),
        ("network_note", False),
    }
    everything = text + machine.document[1].decode()
    assert "Alleen van Omar" not in everything and "Buurman Kees" not in everything  # nobody else's data

    (refused,) = await c.fatima.send("/mydata", chat=c.group)
    assert refused.text == "Dit doe je in een privégesprek met mij. Stuur mij daar /mydata."
    assert refused.document is None


async def test_a_network_member_erases_themselves_and_the_family_is_told_once(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await make_agreement(c.fatima, "Buurman Kees", "Boodschappen doen")
    ask = sandbox.telegram.messages_in(4)[-1]
    yes = ask.callback_data("Ja, dat doe ik")
    await c.kees.press(ask, "Ja, dat doe ik")
    (menu,) = await c.fatima.send("/safetyplan")
    for button in ("Wie we vragen", "Buurman Kees", "Klaar"):
        await c.fatima.press(menu, button)
    group_before = len(sandbox.telegram.messages_in(GROUP_ID))

    (question,) = await c.kees.send("/forget")
    assert question.button_texts() == ["🗑 Alles over mij wissen", "Nee, toch niet"]  # no circle to dissolve
    await c.kees.press(question, "🗑 Alles over mij wissen")
    assert "Deze afspraken stoppen: Boodschappen doen" in question.text
    assert "Het gezin hoort dat je gestopt bent (Gezin Jansen)." in question.text
    async with sandbox.runtime.sessions() as session:  # nothing erased before the second "yes"
        assert await session.scalar(select(func.count()).select_from(Person).where(Person.telegram_user_id == 4)) == 1
    await c.kees.press(question, "Ja, wis alles over mij")
    assert question.text.startswith("Klaar. Alles over jou is gewist.")
    await sandbox.tick()

    told = [m.text for m in sandbox.telegram.messages_in(GROUP_ID)[group_before:]]
    assert told == [
        "Buurman Kees doet niet meer mee en heeft gevraagd om alles over zichzelf te wissen. Dat is goed zo.\n"
        "Deze afspraken zijn daarom gestopt: Boodschappen doen. Kijk samen wie dat nu doet (/plan).\n"
        "Buurman Kees staat ook niet meer in jullie plan voor als het misgaat. Kijk wie jullie dan vragen (/safetyplan)."
    ]
    async with sandbox.runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Person).where(Person.telegram_user_id == 4)) == 0
        assert await session.scalar(select(Member.id).where(Member.display_name == "Buurman Kees")) is None
        assert await session.scalar(select(Agreement.id).where(Agreement.what == "Boodschappen doen")) is None
        assert (
            await session.scalar(select(func.count()).select_from(PlanStep).where(PlanStep.member_id.is_not(None))) == 0
        )
        payloads = [
            d.payload
            for d in await session.scalars(select(Delivery).where(Delivery.kind == DeliveryKind.MEMBER_FORGOTTEN))
        ]
        assert payloads == [{}]  # once told, the name is not kept in the outbox either
        assert (
            await session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "person.erased")
            )
            == 1
        )
    answer = await c.kees.press(ask, "", data=yes)
    assert answer["text"] == STALE
    (plan,) = await c.fatima.send("/plan")
    assert "Kees" not in plan.text


async def test_a_coordinator_dissolves_the_circle_after_two_steps(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await make_agreement(c.fatima, "Oma Ayşe", "Oppassen")
    (question,) = await c.omar.send("/forget")
    assert question.button_texts() == ["🗑 Alles over mij wissen", "Nee, toch niet"]  # Omar does not run the circle
    (question,) = await c.fatima.send("/forget")
    await c.fatima.press(question, "🗑 Kring Gezin Jansen opheffen")
    assert "Iedereen in de kring hoort dat de kring is opgeheven. Dit kan niet terug." in question.text
    forged = question.callback_data("Ja, hef de kring op")
    assert (await c.omar.press(question, "", data=forged))["text"] == STALE  # another person's draft
    await c.fatima.press(question, "Nee, toch niet")
    assert question.text == "Goed. Ik wis niets."
    async with sandbox.runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Circle)) == 1

    (question,) = await c.fatima.send("/forget")
    await c.fatima.press(question, "🗑 Kring Gezin Jansen opheffen")
    await c.fatima.press(question, "Ja, hef de kring op")
    assert question.text == "Klaar. De kring Gezin Jansen is opgeheven en alles ervan is gewist."
    await sandbox.tick()
    for chat_id in (GROUP_ID, 2, 3, 4, 900):
        last = sandbox.telegram.messages_in(chat_id)[-1].text
        assert last.startswith("De kring Gezin Jansen is opgeheven door iemand van het gezin."), (chat_id, last)
    assert "De kring Gezin Jansen is opgeheven" not in sandbox.telegram.messages_in(1)[-2].text  # Fatima: just once
    async with sandbox.runtime.sessions() as session:
        for table in (Circle, Member, Agreement, CheckinAnswer):
            assert await session.scalar(select(func.count()).select_from(table)) == 0, table
        assert await session.scalar(select(func.count()).select_from(Person)) == 5  # their accounts stay theirs
    (plan,) = await c.ayse.send("/plan")
    assert "Oppassen" not in plan.text


async def test_a_professional_with_circles_is_referred_to_the_organisation(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    (question,) = await c.anna.send("/forget")
    await c.anna.press(question, "🗑 Alles over mij wissen")
    assert question.text.startswith("Je bent nog hulpverlener van een kring. Vraag je organisatie om je af te melden.")
    async with sandbox.runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Person).where(Person.telegram_user_id == 900)) == 1


async def test_the_only_family_member_erasing_themselves_dissolves_the_circle(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    (question,) = await c.omar.send("/leave")
    await c.omar.press(question, "Ja, ik stop")
    (question,) = await c.fatima.send("/forget")
    await c.fatima.press(question, "🗑 Alles over mij wissen")
    assert "Je bent de enige van het gezin. Daarom wordt deze kring opgeheven: Gezin Jansen." in question.text
    await c.fatima.press(question, "Ja, wis alles over mij")
    await sandbox.tick()
    assert sandbox.telegram.messages_in(3)[-1].text.startswith("De kring Gezin Jansen is opgeheven")
    async with sandbox.runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Circle)) == 0


async def test_answers_and_records_are_kept_a_year_and_the_plan_as_long_as_the_circle(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await make_agreement(c.fatima, "Oma Ayşe", "Oppassen")
    await c.ayse.press(sandbox.telegram.messages_in(3)[-1], "Ja, dat doe ik")
    checkin = (await c.fatima.send("/checkin", chat=c.group))[0]
    await c.fatima.press(checkin, "Nu een check-in")
    await sandbox.tick()
    await c.omar.press(sandbox.telegram.messages_in(GROUP_ID)[-1], "😐 Zo-zo")

    async def counts() -> dict[str, int]:
        async with sandbox.runtime.sessions() as session:
            found = {
                table.__tablename__: await session.scalar(select(func.count()).select_from(table))
                for table in (CheckinAnswer, Delivery, Agreement, Member)
            }
            found["consent"] = await session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action.like("consent.%"))
            )
            found["other events"] = await session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action.not_like("consent.%"), AuditEvent.action != "retention.purged")
            )
            return found

    before = await counts()
    assert before["checkin_answers"] == 1 and before["deliveries"] > 0 and before["consent"] >= 5
    started = sandbox.clock.now()
    sandbox.clock.advance(timedelta(days=300))
    await sandbox.tick()
    middle = await counts()  # ten months on: nothing is purged yet
    assert middle["checkin_answers"] == 1 and middle["deliveries"] >= before["deliveries"]
    assert middle["other events"] >= before["other events"]
    sandbox.clock.advance(timedelta(days=70))
    await sandbox.tick()
    after = await counts()
    assert after["checkin_answers"] == 0
    async with sandbox.runtime.sessions() as session:  # nothing from that first week is left
        assert (
            await session.scalar(
                select(func.count()).select_from(Delivery).where(Delivery.created_at < started + timedelta(days=1))
            )
            == 0
        )
        assert (
            await session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.at < started + timedelta(days=1), AuditEvent.action.not_like("consent.%"))
            )
            == 0
        )
    assert after["agreements"] == before["agreements"] and after["members"] == before["members"]  # the plan stays
    assert after["consent"] == before["consent"]  # what people agreed to stays provable


@pytest.mark.both_databases
async def test_an_account_in_no_circle_that_did_nothing_for_a_year_is_purged(sandbox: Sandbox) -> None:
    await set_up_circle(sandbox)
    passer_by, returning = sandbox.user(77, "Voorbijganger"), sandbox.user(78, "Terugkomer")
    await passer_by.send("/start")
    await returning.send("/start")

    async def accounts() -> set[int]:
        async with sandbox.runtime.sessions() as session:
            return set(await session.scalars(select(Person.telegram_user_id)))

    everyone = await accounts()
    assert {77, 78} <= everyone
    sandbox.clock.advance(timedelta(days=300))
    (question,) = await returning.send("/language")
    await returning.press(question, "English *")  # something done within the year
    sandbox.clock.advance(timedelta(days=70))
    await sandbox.tick()
    assert await accounts() == everyone - {77}  # the family, the network and the professional stay
    (welcome,) = await passer_by.send("/start")  # a new start, as for anyone new
    assert welcome.text.startswith("Hallo! Ik ben Kring.")
