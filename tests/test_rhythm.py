"""Reminders for the people who do things, over simulated weeks: on time, in the doer's own time
zone, never twice (also across restarts), never at night, and with the backup and a thank-you."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.db.models import Person, Schedule
from sandbox.fake_telegram import SentMessage
from sandbox.harness import Sandbox
from tests.journey import GROUP_ID, make_agreement, set_up_circle

AMS = ZoneInfo("Europe/Amsterdam")


async def run_hours(
    sandbox: Sandbox, hours: int, chat_id: int, *, restart_every: int | None = None
) -> list[tuple[datetime, SentMessage]]:
    """Move the clock an hour at a time, as the scheduler would wake; collect what ``chat_id`` got."""
    seen = {m.message_id for m in sandbox.telegram.messages_in(chat_id)}
    arrived = []
    for hour in range(1, hours + 1):
        sandbox.clock.advance(timedelta(hours=1))
        if restart_every and hour % restart_every == 0:
            await sandbox.restart()
        await sandbox.tick_if_due()
        for message in sandbox.telegram.messages_in(chat_id):
            if message.message_id not in seen:
                seen.add(message.message_id)
                arrived.append((sandbox.clock.now(), message))
    return arrived


def reminders(arrived: list[tuple[datetime, SentMessage]]) -> list[tuple[datetime, SentMessage]]:
    return [(at, m) for at, m in arrived if m.text.startswith("⏰")]


async def test_weekly_reminders_arrive_each_wednesday_morning_and_a_thank_you_goes_back(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await make_agreement(c.fatima, "Buurman Kees", "Boodschappen doen")
    await c.kees.press(sandbox.telegram.messages_in(4)[-1], "Ja, dat doe ik")
    arrived = reminders(await run_hours(sandbox, 24 * 21, 4))
    assert [at.astimezone(AMS).strftime("%a %d %b %H:%M") for at, _ in arrived] == [
        "Wed 25 Nov 08:00",
        "Wed 02 Dec 08:00",
        "Wed 09 Dec 08:00",
    ]
    first = arrived[0][1]
    assert "Boodschappen doen" in first.text and "Wanneer: woensdag 25 november, 15:00" in first.text

    await c.kees.press(first, "Gedaan")
    assert first.text == "Top, dank je wel! Het gezin weet het."
    told = sandbox.telegram.messages_in(GROUP_ID)[-1]
    assert told.text == "✅ Buurman Kees heeft het gedaan: Boodschappen doen." and told.button_texts() == ["Bedankt!"]
    thank = told.callback_data("Bedankt!")
    assert (await c.fatima.press(told, "Bedankt!"))["text"] == "Je bedankje is verstuurd."
    assert sandbox.telegram.messages_in(4)[-1].text == "💛 Fatima zegt: dank je wel voor Boodschappen doen!"
    assert (await c.omar.press(told, "", data=thank))["text"] == "Deze knop werkt niet meer."  # thanked once


async def test_when_it_does_not_work_out_the_backup_is_asked(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await make_agreement(c.fatima, "Buurman Kees", "Koken", backup="Oma Ayşe")
    await c.kees.press(sandbox.telegram.messages_in(4)[-1], "Ja, dat doe ik")
    (_at, reminder), *_ = reminders(await run_hours(sandbox, 48, 4))
    assert (await c.ayse.press(reminder, "Gedaan"))["text"] == "Deze knop werkt niet meer."  # only the doer
    await c.kees.press(reminder, "Lukt deze keer niet")
    assert (
        sandbox.telegram.messages_in(GROUP_ID)[-1].text
        == "Buurman Kees kan het deze keer niet: Koken. Ik vraag Oma Ayşe om in te springen."
    )
    ask = sandbox.telegram.messages_in(3)[-1]
    assert ask.text.startswith("Oma Ayşe, Buurman Kees kan deze keer niet: Koken")
    await c.ayse.press(ask, "Ik doe het")
    assert sandbox.telegram.messages_in(GROUP_ID)[-1].text == "✅ Oma Ayşe springt in: Koken."


async def test_a_doer_abroad_is_reminded_in_their_own_morning(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await make_agreement(c.fatima, "Oma Ayşe", "Bellen met Sam")
    await c.ayse.press(sandbox.telegram.messages_in(3)[-1], "Ja, dat doe ik")
    (in_group,) = await c.fatima.send("/timezone", chat=c.group)
    assert in_group.text.startswith("Je tijdzone kies je in een privégesprek met mij.")
    (question,) = await c.ayse.send("/timezone")  # grandmother lives in New York
    assert "✓ Amsterdam (nu 10:00)" in question.button_texts() and "New York (nu 04:00)" in question.button_texts()
    await c.ayse.press(question, "New York (nu 04:00)")
    assert question.text == "Goed. Ik houd nu de tijd aan van New York (nu 04:00)."
    assert (await c.ayse.press(question, "", data="tz:10"))["text"] == "Deze knop werkt niet meer."
    arrived = reminders(await run_hours(sandbox, 24 * 3, 3))
    ((at, message),) = arrived
    assert at.astimezone(ZoneInfo("America/New_York")).strftime("%a %H:%M") == "Wed 08:00"
    assert "Wanneer: woensdag 25 november, 09:00" in message.text  # 15:00 in Amsterdam


async def test_restarts_lose_and_double_nothing(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await make_agreement(c.fatima, "Buurman Kees", "Hond uitlaten", when=("Elke week", "maandag", "07:30"))
    await c.kees.press(sandbox.telegram.messages_in(4)[-1], "Ja, dat doe ik")
    arrived = reminders(await run_hours(sandbox, 24 * 21, 4, restart_every=17))
    assert [at.astimezone(AMS).strftime("%a %d %b %H:%M") for at, _ in arrived] == [
        "Sun 29 Nov 20:00",
        "Sun 06 Dec 20:00",
        "Sun 13 Dec 20:00",
    ]  # the evening before an early start


async def test_nothing_is_sent_at_night(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await make_agreement(c.fatima, "Buurman Kees", "Vuilnis buiten zetten", when=("Elke week", "woensdag", "23:00"))
    await c.kees.press(sandbox.telegram.messages_in(4)[-1], "Ja, dat doe ik")
    ((_at, reminder),) = reminders(await run_hours(sandbox, 60, 4))
    sandbox.clock.set(datetime(2026, 11, 25, 22, 15, tzinfo=AMS))  # Kees answers late in the evening
    await c.kees.press(reminder, "Lukt deze keer niet")
    late = await run_hours(sandbox, 12, GROUP_ID)
    ((at, told),) = late
    assert (
        told.text.startswith("Buurman Kees kan het deze keer niet") and at.astimezone(AMS).strftime("%H:%M") == "08:15"
    )
    async with sandbox.runtime.sessions() as session:
        assert await session.scalar(select(Person.quiet_from).where(Person.telegram_user_id == 4)) is None  # defaults


async def test_a_paused_or_not_yet_accepted_agreement_reminds_no_one(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await make_agreement(c.fatima, "Buurman Kees", "Ramen lappen")  # Kees does not answer yet
    assert reminders(await run_hours(sandbox, 24 * 7, 4)) == []
    await c.kees.press(sandbox.telegram.messages_in(4)[-1], "Ja, dat doe ik")
    (listed,) = [m for m in await c.fatima.send("/agreements") if "Ramen lappen" in m.text]
    await c.fatima.press(listed, "⏸ Pauzeren")
    assert reminders(await run_hours(sandbox, 24 * 7, 4)) == []
    await c.fatima.press(listed, "Weer starten")
    assert len(reminders(await run_hours(sandbox, 24 * 7, 4))) == 1


async def test_a_doer_who_blocked_kring_is_tried_once_and_the_family_is_told_once(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await make_agreement(c.fatima, "Buurman Kees", "Post halen")
    await c.kees.press(sandbox.telegram.messages_in(4)[-1], "Ja, dat doe ik")
    c.kees.block()
    calls_before = len(sandbox.telegram.calls)
    await run_hours(sandbox, 24 * 14, GROUP_ID)
    sends = [p for m, p in sandbox.telegram.calls[calls_before:] if m == "sendMessage" and p.get("chat_id") == 4]
    told = [m.text for m in sandbox.telegram.messages_in(GROUP_ID) if "krijgt mijn berichten niet meer" in m.text]
    assert told == [
        "Buurman Kees krijgt mijn berichten niet meer. Misschien heeft die persoon Kring geblokkeerd. "
        "Vraag het even zelf, als je wilt."
    ]
    assert len(sends) == 1  # one attempt; after the 403 Kring stops trying
    async with sandbox.runtime.sessions() as session:
        assert await session.scalar(select(Person.unreachable_since).where(Person.telegram_user_id == 4)) is not None
    await c.kees.send("/start")  # Kees unblocks and writes again: Kring may write to him again
    async with sandbox.runtime.sessions() as session:
        assert await session.scalar(select(Person.unreachable_since).where(Person.telegram_user_id == 4)) is None


async def test_changing_the_rhythm_or_a_short_pause_replans_what_has_not_happened(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await make_agreement(c.fatima, "Buurman Kees", "Bloemen water geven")  # every Wednesday 15:00
    await c.kees.press(sandbox.telegram.messages_in(4)[-1], "Ja, dat doe ik")
    await run_hours(sandbox, 2, 4)  # the Wednesday reminder is planned now
    (listed,) = [m for m in await c.fatima.send("/agreements") if "Bloemen" in m.text]
    await c.fatima.press(listed, "⏸ Pauzeren")
    await c.fatima.press(listed, "Weer starten")
    await c.fatima.press(listed, "Aanpassen")
    (current,) = await c.fatima.send("Bloemen water geven")
    await c.fatima.press(current, "Elke week")
    await c.fatima.press(current, "donderdag")
    await c.fatima.press(current, "18:00")
    await c.fatima.press(current, "✅ Opslaan")
    arrived = reminders(await run_hours(sandbox, 24 * 7, 4))
    assert [at.astimezone(AMS).strftime("%a %d %b %H:%M") for at, _ in arrived] == ["Thu 26 Nov 08:00"]


async def test_thanks_go_to_whoever_stepped_in_and_a_far_date_stays_planned(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await make_agreement(c.fatima, "Buurman Kees", "Auto wassen", backup="Oma Ayşe")
    await c.kees.press(sandbox.telegram.messages_in(4)[-1], "Ja, dat doe ik")
    (_at, reminder), *_ = reminders(await run_hours(sandbox, 48, 4))
    await c.kees.press(reminder, "Lukt deze keer niet")
    await c.ayse.press(sandbox.telegram.messages_in(3)[-1], "Ik doe het")
    (listed,) = [m for m in await c.fatima.send("/agreements") if "Auto wassen" in m.text]
    await c.fatima.press(listed, "Stoppen")  # the agreement ends; the thank-you still reaches Ayşe
    stepped_in = [m for m in sandbox.telegram.messages_in(GROUP_ID) if m.text.startswith("✅ Oma Ayşe springt in")][-1]
    await c.fatima.press(stepped_in, "Bedankt!")
    assert sandbox.telegram.messages_in(3)[-1].text == "💛 Fatima zegt: dank je wel voor Auto wassen!"

    await make_agreement(c.fatima, "Fatima", "Feest", when=("Eén keer", "01-03-2028", "12:00"))
    await run_hours(sandbox, 3, GROUP_ID)
    async with sandbox.runtime.sessions() as session:
        far = await session.scalar(select(Schedule).where(Schedule.starts_on == datetime(2028, 3, 1).date()))
        assert far is not None and far.active and far.next_due_at is not None


async def test_forged_huge_ids_are_refused_politely(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    own = sandbox.telegram.messages_in(1)[-1]
    for data in ("ci:99999999999999999999:good", "occ:99999999999999999999:done", "thx:99999999999999999999"):
        assert (await c.fatima.press(own, "", data=data))["text"] == "Deze knop werkt niet meer."
