"""The young person's own check-in, end to end over the fake Bot API: it comes privately, their
answers stay theirs, only what they share reaches a parent, and their own help is one tap away."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.db.models import Member, Mood, Person, TalkWish, YoungCheckin
from sandbox.demo import pass_time
from sandbox.fake_telegram import FakeUser, SentMessage
from sandbox.harness import Sandbox
from tests.journey import GROUP_ID, STALE, Circle, join_network, join_young, set_up_circle

AMS = ZoneInfo("Europe/Amsterdam")
FIRST = datetime(2026, 11, 30, 17, 0, tzinfo=AMS)  # a week after joining (Monday 23 November), at 17:00
SAM = 5
SANNE = 6
#: Everyone but the young person: the coordinator, the other parent, the network, the professional.
OTHERS = (1, 2, 3, 4, 900, GROUP_ID)


async def member_of(sandbox: Sandbox, user_id: int) -> int:
    async with sandbox.runtime.sessions() as session:
        return int(
            await session.scalar(
                select(Member.id).join(Person, Person.id == Member.person_id).where(Person.telegram_user_id == user_id)
            )
            or 0
        )


async def with_mentor(sandbox: Sandbox, c: Circle) -> FakeUser:
    """Juf Sanne, in the circle as Sam's trusted adult (set directly: the mentor flow is its own)."""
    sanne = await join_network(sandbox, c.fatima, SANNE, "Sanne", "Juf Sanne")
    young, mentor = await member_of(sandbox, SAM), await member_of(sandbox, SANNE)
    async with sandbox.runtime.sessions.begin() as session:
        (await session.get_one(Member, mentor)).mentor_of_member_id = young
    return sanne


def counts(sandbox: Sandbox) -> dict[int, int]:
    return {chat: len(sandbox.telegram.messages_in(chat)) for chat in (*OTHERS, SANNE)}


def since(sandbox: Sandbox, before: dict[int, int]) -> dict[int, list[str]]:
    """What each of the others got after ``before`` (only chats that got something)."""
    got = {chat: [m.text for m in sandbox.telegram.messages_in(chat)[n:]] for chat, n in before.items()}
    return {chat: texts for chat, texts in got.items() if texts}


def last_in(sandbox: Sandbox, chat_id: int) -> SentMessage:
    return sandbox.telegram.messages_in(chat_id)[-1]


