"""Check-ins with the family: the rhythm, the look back, answers, the hard moment, one reminder."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import CheckinAnswer, CheckinAnswerKind, Delivery, Member, WorryTrend
from sandbox.harness import Sandbox
from tests.journey import GROUP_ID, STALE, make_agreement, set_up_circle
from tests.test_rhythm import run_hours

AMS = ZoneInfo("Europe/Amsterdam")


def checkins_in(arrived: list) -> list:  # type: ignore[type-arg]
    return [(at, m) for at, m in arrived if "Hoe gaat het met jullie?" in m.text]


async def test_every_other_sunday_at_seven_with_a_look_back(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await make_agreement(c.fatima, "Buurman Kees", "Boodschappen doen")
    await c.kees.press(sandbox.telegram.messages_in(4)[-1], "Ja, dat doe ik")
    (question,) = await c.fatima.send("/checkin", chat=c.group)
    assert question.text == "Wat wil je kiezen?"
    await c.fatima.press(question, "Hoe vaak vraag ik hoe het gaat?")
    await c.fatima.press(question, "Om de week (tip)")
    await c.fatima.press(question, "zondag")
    await c.fatima.press(question, "19:00")
    done, _blank, offer = question.text.split("\n")[:3]
    assert done == "Goed. De check-in komt om de week op zondag om 19:00."
    assert offer.startswith("Mag Anna de Vries om de paar weken de cijfers zien?")  # asked now, once

    arrived = checkins_in(await run_hours(sandbox, 24 * 7, GROUP_ID))
    assert [at.astimezone(AMS).strftime("%a %d %b %H:%M") for at, _ in arrived] == ["Sun 29 Nov 19:00"]
    first = arrived[0][1]
    assert first.text.startswith("💬 Hoe gaat het met jullie?")  # nothing to look back on yet
    assert "terugkijken" not in first.text and "Vorige keer" not in first.text
    await c.fatima.press(first, "😊 Goed")
    thanks = sandbox.telegram.messages_in(GROUP_ID)[-1]
    assert thanks.text == "Dank je wel, Fatima."  # no "than last time" the first time
    assert thanks.button_texts() == ["✍️ Iets erbij schrijven"]
    assert (await c.kees.press(first, "😊 Goed"))["text"] == STALE  # the family answers the family's check-in

    later = checkins_in(await run_hours(sandbox, 24 * 14, GROUP_ID))
    assert [at.astimezone(AMS).strftime("%a %d %b %H:%M") for at, _ in later] == ["Sun 13 Dec 19:00"]
    second = later[0][1]
    assert second.text.startswith("👀 Eerst even terugkijken.")
    assert "Vorige keer: 😊 Goed: 1" in second.text
    assert (
        "Afspraken sinds de vorige keer: 0 gedaan, 0 door iemand die insprong, 0 niet gelukt, 2 zonder antwoord."
        in second.text
    )
    await c.fatima.press(second, "😊 Goed")
    worry = sandbox.telegram.messages_in(GROUP_ID)[-1]
    assert worry.text == "Dank je wel, Fatima.\nMaak je je minder of meer zorgen dan vorige keer?"
    assert (await c.omar.press(worry, "Meer"))["text"] == STALE  # Fatima's own question
    await c.fatima.press(worry, "Minder")
    assert worry.button_texts() == ["✍️ Iets erbij schrijven"]
    async with sandbox.runtime.sessions() as session:
        answers = list(await session.scalars(select(CheckinAnswer).order_by(CheckinAnswer.id)))
    assert [(a.answer, a.worry_trend) for a in answers] == [
        (CheckinAnswerKind.GOOD, None),
        (CheckinAnswerKind.GOOD, WorryTrend.LESS),
    ]


async def test_not_good_shows_the_familys_own_plan_and_contacts_nobody(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    (menu,) = await c.fatima.send("/safetyplan")
    await c.fatima.press(menu, "Wie we vragen")
    await c.fatima.press(menu, "Oma Ayşe")
    await c.fatima.press(menu, "Klaar")
    (question,) = await c.fatima.send("/checkin", chat=c.group)
    await c.fatima.press(question, "Nu een check-in")
    checkin = sandbox.telegram.messages_in(GROUP_ID)[-1]
    outside = {chat: len(sandbox.telegram.messages_in(chat)) for chat in (3, 4, 900)}
    await c.omar.press(checkin, "😟 Niet goed")
    reply = sandbox.telegram.messages_in(GROUP_ID)[-1]  # the group: one short line, no plan, no numbers
    assert reply.text == "Dank je wel, Omar. Ik stuur je privé wat je nu kunt doen."
    privately = sandbox.telegram.messages_in(2)[-1]  # the help: to Omar only
    assert "Ik stuur niemand zomaar een bericht." in privately.text and "1. Vraag Oma Ayşe" in privately.text
    assert privately.button_texts() == ["🆘 Hulp vragen", "☎️ Hulplijnen"]
    await run_hours(sandbox, 48, GROUP_ID)
    assert {chat: len(sandbox.telegram.messages_in(chat)) for chat in (3, 4, 900)} == outside  # nobody contacted


async def test_one_gentle_reminder_the_next_day_for_those_who_did_not_answer(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    (question,) = await c.fatima.send("/checkin", chat=c.group)
    await c.fatima.press(question, "Nu een check-in")
    checkin = sandbox.telegram.messages_in(GROUP_ID)[-1]
    await c.fatima.press(checkin, "😐 Zo-zo")
    arrived = await run_hours(sandbox, 24 * 4, GROUP_ID)
    nudges = [m for _, m in arrived if m.text.startswith("Nog even over gisteren")]
    assert len(nudges) == 1 and "Omar" in nudges[0].text and "Fatima" not in nudges[0].text
    async with sandbox.runtime.sessions() as session:
        kinds = [d.kind for d in await session.scalars(select(Delivery).where(Delivery.kind.like("checkin%")))]
    assert sorted(kinds) == [DeliveryKind.CHECKIN, DeliveryKind.CHECKIN_NUDGE]


async def test_only_coordinators_choose_the_rhythm(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    for person in (c.omar, c.kees, c.anna):
        (reply,) = await person.send("/checkin")
        assert reply.text == "Alleen wie de kring regelt, kiest wanneer de check-in komt."
    sandbox.clock.advance(timedelta(days=1))


async def test_a_changed_or_stopped_rhythm_cancels_what_was_queued(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    (question,) = await c.fatima.send("/checkin", chat=c.group)
    await c.fatima.press(question, "Hoe vaak vraag ik hoe het gaat?")
    await c.fatima.press(question, "Elke week")
    await c.fatima.press(question, "dinsdag")
    await c.fatima.press(question, "19:00")
    await run_hours(sandbox, 2, GROUP_ID)  # Tuesday's check-in is queued now
    (question,) = await c.fatima.send("/checkin", chat=c.group)
    await c.fatima.press(question, "Hoe vaak vraag ik hoe het gaat?")
    await c.fatima.press(question, "Geen check-ins")
    assert checkins_in(await run_hours(sandbox, 24 * 8, GROUP_ID)) == []


async def test_every_six_weeks_the_plan_is_looked_at_and_the_family_can_change_that(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    (question,) = await c.fatima.send("/checkin", chat=c.group)
    await c.fatima.press(question, "Hoe vaak vraag ik hoe het gaat?")
    await c.fatima.press(question, "Elke week")
    await c.fatima.press(question, "zondag")
    await c.fatima.press(question, "19:00")
    arrived = await run_hours(sandbox, 24 * 49, GROUP_ID)
    reviews = [at.astimezone(AMS).strftime("%d %b") for at, m in arrived if m.text.startswith("🔄 Past het plan nog?")]
    assert reviews == ["10 Jan"]  # six weeks after the first check-in on 29 November
    assert len(checkins_in(arrived)) == 7

    (question,) = await c.fatima.send("/checkin", chat=c.group)
    await c.fatima.press(question, "🔄 Samen naar het plan kijken")
    await c.fatima.press(question, "4 weken")
    assert question.text == "Goed. Elke 4 weken kijken we samen of het plan nog past."
    arrived = await run_hours(sandbox, 24 * 28, GROUP_ID)
    reviews = [at.astimezone(AMS).strftime("%d %b") for at, m in arrived if m.text.startswith("🔄 Past het plan nog?")]
    assert reviews == ["07 Feb"]
    (question,) = await c.omar.send("/checkin", chat=c.group)
    assert question.text == "Alleen wie de kring regelt, kiest wanneer de check-in komt."


async def test_a_few_words_with_an_answer_come_back_in_the_next_look_back(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    (question,) = await c.fatima.send("/checkin", chat=c.group)
    await c.fatima.press(question, "Nu een check-in")
    checkin = sandbox.telegram.messages_in(GROUP_ID)[-1]
    await c.omar.press(checkin, "😐 Zo-zo")
    thanks = sandbox.telegram.messages_in(GROUP_ID)[-1]
    assert thanks.button_texts() == ["✍️ Iets erbij schrijven"]  # and a plain reply works too:
    (too_long,) = await c.omar.send("x" * 501, chat=c.group, reply_to=thanks)
    assert too_long.text == "Dat is te lang. Gebruik hoogstens 500 tekens."
    (saved,) = await c.omar.send("School was zwaar deze week.", chat=c.group, reply_to=thanks)
    assert saved.text == "Bewaard. Het gezin leest het bij de volgende check-in."
    async with sandbox.runtime.sessions.begin() as session:  # Omar goes on a pause; Fatima did not answer
        await session.execute(
            update(Member)
            .where(Member.display_name == "Omar")
            .values(paused_until=sandbox.clock.now() + timedelta(days=30))
        )
    sandbox.clock.advance(timedelta(hours=1))
    await c.fatima.press(question := (await c.fatima.send("/checkin", chat=c.group))[0], "Nu een check-in")
    nxt = sandbox.telegram.messages_in(GROUP_ID)[-1]
    assert "Vorige keer: 😐 Zo-zo: 1, geen antwoord: 1" in nxt.text
    assert "✍️ Omar: “School was zwaar deze week.”" in nxt.text
    await c.fatima.press(nxt, "😊 Goed")
    sandbox.clock.advance(timedelta(hours=1))
    await c.fatima.press(question := (await c.fatima.send("/checkin", chat=c.group))[0], "Nu een check-in")
    assert (
        "Vorige keer: 😊 Goed: 1\n" in sandbox.telegram.messages_in(GROUP_ID)[-1].text
    )  # Omar on a pause: not counted


async def test_each_person_chooses_their_own_quiet_hours(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    (in_group,) = await c.fatima.send("/quiet", chat=c.group)
    assert in_group.text.startswith("Je tijd zonder berichten kies je in een privégesprek met mij.")
    await make_agreement(c.fatima, "Buurman Kees", "Krant brengen", when=("Elke week", "woensdag", "15:00"))
    await c.kees.press(sandbox.telegram.messages_in(4)[-1], "Ja, dat doe ik")
    (question,) = await c.kees.send("/quiet")
    assert question.text.endswith("Nu: 21:30 tot 08:00.") and question.button_texts()[0] == "✓ 21:30 tot 08:00"
    await c.kees.press(question, "22:30 tot 09:00")
    assert question.text == "Goed. Van 22:30 tot 09:00 stuur ik je niets."
    assert (await c.kees.press(question, "", data="qh:99"))["text"] == STALE
    arrived = [(at, m) for at, m in await run_hours(sandbox, 48, 4) if m.text.startswith("⏰")]
    assert [at.astimezone(AMS).strftime("%a %H:%M") for at, _ in arrived] == ["Wed 09:00"]  # not at 08:00
