"""The network asked too at a review moment (issue 23), end to end over the fake Bot API: only
when whoever runs the circle chooses it; each member privately; the family sees only what a
member shares, and the professional nothing."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.db.models import CheckinRound, NetworkReview, StillWorks
from bot.services import network_reviews
from sandbox.demo import pass_time
from sandbox.fake_telegram import SentMessage
from sandbox.harness import Sandbox
from tests.journey import GROUP_ID, STALE, Circle, set_up_circle

AMS = ZoneInfo("Europe/Amsterdam")
OFFER = "👥 Zal ik ook de mensen om jullie heen vragen hoe het gaat?"
QUESTION = "Past jouw deel nog bij jou?"
AFTER_REVIEW = datetime(2027, 1, 10, 19, 5, tzinfo=AMS)  # six weeks after the first check-in (29 November)


async def weekly_family_checkin(c: Circle) -> None:
    (question,) = await c.fatima.send("/checkin", chat=c.group)
    for button in ("Hoe vaak vraag ik hoe het gaat?", "Elke week", "zondag", "19:00"):
        await c.fatima.press(question, button)


def texts_in(sandbox: Sandbox, chat_id: int) -> list[str]:
    return [m.text for m in sandbox.telegram.messages_in(chat_id)]


def found(sandbox: Sandbox, chat_id: int, start: str) -> list[SentMessage]:
    return [m for m in sandbox.telegram.messages_in(chat_id) if m.text.startswith(start)]


async def reviews(sandbox: Sandbox) -> list[NetworkReview]:
    async with sandbox.runtime.sessions() as session:
        return list(await session.scalars(select(NetworkReview).order_by(NetworkReview.member_id)))


async def review_offer(sandbox: Sandbox) -> tuple[Circle, SentMessage]:
    c = await set_up_circle(sandbox)
    await weekly_family_checkin(c)
    await pass_time(sandbox, AFTER_REVIEW)
    (offer,) = found(sandbox, GROUP_ID, OFFER)  # once, right after the review message, in the group
    assert offer.button_texts() == ["Ja, vraag het ze", "Nee, nu niet"]
    assert found(sandbox, GROUP_ID, "🔄 Past het plan nog?")
    assert not found(sandbox, 3, "👥") and not found(sandbox, 4, "👥")  # nobody asked before the family chose
    return c, offer


async def test_each_member_answers_privately_and_the_family_sees_only_what_is_shared(sandbox: Sandbox) -> None:
    c, offer = await review_offer(sandbox)

    # Only whoever runs the circle chooses.
    answer = await c.omar.press(offer, "Ja, vraag het ze")
    assert answer["text"] == STALE
    assert await reviews(sandbox) == []
    await c.fatima.press(offer, "Ja, vraag het ze")
    assert offer.text == "Goed. Ik vraag het nu aan Oma Ayşe, Buurman Kees, ieder apart."
    await sandbox.tick()
    (ayse_q,) = found(sandbox, 3, "👥 Oma Ayşe, Gezin Jansen kijkt terug")
    (kees_q,) = found(sandbox, 4, "👥 Buurman Kees, Gezin Jansen kijkt terug")
    assert ayse_q.text.endswith(QUESTION) and ayse_q.button_texts() == ["Ja", "Een beetje", "Nee"]
    first = await reviews(sandbox)
    assert [r.still_works for r in first] == [None, None]

    # A second "yes" (or another coordinator's) asks nobody twice; nobody answers for another.
    round_id = first[0].round_id
    await c.fatima.press(offer, "", data=f"nra:{round_id}:yes")
    assert offer.text == "Dat is al gevraagd, aan Oma Ayşe, Buurman Kees."
    assert len(found(sandbox, 3, "👥")) == 1
    answer = await c.kees.press(ayse_q, "Nee")
    assert answer["text"] == STALE
    answer = await c.fatima.press(ayse_q, "Nee")
    assert answer["text"] == STALE
    assert (await reviews(sandbox))[0].still_works is None

    # Ayşe: "somewhat", her own words, and she shares them.
    group_before = len(texts_in(sandbox, GROUP_ID))
    await c.ayse.press(ayse_q, "Een beetje")
    assert ayse_q.text == (
        "Dank je wel. Wil je liever iets anders doen? Schrijf het in een kort bericht. Of tik op Overslaan."
    )
    (too_long,) = await c.ayse.send("x" * 501)
    assert too_long.text == "Dat is te lang. Gebruik hoogstens 500 tekens."
    (saved,) = await c.ayse.send("Liever boodschappen doen dan koken.")
    assert saved.text == "Bewaard. Mag het gezin je antwoord zien? Alleen als jij dat wilt."
    await sandbox.tick()
    assert len(texts_in(sandbox, GROUP_ID)) == group_before  # not shared yet: the family hears nothing
    await c.ayse.press(saved, "Ja, deel het")
    assert saved.text.startswith("Goed. Het gezin ziet je antwoord.")
    await c.ayse.press(saved, "", data=f"nrv:{first[0].id}:share:1")  # a second tap tells nobody twice

    # Kees: "no", skips the words, keeps it to himself.
    await c.kees.press(kees_q, "Nee")
    await c.kees.press(kees_q, "Overslaan")
    assert kees_q.text == "Mag het gezin je antwoord zien? Alleen als jij dat wilt."
    (later,) = await c.kees.send("Hallo")  # after "skip", a message is not taken as his words
    assert "Bewaard" not in later.text
    await c.kees.press(kees_q, "Nee, alleen voor mij")
    assert kees_q.text.startswith("Goed. Alleen jij ziet je antwoord.")

    await sandbox.tick()
    told = texts_in(sandbox, GROUP_ID)[group_before:]
    assert told == [
        "👥 Oma Ayşe keek ook terug op de afgelopen weken.\n"
        "Oma Ayşe zegt: mijn deel past maar een beetje.\n"
        "Oma Ayşe doet liever iets anders: “Liever boodschappen doen dan koken.”\n"
        "Praat er samen over, als het kan. Met /agreements pas je een afspraak aan."
    ]
    assert not any("Kees" in text for text in told)
    assert not any("terug" in text for text in texts_in(sandbox, 900))  # the professional: nothing

    ayse, kees = await reviews(sandbox)
    assert (ayse.still_works, ayse.rather_else, ayse.shared) == (
        StillWorks.SOMEWHAT,
        "Liever boodschappen doen dan koken.",
        True,
    )
    assert (kees.still_works, kees.rather_else, kees.shared) == (StillWorks.NO, None, False)
    async with sandbox.runtime.sessions() as session:
        shared = await network_reviews.shared_with_family(session, round_id)
    assert [(s.name, s.still_works) for s in shared] == [("Oma Ayşe", StillWorks.SOMEWHAT)]

    # Her answers are in her own /mydata (and only hers).
    _intro, readable, machine = await c.ayse.send("/mydata")
    assert readable.document is not None and machine.document is not None
    assert "Past jouw deel nog?" in readable.document[1].decode()
    assert "Een beetje — “Liever boodschappen doen dan koken.”" in readable.document[1].decode()
    mine = json.loads(machine.document[1])["network_reviews"]
    assert [(r["still_works"], r["rather_else"], r["shared"]) for r in mine] == [
        ("somewhat", "Liever boodschappen doen dan koken.", True)
    ]
    _intro, _readable, machine = await c.kees.send("/mydata")
    assert machine.document is not None
    assert [r["still_works"] for r in json.loads(machine.document[1])["network_reviews"]] == ["no"]


async def test_not_now_asks_nobody(sandbox: Sandbox) -> None:
    c, offer = await review_offer(sandbox)
    answer = await c.kees.press(offer, "Nee, nu niet")
    assert answer["text"] == STALE
    await c.fatima.press(offer, "Nee, nu niet")
    assert offer.text == "Goed. Ik vraag het ze deze keer niet."
    await sandbox.tick()
    assert await reviews(sandbox) == []
    assert not found(sandbox, 3, "👥") and not found(sandbox, 4, "👥")


async def test_an_old_offer_is_over_once_the_next_review_comes(sandbox: Sandbox) -> None:
    c, offer = await review_offer(sandbox)
    await pass_time(sandbox, datetime(2027, 2, 21, 19, 5, tzinfo=AMS))  # the next review, six weeks on
    assert len(found(sandbox, GROUP_ID, OFFER)) == 2
    answer = await c.fatima.press(offer, "Ja, vraag het ze")
    assert answer["text"] == STALE
    assert await reviews(sandbox) == []
    async with sandbox.runtime.sessions() as session:
        rounds = list(await session.scalars(select(CheckinRound.id).where(CheckinRound.with_review)))
    assert len(rounds) == 2