async def test_the_check_in_is_private_and_only_what_is_shared_reaches_a_parent(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    sam = await join_young(sandbox, c.fatima, SAM, "Sam", "Sam")
    await sandbox.tick()
    welcome = next(m for m in sandbox.telegram.messages_in(SAM) if m.text.startswith("Welkom, Sam!"))
    assert "Ik vraag je af en toe hoe het gaat. Alleen jij krijgt die vraag" in welcome.text
    assert "Je antwoorden zijn van jou." in welcome.text
    before = counts(sandbox)

    # A week later, 17:00, privately; not a minute earlier.
    await pass_time(sandbox, FIRST - timedelta(minutes=1))
    assert not any("Hoe gaat het met je?" in m.text for m in sandbox.telegram.messages_in(SAM))
    await pass_time(sandbox, FIRST + timedelta(minutes=1))
    checkin = last_in(sandbox, SAM)
    assert checkin.text.startswith("🌱 Hoi Sam! Hoe gaat het met je?")
    assert checkin.button_texts() == ["🙂 Goed", "😐 Gaat wel", "😟 Niet goed"]

    # One question per screen, each an edit of the same message.
    await sam.press(checkin, "🙂 Goed")
    assert checkin.text == "En thuis?"
    await sam.press(checkin, "😟 Niet goed")
    assert checkin.text == "En op school of werk?" and "Overslaan" in checkin.button_texts()
    await sam.press(checkin, "Overslaan")
    assert checkin.text == "Wil je met iemand praten?"
    assert checkin.button_texts() == ["Met iemand anders", "Nee, nu niet"]  # no trusted adult yet
    await sam.press(checkin, "Nee, nu niet")
    assert checkin.text.startswith("Dank je! Dit blijft van jou. Mag je ouder iets zien?")
    assert checkin.button_texts() == ["Hoe het gaat: 🙂 Goed", "Thuis: 😟 Niet goed", "Klaar", "Niets delen"]

    # Toggles: ✓ only on what is chosen now.
    await sam.press(checkin, "Hoe het gaat: 🙂 Goed")
    await sam.press(checkin, "Thuis: 😟 Niet goed")
    await sam.press(checkin, "✓ Thuis: 😟 Niet goed")
    assert checkin.button_texts()[:2] == ["✓ Hoe het gaat: 🙂 Goed", "Thuis: 😟 Niet goed"]
    await sandbox.tick()
    assert since(sandbox, before) == {}  # nothing reaches anyone while they choose

    await sam.press(checkin, "Klaar")
    assert checkin.text.startswith("Je ouder ziet: het gaat goed.")
    assert "Kindertelefoon: 0800-0432 (gratis, ook chat: kindertelefoon.nl)" in checkin.text  # "niet goed" at home
    assert "113: 0800-0113" in checkin.text and "112" in checkin.text
    assert checkin.button_texts() == ["📣 Laat mijn ouder het weten"]
    await sandbox.tick()
    assert since(sandbox, before) == {1: ["🌱 Sam deelt: het gaat goed."]}  # exactly that, to the coordinator

    answer = await sam.press(checkin, "📣 Laat mijn ouder het weten")
    assert answer["text"] == "Ik laat je ouder weten dat je het moeilijk hebt."
    assert "Je ouder weet dat je het moeilijk hebt." in checkin.text and checkin.button_texts() == []
    checkin_id = await last_checkin(sandbox)
    await sam.press(checkin, "", data=f"yc:{checkin_id}:parent:1")  # a second tap tells nobody twice
    await sandbox.tick()
    assert since(sandbox, before) == {
        1: ["🌱 Sam deelt: het gaat goed.", "🌱 Sam heeft het moeilijk. Praat er rustig over met Sam."]
    }

    # Stored as answered; the unshared answer stays in the database, for Sam alone.
    async with sandbox.runtime.sessions() as session:
        stored = await session.get_one(YoungCheckin, checkin_id)
    assert (stored.overall, stored.at_home, stored.at_school, stored.talk) == (
        Mood.GOOD,
        Mood.NOT_GOOD,
        None,
        TalkWish.NOBODY,
    )
    assert stored.shared_overall and not stored.shared_at_home and stored.answered_at is not None

    # The plan says nothing of it.
    (plan,) = await c.fatima.send("/plan")
    assert not any(words in plan.text for words in ("thuis gaat het", "deelt", "moeilijk", "😟"))


async def last_checkin(sandbox: Sandbox) -> int:
    async with sandbox.runtime.sessions() as session:
        return int(await session.scalar(select(func.max(YoungCheckin.id))) or 0)


async def test_wanting_to_talk_tells_the_mentor_only_on_the_press(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    sam = await join_young(sandbox, c.fatima, SAM, "Sam", "Sam")
    sanne = await with_mentor(sandbox, c)
    await sandbox.tick()
    before = counts(sandbox)
    await pass_time(sandbox, FIRST + timedelta(minutes=1))
    checkin = last_in(sandbox, SAM)
    await sam.press(checkin, "😐 Gaat wel")
    await sam.press(checkin, "🙂 Goed")
    await sam.press(checkin, "🙂 Goed")
    assert checkin.button_texts() == ["Met Juf Sanne", "Met iemand anders", "Nee, nu niet"]
    await sam.press(checkin, "Met Juf Sanne")
    await sam.press(checkin, "Niets delen")
    assert checkin.text.startswith("Je ouder ziet niets. Het blijft van jou.")
    assert checkin.button_texts() == ["💬 Vertel het Juf Sanne", "📣 Laat mijn ouder het weten"]
    await sandbox.tick()
    assert since(sandbox, before) == {}  # not even Sanne, until Sam says so

    # Forged presses by anyone else change nothing and tell nobody.
    checkin_id = await last_checkin(sandbox)
    for other in (c.fatima, c.omar, c.ayse, c.kees, sanne, c.anna, sandbox.user(77, "Vreemde")):
        for data in (f"yc:{checkin_id}:mentor:1", f"yc:{checkin_id}:parent:1", f"yc:{checkin_id}:share:overall"):
            answer = await other.press(checkin, "", data=data)
            assert answer["text"] == STALE
    await sandbox.tick()
    assert since(sandbox, before) == {}

    answer = await sam.press(checkin, "💬 Vertel het Juf Sanne")
    assert answer["text"] == "Ik laat Juf Sanne weten dat je wilt praten."
    assert "Juf Sanne weet dat je graag wilt praten." in checkin.text
    assert checkin.button_texts() == ["📣 Laat mijn ouder het weten"]
    await sandbox.tick()
    assert since(sandbox, before) == {SANNE: ["🌱 Sam wil graag met je praten."]}


async def test_the_young_person_chooses_the_rhythm_and_can_stop(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    sam = await join_young(sandbox, c.fatima, SAM, "Sam", "Sam")
    for parent in (c.fatima, c.omar, c.kees):
        (refused,) = await parent.send("/mycheckin")
        assert refused.text == "Dit is alleen voor de jongere zelf: een eigen check-in."

    (screen,) = await sam.send("/mycheckin")
    assert screen.button_texts() == ["Elke week", "✓ Elke 2 weken", "Elke 4 weken", "🚫 Stop mijn check-in"]
    await sam.press(screen, "Elke week")
    assert screen.button_texts()[:3] == ["✓ Elke week", "Elke 2 weken (tip)", "Elke 4 weken"]
    forged = await c.fatima.press(screen, "", data=screen.callback_data("🚫 Stop mijn check-in"))
    assert forged["text"] == STALE

    def asked() -> int:
        return sum("Hoe gaat het met je?" in m.text for m in sandbox.telegram.messages_in(SAM))

    await pass_time(sandbox, FIRST + timedelta(weeks=1, minutes=1))
    assert asked() == 2  # every week now

    await sam.press(screen, "🚫 Stop mijn check-in")
    assert screen.text.startswith("Goed. Ik vraag je niets meer.")
    assert screen.button_texts() == ["Elke week", "Elke 2 weken (tip)", "Elke 4 weken"]
    await pass_time(sandbox, FIRST + timedelta(weeks=5, minutes=1))
    assert asked() == 2

    await sam.press(screen, "Elke 4 weken")  # back on: the first a week from now
    assert "✓ Elke 4 weken" in screen.button_texts()
    await pass_time(sandbox, FIRST + timedelta(weeks=6, minutes=1))
    assert asked() == 3
    await pass_time(sandbox, FIRST + timedelta(weeks=9, minutes=1))
    assert asked() == 3
    await pass_time(sandbox, FIRST + timedelta(weeks=10, minutes=1))
    assert asked() == 4
