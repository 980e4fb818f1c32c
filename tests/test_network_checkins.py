"""Check-ins with the network members the family chose, end to end over the fake Bot API: who
chooses them, what the member is asked and told, and what the family sees — and does not."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.db.models import AuditEvent, NetworkCheckin
from bot.i18n import use_language
from bot.messages.pulse import stats_lines
from bot.services import pulse
from sandbox.demo import pass_time
from sandbox.fake_telegram import SentMessage
from sandbox.harness import Sandbox
from tests.journey import GROUP_ID, STALE, Circle, choose_network_checkin, set_up_circle

AMS = ZoneInfo("Europe/Amsterdam")
FIRST = datetime(2026, 11, 30, 19, 0, tzinfo=AMS)  # a week after the choice (Monday 23 November), at 19:00


async def weekly_family_checkin(c: Circle) -> None:
    (question,) = await c.fatima.send("/checkin", chat=c.group)
    for button in ("Hoe vaak vraag ik hoe het gaat?", "Elke week", "zondag", "19:00"):
        await c.fatima.press(question, button)


def last_in(sandbox: Sandbox, chat_id: int) -> SentMessage:
    return sandbox.telegram.messages_in(chat_id)[-1]


async def test_the_family_sees_what_the_member_shares_and_nothing_else(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    telegram = sandbox.telegram
    await weekly_family_checkin(c)
    anna_before = len(telegram.messages_in(900))

    question = await choose_network_checkin(c.fatima, "Oma Ayşe")
    assert question.text == "Goed. Oma Ayşe krijgt elke 3 weken een korte check-in. De eerste komt over een week."
    await sandbox.tick()
    told = last_in(sandbox, 3)
    assert "Fatima wil graag weten hoe het met jou gaat" in told.text and "elke 3 weken" in told.text
    assert {"⏸ 4 weken pauze", "🚫 Stop deze vragen", "🙈 Het gezin hoeft dit niet te zien"} <= set(told.button_texts())
    kees_before = len(telegram.messages_in(4))

    # The first check-in: a week later, 19:00, privately.
    await pass_time(sandbox, FIRST + timedelta(minutes=1))
    checkin = last_in(sandbox, 3)
    assert checkin.text.startswith("🌱 Oma Ayşe, hoe gaat het met jou in de kring van Gezin Jansen?")
    assert "Had je contact met het gezin sinds de vorige keer?" in checkin.text
    await c.ayse.press(checkin, "Ja")
    assert checkin.text == "Hoe voelde het, de afgelopen tijd?"
    await c.ayse.press(checkin, "💬 Ik wil met het gezin praten")
    assert (
        "Zal ik het gezin nu een bericht sturen dat je graag wilt praten? Dat doe ik alleen als jij ja zegt."
        in checkin.text
    )
    assert "Dit ziet het gezin bij de volgende check-in: contact: ja, je wilt graag met ze praten." in checkin.text
    group_before = len(telegram.messages_in(GROUP_ID))
    (saved,) = await c.ayse.send("Het is veel, maar ik doe het graag.")
    await c.ayse.press(saved, "Nee, alleen voor mij")
    assert saved.text == "Goed. Alleen jij ziet het, bij je volgende check-in."
    assert len(telegram.messages_in(GROUP_ID)) == group_before  # nobody was told anything yet

    answer = await c.ayse.press(checkin, "📣 Ja, laat het gezin weten")
    assert answer["text"] == "Ik laat het gezin weten dat je graag wilt praten."
    assert "📣 Ja, laat het gezin weten" not in checkin.button_texts()
    await c.ayse.press(checkin, "", data=f"nc:{await _checkin_id(sandbox)}:tell:1")  # a second tap tells nobody twice
    await sandbox.tick()
    told_family = [m.text for m in telegram.messages_in(GROUP_ID)[group_before:]]
    assert told_family == [
        "🌱 Oma Ayşe wil graag met jullie praten over hoe het gaat. Bel of zoek Oma Ayşe even op, als het kan."
    ]

    # The family's next check-in looks back at what she shared; her private note stays hers.
    await pass_time(sandbox, datetime(2026, 12, 6, 19, 1, tzinfo=AMS))
    family_checkin = next(m for m in reversed(telegram.messages_in(GROUP_ID)) if "Hoe gaat het met jullie?" in m.text)
    assert "🌱 Oma Ayşe: contact met het gezin: ja, wil graag met jullie praten" in family_checkin.text
    assert "ik doe het graag" not in family_checkin.text

    # Three weeks later she opens with her own look back, finds it heavy again, shares her note,
    # and is offered a pause. Then she decides the family need not see her answers at all.
    await pass_time(sandbox, FIRST + timedelta(weeks=3, minutes=1))
    checkin = last_in(sandbox, 3)
    assert "👀 Vorige keer: contact: ja, 💬 Ik wil met het gezin praten." in checkin.text
    assert "Je schreef: “Het is veel, maar ik doe het graag.”" in checkin.text
    await c.ayse.press(checkin, "Geprobeerd")
    await c.ayse.press(checkin, "😓 Zwaar")
    assert "Het is al een paar keer zwaar. Wil je even pauze?" in checkin.text
    assert "⏸ 4 weken pauze" in checkin.button_texts()
    assert "Dit ziet het gezin bij de volgende check-in: contact: geprobeerd." in checkin.text  # "heavy" is hers alone
    (saved,) = await c.ayse.send("Mijn rug doet pijn.")
    await c.ayse.press(saved, "Ja, deel het")
    await pass_time(sandbox, datetime(2026, 12, 27, 19, 1, tzinfo=AMS))
    family_checkin = next(m for m in reversed(telegram.messages_in(GROUP_ID)) if "Hoe gaat het met jullie?" in m.text)
    assert "🌱 Oma Ayşe: contact met het gezin: geprobeerd" in family_checkin.text
    assert "✍️ Oma Ayşe: “Mijn rug doet pijn.”" in family_checkin.text
    assert "Zwaar" not in family_checkin.text

    await c.ayse.press(checkin, "🙈 Het gezin hoeft dit niet te zien")
    assert checkin.text == "Goed. Het gezin ziet niets meer van je antwoorden."
    await pass_time(sandbox, FIRST + timedelta(weeks=6, minutes=1))
    checkin = last_in(sandbox, 3)
    await c.ayse.press(checkin, "Ja")
    await c.ayse.press(checkin, "🙂 Goed")
    assert "Het gezin ziet niets van je antwoorden." in checkin.text
    await pass_time(sandbox, datetime(2027, 1, 17, 19, 1, tzinfo=AMS))
    family_checkin = next(m for m in reversed(telegram.messages_in(GROUP_ID)) if "Hoe gaat het met jullie?" in m.text)
    assert "Oma Ayşe" not in family_checkin.text

    # The professional never heard any of it; Kees, who was not chosen, was never asked.
    assert len(telegram.messages_in(900)) == anna_before
    assert not any("hoe gaat het met jou" in m.text for m in telegram.messages_in(4)[kees_before:])
    async with sandbox.runtime.sessions() as session:
        consent = await session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "consent.network_answers.withdrawn")
        )
    assert consent == 1


async def _checkin_id(sandbox: Sandbox) -> int:
    async with sandbox.runtime.sessions() as session:
        return int(await session.scalar(select(func.max(NetworkCheckin.id))) or 0)


async def test_only_the_member_answers_and_only_coordinators_choose(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await choose_network_checkin(c.fatima, "Oma Ayşe")
    await pass_time(sandbox, FIRST + timedelta(minutes=1))
    checkin = last_in(sandbox, 3)
    data = checkin.callback_data("Ja")
    for other in (c.kees, c.fatima, c.omar, c.anna, sandbox.user(77, "Vreemde")):
        answer = await other.press(checkin, "Ja", data=data)
        assert answer["text"] == STALE
        pause = await other.press(checkin, "", data=checkin.callback_data("⏸ 4 weken pauze"))
        assert pause["text"] == STALE  # (Kees: the button acts on his own check-ins, and he has none)
    async with sandbox.runtime.sessions() as session:
        answered = await session.scalar(
            select(func.count()).select_from(NetworkCheckin).where(NetworkCheckin.answered_at.is_not(None))
        )
    assert answered == 0

    (refused,) = await c.omar.send("/checkin")
    assert refused.text == "Alleen wie de kring regelt, kiest wanneer de check-in komt."
    (refused,) = await c.kees.send("/checkin")
    assert refused.text == "Alleen wie de kring regelt, kiest wanneer de check-in komt."


async def test_the_member_can_pause_and_stop_and_the_family_hears_only_the_stop(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    telegram = sandbox.telegram
    await choose_network_checkin(c.fatima, "Buurman Kees", "Elke 2 weken")
    await sandbox.tick()
    told = last_in(sandbox, 4)
    await c.kees.press(told, "⏸ 4 weken pauze")
    assert told.text == "Goed. Tot 21 december vraag ik je niets. Je afspraken lopen gewoon door."
    await pass_time(sandbox, FIRST + timedelta(weeks=2, minutes=1))
    assert not any("hoe gaat het met jou" in m.text for m in telegram.messages_in(4))  # two skipped in the pause
    await pass_time(sandbox, FIRST + timedelta(weeks=4, minutes=1))
    checkin = last_in(sandbox, 4)
    assert "hoe gaat het met jou" in checkin.text
    group_before = len(telegram.messages_in(GROUP_ID))
    await c.kees.press(checkin, "🚫 Stop deze vragen")
    await sandbox.tick()
    assert [m.text for m in telegram.messages_in(GROUP_ID)[group_before:]] == [
        "🌱 Buurman Kees krijgt geen check-ins meer. Buurman Kees koos dat zelf, en dat is goed. "
        "De afspraken van Buurman Kees lopen gewoon door."
    ]
    kees_before = len(telegram.messages_in(4))
    await pass_time(sandbox, FIRST + timedelta(weeks=8, minutes=1))
    assert not any("hoe gaat het met jou" in m.text for m in telegram.messages_in(4)[kees_before:])

    # The coordinator sees that Kees stopped, and cannot overrule him; Kees can change his mind.
    (question,) = await c.fatima.send("/checkin")
    await c.fatima.press(question, "🌱 Check-ins voor de mensen om jullie heen")
    assert question.button_texts() == ["Oma Ayşe · uit", "Buurman Kees · zelf gestopt"]
    await c.fatima.press(question, "Buurman Kees · zelf gestopt")
    assert question.text == "Buurman Kees heeft deze vragen zelf gestopt. Alleen Buurman Kees kan ze weer aanzetten."
    await c.kees.press(checkin, "▶️ Toch weer aanzetten")
    assert checkin.text == "Goed. Je krijgt de vragen weer, zoals eerst."
    await pass_time(sandbox, FIRST + timedelta(weeks=10, minutes=1))
    assert "hoe gaat het met jou" in last_in(sandbox, 4).text  # every two weeks again


async def test_a_coordinator_choosing_again_keeps_the_members_own_pause(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await choose_network_checkin(c.fatima, "Oma Ayşe")
    await sandbox.tick()
    told = last_in(sandbox, 3)
    await c.ayse.press(told, "⏸ 4 weken pauze")
    await choose_network_checkin(c.fatima, "Oma Ayşe", "Elke 2 weken")  # a new rhythm: she is told of it ...
    await pass_time(sandbox, FIRST + timedelta(weeks=3, minutes=1))
    assert not any("hoe gaat het met jou" in m.text for m in sandbox.telegram.messages_in(3))  # ... her pause holds


async def test_a_pulse_counts_network_check_ins_and_says_nothing_more(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await choose_network_checkin(c.fatima, "Oma Ayşe")
    await pass_time(sandbox, FIRST + timedelta(minutes=1))
    checkin = last_in(sandbox, 3)
    await c.ayse.press(checkin, "Nee")
    await c.ayse.press(checkin, "😓 Zwaar")
    (saved,) = await c.ayse.send("Geheim van oma.")
    await c.ayse.press(saved, "Ja, deel het")
    async with sandbox.runtime.sessions() as session:
        stats = await pulse.stats(session, 1, FIRST - timedelta(weeks=2), FIRST + timedelta(days=1))
    assert stats.network_answers == 1
    with use_language("nl"):
        lines = stats_lines(stats)
    assert "Check-ins van het netwerk: 1 beantwoord." in lines
    assert not any("oma" in line.lower() or "Zwaar" in line or "Nee" in line for line in lines)
