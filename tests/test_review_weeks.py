"""Issue 23, "Done when": twelve simulated weeks with a weekly check-in and a look at the plan every
four weeks. At both review moments the family answers the review conversation (one agreement
changed, later one stopped, straight from the review), the network is asked and one member shares,
and a family member and the young person say how supported they felt. At the end "Hoe ging het?"
is drawn, and its felt-support numbers match the answers, per review and per group."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.db.models import (
    Agreement,
    AgreementReview,
    AgreementStatus,
    AgreementVerdict,
    CheckinRound,
    FeltSupport,
    Member,
    NetworkReview,
    ReviewAnswer,
    ReviewTopic,
    StillWorks,
    SupportAnswer,
)
from bot.db.models import Circle as CircleRow
from bot.plan_files import layout
from bot.services import authz, how_it_went
from sandbox.demo import pass_time
from sandbox.fake_telegram import FakeUser, SentMessage
from sandbox.harness import Sandbox
from tests.journey import GROUP_ID, Circle, join_young, make_agreement, set_up_circle

AMS = ZoneInfo("Europe/Amsterdam")
FATIMA, OMAR, AYSE, KEES, SAM = 1, 2, 3, 4, 5
#: The first scheduled check-in is Sunday 29 November 2026; every fourth week looks at the plan too.
REVIEWS = (datetime(2026, 12, 27, 19, 0, tzinfo=AMS), datetime(2027, 1, 24, 19, 0, tzinfo=AMS))
END = datetime(2027, 2, 15, 9, 0, tzinfo=AMS)  # twelve weeks after the circle began (23 November)
FELT = {"Ja": FeltSupport.YES, "Een beetje": FeltSupport.SOMEWHAT, "Nee": FeltSupport.NO}

#: Felt support, one list of taps per kind of support (listening, practical, advice, company):
#: Fatima (family) and Sam (the young person) answer differently at the two reviews.
SUPPORT: dict[int, dict[int, list[list[str]]]] = {
    0: {
        FATIMA: [
            ["Ja", "Elke week", "Familie", "Klaar"],
            ["Een beetje", "Eén keer", "Buren", "Klaar"],
            ["Nee", "Nooit"],
            ["Nee", "Nooit"],
        ],
        SAM: [["Nee", "Nooit"], ["Nee", "Nooit"], ["Een beetje", "Eén keer", "Vrienden", "Klaar"], ["Nee", "Nooit"]],
    },
    1: {
        FATIMA: [
            ["Ja", "Vaker", "Familie", "Klaar"],
            ["Ja", "Elke week", "Buren", "Familie", "Klaar"],
            ["Een beetje", "Eén keer", "Vrienden", "Klaar"],
            ["Ja", "Elke week", "Familie", "Klaar"],
        ],
        SAM: [
            ["Ja", "Elke week", "Vrienden", "Klaar"],
            ["Een beetje", "Eén keer", "Familie", "Klaar"],
            ["Ja", "Vaker", "Vrienden", "Klaar"],
            ["Een beetje", "Nooit"],
        ],
    },
}


def felt_counts(taps: list[list[str]]) -> Counter[FeltSupport]:
    return Counter(FELT[kind[0]] for kind in taps)


def new_messages(sandbox: Sandbox, chat_id: int, since: int, start: str = "") -> list[SentMessage]:
    return [m for m in sandbox.telegram.messages_in(chat_id) if m.message_id > since and m.text.startswith(start)]


def last_id(sandbox: Sandbox) -> int:
    return max((m.message_id for m in sandbox.telegram.messages.values()), default=0)


async def answer_all(person: FakeUser, message: SentMessage, taps: list[list[str]]) -> None:
    for kind in taps:
        for tap in kind:
            await person.press(message, tap)
    assert message.text.startswith("🙏 Dank je wel") and not message.buttons, message.text


async def weekly_rounds(sandbox: Sandbox) -> int:
    async with sandbox.runtime.sessions() as session:
        return len(list(await session.scalars(select(CheckinRound.id).where(CheckinRound.schedule_id.is_not(None)))))


async def statuses(sandbox: Sandbox) -> dict[str, AgreementStatus]:
    async with sandbox.runtime.sessions() as session:
        return {a.what: a.status for a in await session.scalars(select(Agreement).order_by(Agreement.id))}


async def verdicts(sandbox: Sandbox, round_id: int) -> dict[str, AgreementVerdict]:
    async with sandbox.runtime.sessions() as session:
        rows = await session.execute(
            select(Agreement.what, AgreementReview.verdict)
            .join(Agreement, Agreement.id == AgreementReview.agreement_id)
            .where(AgreementReview.round_id == round_id)
        )
        return {row[0]: row[1] for row in rows}


async def review_conversation(
    sandbox: Sandbox, c: Circle, review: SentMessage, words: tuple[str, str, str], verdicts: list[str]
) -> SentMessage:
    """Fatima opens the questions from the group's review message and answers them privately:
    went well, proud of, (skip) what should change, one verdict per agreement, what we need most."""
    assert review.button_texts() == ["🔄 Samen terugkijken"]
    answered = await c.fatima.press(review, "🔄 Samen terugkijken")
    assert answered["text"] == "Ik stuur je de vragen privé."
    screen = sandbox.telegram.messages_in(FATIMA)[-1]
    total = 4 + len(verdicts)
    assert f"Vraag 1 van {total}\nWat ging er goed de laatste weken?" in screen.text
    await c.fatima.send(words[0])
    (screen,) = await c.fatima.send(words[1])
    assert f"Vraag 3 van {total}\nWat moet er anders?" in screen.text
    await c.fatima.press(screen, "Overslaan")
    for number, taps in enumerate(verdicts, start=4):
        assert screen.text.startswith(f"Vraag {number} van {total}\nPast deze afspraak nog?"), screen.text
        for tap in taps.split("|"):
            await c.fatima.press(screen, tap)
    assert f"Vraag {total} van {total}\nWat hebben jullie nu het meest nodig?" in screen.text
    (end,) = await c.fatima.send(words[2])
    assert "Dank je wel. Ik bewaar jullie antwoorden bij het plan." in end.text
    return end


async def ask_network(sandbox: Sandbox, c: Circle, since: int) -> tuple[SentMessage, SentMessage]:
    (offer,) = new_messages(sandbox, GROUP_ID, since, "👥 Zal ik ook de mensen om jullie heen vragen")
    await c.fatima.press(offer, "Ja, vraag het ze")
    await sandbox.tick()
    (ayse_q,) = new_messages(sandbox, AYSE, since, "👥 Oma Ayşe, Gezin Jansen kijkt terug")
    (kees_q,) = new_messages(sandbox, KEES, since, "👥 Buurman Kees, Gezin Jansen kijkt terug")
    return ayse_q, kees_q


async def test_twelve_weeks_with_two_review_moments_and_the_felt_support_trend(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await c.fatima.send("/start")  # Fatima has a private chat with Kring too
    sam = await join_young(sandbox, c.fatima, SAM, "Sam", "Sam")
    await make_agreement(c.fatima, "Buurman Kees", "Krant brengen")
    await c.kees.press(sandbox.telegram.messages_in(KEES)[-1], "Ja, dat doe ik")
    await make_agreement(c.fatima, "Oma Ayşe", "Oppassen op vrijdag", when=("Elke week", "vrijdag", "15:00"))
    await c.ayse.press(sandbox.telegram.messages_in(AYSE)[-1], "Ja, dat doe ik")
    (question,) = await c.fatima.send("/checkin", chat=c.group)
    for button in ("Hoe vaak vraag ik hoe het gaat?", "Elke week", "zondag", "19:00"):
        await c.fatima.press(question, button)
    (question,) = await c.fatima.send("/checkin", chat=c.group)
    await c.fatima.press(question, "🔄 Samen naar het plan kijken")
    await c.fatima.press(question, "4 weken")

    # ---- The first review moment: Sunday 27 December, four weeks after the first check-in.
    since = last_id(sandbox)
    await pass_time(sandbox, REVIEWS[0] + timedelta(minutes=5))
    (review,) = new_messages(sandbox, GROUP_ID, since, "🔄 Past het plan nog?")
    assert "/agreements" not in review.text  # a conversation, not a list of commands
    async with sandbox.runtime.sessions() as session:
        first = await session.scalar(select(CheckinRound).where(CheckinRound.with_review))
    assert first is not None and first.occurs_at == REVIEWS[0]
    assert await weekly_rounds(sandbox) == 5  # 29 November to 27 December

    end = await review_conversation(
        sandbox,
        c,
        review,
        ("We aten weer samen aan tafel.", "Dat Sam weer naar school gaat.", "Een avond rust in de week."),
        ["Aanpassen", "Houden"],
    )
    # "Aanpassen" opens the agreement's own edit; Kees is told what changed.
    assert end.button_texts() == ["✏️ Krant brengen"]
    await c.fatima.press(end, "✏️ Krant brengen")
    question = sandbox.telegram.messages_in(FATIMA)[-1]
    assert question.text.startswith("Je past deze afspraak aan:") and "Wat gaat Buurman Kees doen?" in question.text
    (current,) = await c.fatima.send("Krant en post brengen")
    await c.fatima.press(current, "Om de week")
    await c.fatima.press(current, "zaterdag")
    (current,) = await c.fatima.send("10:00")
    assert current.text.startswith("Klopt dit?"), current.text
    await c.fatima.press(current, "✅ Opslaan")
    assert current.text.startswith("Aangepast. Zo staat het nu in het plan:")
    told = sandbox.telegram.messages_in(KEES)[-1].text
    assert told.startswith("Jullie afspraak is aangepast.") and "Krant en post brengen" in told
    assert await verdicts(sandbox, first.id) == {
        "Krant en post brengen": AgreementVerdict.CHANGE,
        "Oppassen op vrijdag": AgreementVerdict.KEEP,
    }
    assert await statuses(sandbox) == {
        "Krant en post brengen": AgreementStatus.ACTIVE,
        "Oppassen op vrijdag": AgreementStatus.ACTIVE,
    }

    # The network is asked; Ayşe answers and shares, Kees keeps his answer to himself.
    ayse_q, kees_q = await ask_network(sandbox, c, since)
    group_before = last_id(sandbox)
    await c.ayse.press(ayse_q, "Een beetje")
    (saved,) = await c.ayse.send("Liever boodschappen doen dan oppassen.")
    await c.ayse.press(saved, "Ja, deel het")
    await c.kees.press(kees_q, "Nee")
    await c.kees.press(kees_q, "Overslaan")
    await c.kees.press(kees_q, "Nee, alleen voor mij")
    await sandbox.tick()
    assert [m.text for m in new_messages(sandbox, GROUP_ID, group_before)] == [
        "👥 Oma Ayşe keek ook terug op de afgelopen weken.\n"
        "Oma Ayşe zegt: mijn deel past maar een beetje.\n"
        "Oma Ayşe doet liever iets anders: “Liever boodschappen doen dan oppassen.”\n"
        "Praat er samen over, als het kan. Met /agreements pas je een afspraak aan."
    ]

    # Felt support: privately to Fatima and to Sam (and Omar, who does not answer).
    (fatima_q,) = new_messages(sandbox, FATIMA, since, "🤝")
    (sam_q,) = new_messages(sandbox, SAM, since, "🤝 Hoi Sam!")
    assert new_messages(sandbox, OMAR, since, "🤝")
    assert not new_messages(sandbox, GROUP_ID, since, "🤝") and not new_messages(sandbox, AYSE, since, "🤝")
    await answer_all(c.fatima, fatima_q, SUPPORT[0][FATIMA])
    await answer_all(sam, sam_q, SUPPORT[0][SAM])

    # ---- Four weekly check-ins later: the second review moment, Sunday 24 January.
    since = last_id(sandbox)
    await pass_time(sandbox, REVIEWS[1] + timedelta(minutes=5))
    assert await weekly_rounds(sandbox) == 9
    (review,) = new_messages(sandbox, GROUP_ID, since, "🔄 Past het plan nog?")
    async with sandbox.runtime.sessions() as session:
        rounds = list(
            await session.scalars(select(CheckinRound).where(CheckinRound.with_review).order_by(CheckinRound.id))
        )
    assert [r.occurs_at for r in rounds] == list(REVIEWS)
    second = rounds[1]

    ayse_before = last_id(sandbox)
    await review_conversation(
        sandbox,
        c,
        review,
        ("Oma en Kees hielpen elke week.", "Dat we weer samen praten.", "Iemand voor de vrijdag."),
        ["Houden", "Stoppen|Ja, stoppen"],
    )
    told_ayse = new_messages(sandbox, AYSE, ayse_before)
    assert [m.text for m in told_ayse] == ["Deze afspraak is gestopt: Oppassen op vrijdag. Dank je wel voor je hulp."]
    assert await verdicts(sandbox, second.id) == {
        "Krant en post brengen": AgreementVerdict.KEEP,
        "Oppassen op vrijdag": AgreementVerdict.STOP,
    }
    assert await statuses(sandbox) == {
        "Krant en post brengen": AgreementStatus.ACTIVE,
        "Oppassen op vrijdag": AgreementStatus.ENDED,
    }

    ayse_q, kees_q = await ask_network(sandbox, c, since)
    group_before = last_id(sandbox)
    await c.ayse.press(ayse_q, "Ja")
    await c.ayse.press(ayse_q, "Overslaan")
    await c.ayse.press(ayse_q, "Ja, deel het")
    await sandbox.tick()
    assert [m.text for m in new_messages(sandbox, GROUP_ID, group_before)] == [
        "👥 Oma Ayşe keek ook terug op de afgelopen weken.\nOma Ayşe zegt: mijn deel past nog goed."
    ]

    (fatima_q,) = new_messages(sandbox, FATIMA, since, "🤝")
    (sam_q,) = new_messages(sandbox, SAM, since, "🤝 Hoi Sam!")
    await answer_all(c.fatima, fatima_q, SUPPORT[1][FATIMA])
    await answer_all(sam, sam_q, SUPPORT[1][SAM])

    # ---- The rest of the twelve weeks pass.
    await pass_time(sandbox, END)

    assert await weekly_rounds(sandbox) == 12  # one each Sunday of the twelve weeks

    # What was kept, per review.
    async with sandbox.runtime.sessions() as session:
        said = {(a.round_id, a.topic): a.text for a in await session.scalars(select(ReviewAnswer))}
        network = {
            (r.round_id, r.member_id): (r.still_works, r.shared) for r in await session.scalars(select(NetworkReview))
        }
        support_rows = Counter(r.round_id for r in await session.scalars(select(SupportAnswer)))
        members = {m.display_name: m.id for m in await session.scalars(select(Member))}
    assert said[(first.id, ReviewTopic.PROUD)] == "Dat Sam weer naar school gaat."
    assert said[(second.id, ReviewTopic.NEED_MOST)] == "Iemand voor de vrijdag."
    assert network[(first.id, members["Oma Ayşe"])] == (StillWorks.SOMEWHAT, True)
    assert network[(first.id, members["Buurman Kees"])] == (StillWorks.NO, False)
    assert network[(second.id, members["Oma Ayşe"])] == (StillWorks.YES, True)
    assert support_rows == {first.id: 8, second.id: 8}

    # "📈 Hoe ging het?": the coordinator's private /plan button draws the picture.
    plan = next(m for m in await c.fatima.send("/plan") if "📈 Hoe ging het?" in m.button_texts())
    await c.fatima.press(plan, "📈 Hoe ging het?")
    assert sandbox.telegram.messages_in(FATIMA)[-1].photo is not None

    # Its felt-support numbers, through the service the picture uses, match the answers given.
    async with sandbox.runtime.sessions() as session:
        circle = await session.scalar(select(CircleRow))
        fatima = await session.scalar(select(Member).where(Member.display_name == "Fatima"))
        assert circle is not None and fatima is not None and fatima.person_id is not None
        access = await authz.authorize(session, fatima.person_id, circle.id, authz.Action.VIEW_HOW_IT_WENT)
        went = await how_it_went.collect(session, access, sandbox.clock.now())
    assert [r.occurs_at for r in went.support] == list(REVIEWS)
    for number, counted in enumerate(went.support):
        assert counted.family == felt_counts(SUPPORT[number][FATIMA]), number
        assert counted.young == felt_counts(SUPPORT[number][SAM]), number
    assert went.support[0].family == {FeltSupport.YES: 1, FeltSupport.SOMEWHAT: 1, FeltSupport.NO: 2}
    assert went.support[0].young == {FeltSupport.NO: 3, FeltSupport.SOMEWHAT: 1}
    assert went.support[1].family == {FeltSupport.YES: 3, FeltSupport.SOMEWHAT: 1}
    assert went.support[1].young == {FeltSupport.YES: 2, FeltSupport.SOMEWHAT: 2}
    # The family's sources and how often (the young person's are not counted there).
    assert went.support[0].sources == {"family": 1, "neighbours": 1} and went.support[0].weekly == 1
    assert went.support[1].sources == {"family": 3, "neighbours": 1, "friends": 1} and went.support[1].weekly == 3

    # And the picture shows those same numbers: one bar per review and group (yes, somewhat, no).
    page = layout.how_it_went_page(went, AMS)
    felt_part = page.split("Voelden jullie je gesteund?")[1]
    colours = {colour: felt for felt, colour in layout.FELT_COLOURS.items()}
    rows = re.findall(r'<div class="label">([^<]*)<br>([^<]*)</div><div class="bar">(.*?)</div></div>', felt_part)
    shown = {
        (day, who): Counter(
            {colours[colour]: int(n) for colour, n in re.findall(r"background:(#[0-9a-f]+)\">(\d+)", bar)}
        )
        for day, who, bar in rows
    }
    assert shown == {
        ("27 dec", "gezin"): went.support[0].family,
        ("27 dec", "Sam"): went.support[0].young,
        ("24 jan", "gezin"): went.support[1].family,
        ("24 jan", "Sam"): went.support[1].young,
    }
