"""Twelve weeks (and a bit) of check-ins with a grandmother abroad: she lives in New York, reads
English, and is asked every three weeks at 19:00 her time — across New York's clock change. She
shares one answer and keeps another to herself, takes a pause, and stops the questions. Kring
restarts every five days. The test knows exactly when she must be asked and what the family sees."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.clock import SimulatedClock
from bot.db.models import NetworkCheckin
from bot.services.quiet_hours import quiet_until
from sandbox.fake_telegram import Event
from sandbox.harness import Sandbox
from tests.journey import GROUP_ID, choose_network_checkin, set_up_circle
from tests.test_network_checkins import weekly_family_checkin

AMS = ZoneInfo("Europe/Amsterdam")
NYC = ZoneInfo("America/New_York")
START = datetime(2027, 2, 15, 9, 0, tzinfo=UTC)  # a Monday
END = datetime(2027, 5, 20, 12, 0, tzinfo=UTC)
AYSE = 3
ASKED = "how are things with you"


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(START)


def at_ny(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=NYC).astimezone(UTC)


async def test_a_grandmother_abroad_over_twelve_weeks(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    telegram = sandbox.telegram
    (question,) = await c.ayse.send("/language")
    await c.ayse.press(question, "English *")
    (question,) = await c.ayse.send("/timezone")
    await c.ayse.press(
        question, "", data=question.callback_data(next(b for b in question.button_texts() if "New York" in b))
    )
    await weekly_family_checkin(c)
    arrived: list[tuple[datetime, Event]] = []
    telegram.on_event = lambda event: arrived.append((sandbox.clock.now(), event)) if event.kind == "bot" else None
    await choose_network_checkin(c.fatima, "Oma Ayşe")  # at 04:00 in New York: she hears it after her night
    anna_before = len(telegram.messages_in(900))

    async def shares_a_good_answer() -> None:
        checkin = telegram.messages_in(AYSE)[-1]
        await c.ayse.press(checkin, "Yes")
        await c.ayse.press(checkin, "🙂 Good")
        (saved,) = await c.ayse.send("All good here, Sam sent me a drawing.")
        await c.ayse.press(saved, "Yes, share it")

    async def keeps_a_heavy_one_to_herself() -> None:
        checkin = telegram.messages_in(AYSE)[-1]
        await c.ayse.press(checkin, "No")
        await c.ayse.press(checkin, "😓 Hard")
        assert "Shall I send the family a message now that you would like to talk?" in checkin.text
        (saved,) = await c.ayse.send("My back hurts and I am tired.")
        await c.ayse.press(saved, "No, only for me")

    async def takes_a_pause() -> None:
        chosen = next(m for m in telegram.messages_in(AYSE) if m.text.startswith("🌱 Fatima would like to know"))
        await c.ayse.press(chosen, "⏸ Break for 4 weeks")
        assert chosen.text.startswith("Fine. Until 13 April I will not ask you anything.")

    async def asks_to_talk_and_stops() -> None:
        checkin = telegram.messages_in(AYSE)[-1]
        assert "👀 Last time: contact: no, 😓 Hard." in checkin.text
        assert "You wrote: “My back hurts and I am tired.”" in checkin.text
        await c.ayse.press(checkin, "Tried")
        await c.ayse.press(checkin, "💬 I'd like to talk with the family")
        await c.ayse.press(checkin, "📣 Yes, let the family know")
        await c.ayse.press(checkin, "🚫 Stop these questions")

    happenings: dict[datetime, Callable[[], Awaitable[None]]] = {
        at_ny(2, 22, 19, 30): shares_a_good_answer,
        at_ny(3, 15, 19, 30): keeps_a_heavy_one_to_herself,
        at_ny(3, 16, 9, 0): takes_a_pause,
        at_ny(4, 26, 19, 30): asks_to_talk_and_stops,
    }
    step = 0
    while sandbox.clock.now() < END:
        sandbox.clock.advance(timedelta(minutes=5))
        step += 1
        if (happening := happenings.pop(sandbox.clock.now(), None)) is not None:
            await happening()
        if step % (5 * 24 * 12) == 7:
            await sandbox.restart()
        await sandbox.tick_if_due()
    assert not happenings

    # Asked exactly at 19:00 New York time, also after New York's clock change (14 March); the
    # check-in of 5 April fell in her pause; none after she stopped (17 May would have been next).
    (chosen,) = [
        (at, event.text) for at, event in arrived if event.chat_id == AYSE and "would like to know" in event.text
    ]
    assert chosen[0] == at_ny(2, 15, 8) and "That is why I ask you every 3 weeks" in chosen[1]
    asked = [at for at, event in arrived if event.chat_id == AYSE and ASKED in event.text]
    assert asked == [at_ny(2, 22, 19), at_ny(3, 15, 19), at_ny(4, 26, 19)]
    for at, event in arrived:
        if event.chat_id == AYSE:
            assert quiet_until(at, NYC) is None, (at, event.text)
    async with sandbox.runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(NetworkCheckin)) == 3

    # What the family saw: the shared note, "no" without the private note or the heaviness, the
    # wish to talk (at once, because she asked, and in the look back), and that she stopped.
    group = [(at, event.text) for at, event in arrived if event.chat_id == GROUP_ID]
    look_backs = {
        at.astimezone(AMS).date().isoformat(): text for at, text in group if "Hoe gaat het met jullie?" in text
    }
    assert "🌱 Oma Ayşe: contact met het gezin: ja" in look_backs["2027-02-28"]
    assert "✍️ Oma Ayşe: “All good here, Sam sent me a drawing.”" in look_backs["2027-02-28"]
    assert "🌱 Oma Ayşe: contact met het gezin: nee" in look_backs["2027-03-21"]
    assert "🌱 Oma Ayşe: contact met het gezin: geprobeerd, wil graag met jullie praten" in look_backs["2027-05-02"]
    everything = "\n".join(text for _, text in group)
    assert "My back" not in everything and "Zwaar" not in everything and "Hard" not in everything
    assert sum("Oma Ayşe" in text for text in look_backs.values()) == 3
    told = [(at, text) for at, text in group if text.startswith("🌱 Oma Ayşe")]
    morning = datetime(2027, 4, 27, 8, 0, tzinfo=AMS)  # 19:30 in New York is the middle of the family's night
    assert told == [
        (
            morning,
            "🌱 Oma Ayşe wil graag met jullie praten over hoe het gaat. Bel of zoek Oma Ayşe even op, als het kan.",
        ),
        (
            morning,
            "🌱 Oma Ayşe krijgt geen check-ins meer. Oma Ayşe koos dat zelf, en dat is goed. "
            "De afspraken van Oma Ayşe lopen gewoon door.",
        ),
    ]
    to_anna = [m.text for m in telegram.messages_in(900)[anna_before:]]  # only the end of the follow-up (15 May)
    assert to_anna and not any("Ayşe" in text or "drawing" in text or "netwerk" in text for text in to_anna)
