"""Twelve weeks of three circles, minute by minute, with everything that goes wrong in real life:
two clock changes (New York on 14 March, Amsterdam on 28 March), quiet hours, a pause, a member
who blocks Kring, a group upgraded to a supergroup, a storm of 429s and a restart every five days.
The test knows the exact deliveries each chat must get, and asserts that list: none missed, none
doubled, none in the night."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.clock import SimulatedClock
from bot.db.models import Mood, YoungCheckin
from bot.services.quiet_hours import quiet_until
from sandbox.fake_telegram import Event, FakeUser
from sandbox.harness import Sandbox
from tests.journey import (
    GROUP_ID,
    confirm_join,
    family_group,
    join_network,
    join_young,
    links_in,
    make_agreement,
    new_circle,
    set_up_circle,
)
from tests.test_young_checkin import SAM

AMS = ZoneInfo("Europe/Amsterdam")
NYC = ZoneInfo("America/New_York")
START = datetime(2027, 2, 15, 9, 0, tzinfo=UTC)  # a Monday
WEEKS = 12
SUPERGROUP = -1000100
GROUP_C = -200
STORM = datetime(2027, 3, 21, 18, 0, tzinfo=AMS)  # just before the Sunday check-in, right after the upgrade


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(START)


def kind_of(text: str) -> str:
    if "Hoe gaat het met jullie?" in text:
        return "checkin"
    if text.startswith("👥 Zal ik ook de mensen om jullie heen vragen"):
        return "network-offer"  # right after a review, when the family has a network
    for prefix, kind in (("Nog even over gisteren", "nudge"), ("🔄", "review"), ("⏰", "reminder"), ("🤝", "support")):
        if text.startswith(prefix):
            return kind
    if "een maand langer meekijken?" in text:
        return "follow-up"
    if text.startswith("🌱 Hoi Sam! Hoe gaat het met je?"):
        return "young"
    if text.startswith("🌱 Sam deelt:"):
        return "young-shared"
    return "unreachable" if "krijgt mijn berichten niet meer" in text else "other"


def weekly(first: date, at: time, tz: ZoneInfo, *, every: int = 1, until: datetime) -> list[datetime]:
    moments, day = [], first
    while (moment := datetime.combine(day, at, tzinfo=tz)) <= until:
        moments.append(moment)
        day += timedelta(weeks=every)
    return moments


async def set_up_three_circles(sandbox: Sandbox) -> dict[str, FakeUser]:
    # A: Gezin Jansen, in a group; Kees has two weekly jobs, grandmother Ayşe lives in New York.
    a = await set_up_circle(sandbox)
    (question,) = await a.fatima.send("/checkin", chat=a.group)
    for button in ("Hoe vaak vraag ik hoe het gaat?", "Elke week", "zondag", "19:00"):
        await a.fatima.press(question, button)
    await make_agreement(a.fatima, "Buurman Kees", "Boodschappen doen")  # Wednesday 15:00
    await a.kees.press(sandbox.telegram.messages_in(4)[-1], "Ja, dat doe ik")
    await make_agreement(
        a.fatima, "Buurman Kees", "Fatima ophalen na de nachtdienst", when=("Elke week", "zondag", "02:30")
    )
    await a.kees.press(sandbox.telegram.messages_in(4)[-1], "Ja, dat doe ik")
    await make_agreement(a.fatima, "Oma Ayşe", "Bellen met Sam", when=("Elke week", "zondag", "16:00"))
    await a.ayse.press(sandbox.telegram.messages_in(3)[-1], "Ja, dat doe ik")
    (question,) = await a.ayse.send("/timezone")
    await a.ayse.press(
        question, "", data=question.callback_data(next(b for b in question.button_texts() if "New York" in b))
    )
    sam = await join_young(sandbox, a.fatima, SAM, "Sam", "Sam")  # the young person: their own check-in

    # B: Gezin Bakker, without a group: everything goes privately.
    links = await new_circle(a.anna, "Gezin Bakker")
    lotte = sandbox.user(11, "Lotte")
    await lotte.send(f"/start {links['start']}")
    (question,) = await lotte.send("/invite")
    await lotte.press(question, "Iemand van het gezin")
    (skip,) = await lotte.send("Daan")
    await lotte.press(skip, "Overslaan")
    daan = sandbox.user(12, "Daan")
    (invitation,) = await daan.send(f"/start {links_in(skip)['start']}")
    await daan.press(invitation, "Ja, ik doe mee")
    await confirm_join(lotte, "✅ Ja, dit is Daan")
    piet = await join_network(sandbox, lotte, 13, "Piet", "Piet")
    await make_agreement(lotte, "Piet", "Vuilnis buiten zetten", when=("Elke week", "donderdag", "19:00"))
    await piet.press(sandbox.telegram.messages_in(13)[-1], "Ja, dat doe ik")
    (question,) = await lotte.send("/checkin")
    for button in ("Hoe vaak vraag ik hoe het gaat?", "Om de week (tip)", "dinsdag", "18:00"):
        await lotte.press(question, button)

    # C: Gezin Yilmaz, in a group, checks in once a month.
    links = await new_circle(a.anna, "Gezin Yilmaz")
    selin, _ = await family_group(sandbox, links, user_id=21, name="Selin", group_id=GROUP_C)
    (question,) = await selin.send("/checkin", chat=sandbox.telegram.chats[GROUP_C])
    for button in ("Hoe vaak vraag ik hoe het gaat?", "Elke maand", "20:00"):
        await selin.press(question, button)
    return {"daan": daan, "piet": piet, "fatima": a.fatima, "sam": sam}


@pytest.mark.both_databases  # the long simulation, on both engines in every run
async def test_twelve_weeks_of_three_circles(sandbox: Sandbox) -> None:
    people = await set_up_three_circles(sandbox)
    telegram = sandbox.telegram
    arrived: list[tuple[datetime, Event]] = []
    telegram.on_event = lambda event: arrived.append((sandbox.clock.now(), event)) if event.kind == "bot" else None

    async def pause_daan() -> None:
        (question,) = await people["daan"].send("/pause")
        await people["daan"].press(question, "14 dagen")

    async def upgrade() -> None:
        telegram.upgrade_to_supergroup(GROUP_ID, SUPERGROUP)

    async def storm() -> None:
        telegram.fail_next("sendMessage", 429, "Too Many Requests: retry after 20", retry_after=20, times=4)

    async def service_message() -> None:  # Telegram's own note of the upgrade, a day late
        update_id = await telegram.push_update(
            {
                "message": {
                    "message_id": telegram.next_message_id(),
                    "date": 0,
                    "chat": {"id": GROUP_ID, "type": "group", "title": "x"},
                    "from": people["fatima"].info,
                    "migrate_to_chat_id": SUPERGROUP,
                }
            }
        )
        await telegram.settle(update_id)

    calls_before_block = 0

    async def block_piet() -> None:
        nonlocal calls_before_block
        calls_before_block = len(telegram.calls)
        people["piet"].block()

    sam_told: list[Event] = []  # what others got right after Sam's presses

    async def sam_answers() -> None:  # privately; shares how it goes, keeps "thuis: niet goed" to himself
        checkin = next(m for m in reversed(telegram.messages_in(SAM)) if kind_of(m.text) == "young")
        recorded = len(arrived)
        for button in ("🙂 Goed", "😟 Niet goed", "😐 Gaat wel", "Nee, nu niet", "Hoe het gaat: 🙂 Goed", "Klaar"):
            await people["sam"].press(checkin, button)
        sam_told.extend(event for _, event in arrived[recorded:] if event.chat_id != SAM)

    happenings: dict[datetime, Callable[[], Awaitable[None]]] = {
        datetime(2027, 3, 8, 18, 0, tzinfo=AMS): sam_answers,
        datetime(2027, 3, 1, 10, 0, tzinfo=AMS): pause_daan,
        datetime(2027, 3, 8, 10, 0, tzinfo=AMS): block_piet,
        datetime(2027, 3, 20, 13, 0, tzinfo=AMS): upgrade,
        STORM + timedelta(minutes=59): storm,
        datetime(2027, 3, 22, 11, 0, tzinfo=AMS): service_message,
    }
    end = START + timedelta(weeks=WEEKS)
    minute = 0
    while sandbox.clock.now() < end:
        sandbox.clock.advance(timedelta(minutes=1))
        minute += 1
        if (happening := happenings.pop(sandbox.clock.now(), None)) is not None:
            recorded = len(arrived)
            await happening()
            del arrived[recorded:]  # the answers to people's own actions are not scheduled deliveries
        if minute % (5 * 24 * 60) == 37:
            await sandbox.restart()
        await sandbox.tick_if_due()
    assert not happenings

    def got(chat_id: int, *kinds: str) -> list[datetime]:
        return [at for at, event in arrived if event.chat_id == chat_id and kind_of(event.text) in kinds]

    # Nothing unexpected, and nothing at night (in the recipient's own time zone).
    assert [event.text for _, event in arrived if kind_of(event.text) == "other"] == []
    for at, event in arrived:
        assert quiet_until(at, NYC if event.chat_id == 3 else AMS) is None, (at, event.text)

    # A: a check-in every Sunday at 19:00 (also on the night the clocks changed), a nudge on
    # Monday (nobody answers), and the plan looked at six weeks after the first check-in.
    sundays = weekly(date(2027, 2, 21), time(19), AMS, until=end)
    assert len(sundays) == 12
    group_a = got(GROUP_ID, "checkin") + got(SUPERGROUP, "checkin")
    assert [at for at in group_a if at.astimezone(AMS) < STORM] == [s for s in sundays if s < STORM]
    stormy, *calm = [at for at in group_a if at.astimezone(AMS) > STORM]
    assert timedelta(0) <= stormy - sundays[4] <= timedelta(minutes=10)  # a few retry_after's late, once
    assert calm == sundays[5:]
    assert got(GROUP_ID, "checkin", "nudge", "review")[-1] < STORM  # after the upgrade: only the supergroup
    assert got(GROUP_ID, "nudge") + got(SUPERGROUP, "nudge") == [s + timedelta(days=1) for s in sundays[:-1]]
    assert got(SUPERGROUP, "review") == [sundays[6] + timedelta(minutes=1)]
    assert got(SUPERGROUP, "network-offer") == [sundays[6] + timedelta(minutes=2)]  # ask the network too?

    # Kees: Wednesday 08:00 for Wednesday's shopping; Saturday 20:00 for the 02:30 Sunday pick-up
    # (also before the night 02:30 does not exist); Ayşe: Sunday 08:00 in New York, every week.
    assert got(4, "reminder") == sorted(
        weekly(date(2027, 2, 17), time(8), AMS, until=end) + weekly(date(2027, 2, 20), time(20), AMS, until=end)
    )
    assert got(3, "reminder") == weekly(date(2027, 2, 21), time(8), NYC, until=end)
    clock_change = [event.text for _, event in arrived if event.chat_id == 4 and "28 maart" in event.text]
    assert clock_change and "03:30" in clock_change[0]  # moved by the gap, not skipped

    # B: every other Tuesday at 18:00, privately to Lotte and Daan, a nudge the day after; Daan's
    # two-week pause skips what fell in it. Piet is reminded until he blocks Kring: one attempt
    # after that, and Lotte hears it once.
    tuesdays = weekly(date(2027, 2, 16), time(18), AMS, every=2, until=end)
    nudges = [t + timedelta(days=1) for t in tuesdays]
    review = [tuesdays[3] + timedelta(minutes=1)]
    assert got(11, "checkin") == tuesdays and got(11, "nudge") == nudges and got(11, "review") == review
    assert got(12, "checkin") == [t for t in tuesdays if t.day != 2] and got(12, "review") == review
    assert got(12, "nudge") == [n for n in nudges if n.day != 3]
    thursday_mornings = weekly(date(2027, 2, 18), time(8), AMS, until=end)
    assert got(13, "reminder") == thursday_mornings[:3]
    assert [at.astimezone(AMS) for at in got(11, "unreachable")] == [thursday_mornings[3]]
    attempts = [
        p for method, p in telegram.calls[calls_before_block:] if method == "sendMessage" and p.get("chat_id") == 13
    ]
    assert len(attempts) == 1  # after the 403, Kring stops trying

    # Sam: every other Monday at 17:00 from a week after joining, across the clock change and the
    # restarts, only in his own chat; of his one answered check-in the coordinator got exactly what
    # he shared, and nobody else anything.
    mondays = weekly(date(2027, 2, 22), time(17), AMS, every=2, until=end)
    assert got(SAM, "young") == mondays and len(mondays) == 6
    assert [event.chat_id for _, event in arrived if kind_of(event.text) == "young"] == [SAM] * 6
    shared = [event for _, event in arrived if kind_of(event.text) == "young-shared"] + sam_told
    assert [(event.chat_id, event.text) for event in shared] == [(1, "🌱 Sam deelt: het gaat goed.")]
    private = ("thuis gaat het", "school of werk gaat het", "Sam heeft het", "Sam wil graag")
    assert not any(words in event.text for _, event in arrived if event.chat_id != SAM for words in private)
    async with sandbox.runtime.sessions() as session:
        answered = list(await session.scalars(select(YoungCheckin).where(YoungCheckin.answered_at.is_not(None))))
    assert [(c.overall, c.at_home, c.at_school, c.shared_overall, c.shared_at_home) for c in answered] == [
        (Mood.GOOD, Mood.NOT_GOOD, Mood.SO_SO, True, False)
    ]

    # The follow-up ends on 15 May: a week before, each family is asked once whether to extend it
    # (in the group; Gezin Bakker's coordinator privately).
    asked = datetime(2027, 5, 8, 10, 0, tzinfo=AMS)
    assert got(SUPERGROUP, "follow-up") == got(11, "follow-up") == got(GROUP_C, "follow-up") == [asked]
    assert got(12, "follow-up") == []  # Daan does not run the circle

    # C: the first of each month at 20:00, a nudge the next day; the plan looked at after six weeks.
    firsts = [datetime(2027, month, 1, 20, 0, tzinfo=AMS) for month in (3, 4, 5)]
    assert got(GROUP_C, "checkin") == firsts
    assert got(GROUP_C, "nudge") == [f + timedelta(days=1) for f in firsts]
    assert got(GROUP_C, "review") == [firsts[2] + timedelta(minutes=1)]
