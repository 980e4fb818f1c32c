"""Looking back together (issue 23, points 1 and 4): the review moment is a conversation with
buttons and own words; keep / change / stop per agreement; "waar staan we nu?" at the end of the
follow-up; /plan shows what the family is proud of and keeps doing."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.db.models import Agreement, AgreementReview, AgreementStatus, AgreementVerdict, ReviewAnswer, ReviewTopic
from bot.handlers.agreements import MANAGE
from bot.messages import reviews as review_messages
from bot.services import retention
from sandbox.fake_telegram import SentMessage
from sandbox.harness import Sandbox
from tests.journey import GROUP_ID, STALE, Circle, make_agreement, set_up_circle
from tests.test_rhythm import run_hours

AMS = ZoneInfo("Europe/Amsterdam")
FATIMA, OMAR, KEES = 1, 2, 4


async def _review_moment(sandbox: Sandbox, c: Circle) -> SentMessage:
    """Weekly check-ins, a look at the plan every four weeks: the first review message."""
    (question,) = await c.fatima.send("/checkin", chat=c.group)
    await c.fatima.press(question, "Hoe vaak vraag ik hoe het gaat?")
    await c.fatima.press(question, "Elke week")
    await c.fatima.press(question, "zondag")
    await c.fatima.press(question, "19:00")
    (question,) = await c.fatima.send("/checkin", chat=c.group)
    await c.fatima.press(question, "🔄 Samen naar het plan kijken")
    await c.fatima.press(question, "4 weken")
    arrived = await run_hours(sandbox, 24 * 35, GROUP_ID)
    (review,) = [m for _, m in arrived if m.text.startswith("🔄 Past het plan nog?")]
    return review


async def _agreements(sandbox: Sandbox, c: Circle) -> None:
    await make_agreement(c.fatima, "Buurman Kees", "Krant brengen")
    await c.kees.press(sandbox.telegram.messages_in(KEES)[-1], "Ja, dat doe ik")
    await make_agreement(c.fatima, "Oma Ayşe", "Oppassen op vrijdag", when=("Elke week", "vrijdag", "15:00"))
    await c.ayse.press(sandbox.telegram.messages_in(3)[-1], "Ja, dat doe ik")


def _last(sandbox: Sandbox, chat_id: int) -> SentMessage:
    return sandbox.telegram.messages_in(chat_id)[-1]


async def test_the_review_is_a_conversation_and_its_answers_change_the_plan(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await _agreements(sandbox, c)
    review = await _review_moment(sandbox, c)
    assert "/agreements" not in review.text and "/newagreement" not in review.text  # no list of commands
    assert review.button_texts() == ["🔄 Samen terugkijken"]

    # a network member cannot open the family's questions; nothing reaches them
    before = len(sandbox.telegram.messages_in(KEES))
    assert (await c.kees.press(review, "🔄 Samen terugkijken"))["text"] == STALE
    assert len(sandbox.telegram.messages_in(KEES)) == before

    # pressed in the group, the questions come privately, one per screen
    answered = await c.fatima.press(review, "🔄 Samen terugkijken")
    assert answered["text"] == "Ik stuur je de vragen privé."
    screen = _last(sandbox, FATIMA)
    assert screen.text.startswith("🔄 We kijken samen terug.")
    assert "Vraag 1 van 6\nWat ging er goed de laatste weken?" in screen.text  # 4 questions + 2 agreements
    (screen,) = await c.fatima.send("We aten weer samen aan tafel.")
    assert screen.text.startswith("Bewaard.\n\nVraag 2 van 6\nWaar zijn jullie trots op?")
    (screen,) = await c.fatima.send("Dat Sami weer naar school gaat.")
    assert "Vraag 3 van 6\nWat moet er anders?" in screen.text
    await c.fatima.press(screen, "Overslaan")
    assert screen.text.startswith("Vraag 4 van 6\nPast deze afspraak nog?") and "Krant brengen" in screen.text
    assert screen.button_texts() == ["Houden", "Aanpassen", "Stoppen", "Overslaan"]
    await c.fatima.press(screen, "Aanpassen")
    assert screen.text.startswith("Vraag 5 van 6\nPast deze afspraak nog?") and "Oppassen op vrijdag" in screen.text
    await c.fatima.press(screen, "Stoppen")
    assert screen.text == "Stoppen met “Oppassen op vrijdag”? Dan staat het niet meer in het plan."
    await c.fatima.press(screen, "Nee, houden")  # back to the question: nothing stopped
    assert "Vraag 5 van 6" in screen.text
    await c.fatima.press(screen, "Stoppen")
    await c.fatima.press(screen, "Ja, stoppen")
    assert screen.text.startswith(
        "Gestopt: Oppassen op vrijdag\n\nVraag 6 van 6\nWat hebben jullie nu het meest nodig?"
    )
    (end,) = await c.fatima.send("Een avond rust in de week.")
    assert "Dank je wel. Ik bewaar jullie antwoorden bij het plan." in end.text
    assert end.button_texts() == ["✏️ Krant brengen"]  # "change" opens the agreement's own edit
    await c.fatima.press(end, "✏️ Krant brengen")
    assert _last(sandbox, FATIMA).text.startswith("Je past deze afspraak aan:")
    assert "Oppassen op vrijdag" in _last(sandbox, 3).text  # Ayşe is told her part stopped

    async with sandbox.runtime.sessions() as session:
        answers = {a.topic: a.text for a in await session.scalars(select(ReviewAnswer))}
        verdicts = {
            (await session.get(Agreement, r.agreement_id)).what: r.verdict  # type: ignore[union-attr]
            for r in await session.scalars(select(AgreementReview))
        }
        statuses = {a.what: a.status for a in await session.scalars(select(Agreement))}
    assert answers == {
        ReviewTopic.WENT_WELL: "We aten weer samen aan tafel.",
        ReviewTopic.PROUD: "Dat Sami weer naar school gaat.",
        ReviewTopic.NEED_MOST: "Een avond rust in de week.",
    }
    assert verdicts == {"Krant brengen": AgreementVerdict.CHANGE, "Oppassen op vrijdag": AgreementVerdict.STOP}
    assert statuses == {"Krant brengen": AgreementStatus.ACTIVE, "Oppassen op vrijdag": AgreementStatus.ENDED}

    # a family member who does not run the circle answers the questions, not the agreements
    await c.omar.press(review, "🔄 Samen terugkijken")
    assert "Vraag 1 van 4\n" in _last(sandbox, OMAR).text
    (screen,) = await c.omar.send("Minder ruzie.")
    (screen,) = await c.omar.send("x" * 501)
    assert screen.text == "Dat is te lang. Gebruik hoogstens 500 tekens."
    (stopped,) = await c.omar.send("/cancel")
    assert stopped.text == "Gestopt. Wat je al antwoordde, is bewaard."

    # /plan: the family sees what they are proud of; the network does not
    plan = "\n".join(m.text for m in await c.fatima.send("/plan"))
    assert "⭐ Hier zijn we trots op\n• Dat Sami weer naar school gaat." in plan
    assert "Hier zijn we trots op" not in "\n".join(m.text for m in await c.kees.send("/plan"))
    in_group = "\n".join(m.text for m in await c.fatima.send("/plan", chat=c.group))
    assert "trots" not in in_group  # everyone in the group reads along


async def test_answering_again_replaces_and_old_buttons_stop_working(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    review = await _review_moment(sandbox, c)
    await c.fatima.press(review, "🔄 Samen terugkijken")
    await c.fatima.send("Eerste antwoord.")
    await c.fatima.press(review, "🔄 Samen terugkijken")  # again: a new conversation
    await c.fatima.send("Beter antwoord.")
    async with sandbox.runtime.sessions() as session:
        texts = list(await session.scalars(select(ReviewAnswer.text)))
    assert texts == ["Beter antwoord."]
    forged = f"{review_messages.START}:99999"
    assert (await c.fatima.press(review, "", data=forged))["text"] == STALE
    assert review_messages.EDIT == MANAGE


async def test_the_end_of_the_follow_up_opens_with_where_are_we_now(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)  # three months: until 23 February 2027
    sandbox.clock.set(datetime(2027, 2, 23, 8, 0, tzinfo=AMS))
    arrived = await run_hours(sandbox, 30, GROUP_ID)
    (handover,) = [m for _, m in arrived if m.text.startswith("🌱")]
    assert "Waar staan jullie nu?" in handover.text
    assert handover.button_texts()[0] == "🌱 Waar staan we nu?"
    assert (await c.kees.press(handover, "🌱 Waar staan we nu?"))["text"] == STALE
    await c.fatima.press(handover, "🌱 Waar staan we nu?")
    screen = _last(sandbox, FATIMA)
    assert "Vraag 1 van 3\nWaar staan we nu? Wat is er veranderd sinds de hulp stopte?" in screen.text
    (screen,) = await c.fatima.send("We regelen meer zelf.")
    (screen,) = await c.fatima.send("Dat we het samen doen.")
    assert "Vraag 3 van 3\nWat blijven jullie doen, nu zonder hulpverlener?" in screen.text
    (end,) = await c.fatima.send("Elke zondag samen eten.")
    assert end.text.startswith("Bewaard.\n\nDank je wel.") and not end.buttons
    plan = "\n".join(m.text for m in await c.fatima.send("/plan"))
    assert "⭐ Hier zijn we trots op\n• Dat we het samen doen." in plan
    assert "🌱 Dit blijven we doen\n• Elke zondag samen eten." in plan
    async with sandbox.runtime.sessions() as session:
        rows = {(a.topic, a.round_id) for a in await session.scalars(select(ReviewAnswer))}
    assert rows == {(ReviewTopic.WHERE_NOW, None), (ReviewTopic.PROUD, None), (ReviewTopic.KEEP_DOING, None)}


async def test_what_someone_said_at_a_review_is_in_their_own_data_only_and_is_purged_after_a_year(
    sandbox: Sandbox,
) -> None:
    c = await set_up_circle(sandbox)
    review = await _review_moment(sandbox, c)
    await c.fatima.press(review, "🔄 Samen terugkijken")
    await c.fatima.send("We aten weer samen aan tafel.")
    _intro, readable, _json = await c.fatima.send("/mydata")
    assert readable.document is not None
    assert "We aten weer samen aan tafel." in readable.document[1].decode()
    _intro, *documents = await c.omar.send("/mydata")
    assert all("aan tafel" not in d.document[1].decode() for d in documents if d.document)
    async with sandbox.runtime.sessions.begin() as session:
        await retention.purge(session, now=sandbox.clock.now() + timedelta(days=400))
    async with sandbox.runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ReviewAnswer)) == 0
