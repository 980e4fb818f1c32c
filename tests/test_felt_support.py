"""Felt support at each review moment, end to end over the fake Bot API: privately to each family
member and, in their own words, to the young person; kept per review; counted in "Hoe ging het?"."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.db.models import CheckinRound, FeltSupport, Member, Person, SupportAnswer, SupportKind
from bot.db.models import Circle as CircleRow
from bot.handlers import data_rights
from bot.plan_files import layout
from bot.services import authz, erasure, how_it_went, my_data, support
from sandbox.fake_telegram import FakeUser, SentMessage
from sandbox.harness import Sandbox
from tests.journey import GROUP_ID, STALE, Circle, join_young, set_up_circle
from tests.test_rhythm import run_hours

AMS = ZoneInfo("Europe/Amsterdam")
SAM = 5
FAMILY_OPENING = "🤝 Ik heb een paar korte vragen over steun. Alleen voor jou."


async def weekly_with_review_every_four_weeks(c: Circle) -> None:
    (question,) = await c.fatima.send("/checkin", chat=c.group)
    await c.fatima.press(question, "Hoe vaak vraag ik hoe het gaat?")
    await c.fatima.press(question, "Elke week")
    await c.fatima.press(question, "zondag")
    await c.fatima.press(question, "19:00")
    (question,) = await c.fatima.send("/checkin", chat=c.group)
    await c.fatima.press(question, "🔄 Samen naar het plan kijken")
    await c.fatima.press(question, "4 weken")


async def to_review(sandbox: Sandbox, number: int) -> None:
    """Let the days pass until an hour after the ``number``-th review moment."""
    for _day in range(7 * 12):
        async with sandbox.runtime.sessions() as session:
            moments = list(
                await session.scalars(
                    select(CheckinRound.occurs_at).where(CheckinRound.with_review).order_by(CheckinRound.occurs_at)
                )
            )
        if len(moments) >= number:
            hours = (moments[number - 1] - sandbox.clock.now()) // timedelta(hours=1) + 2
            await run_hours(sandbox, max(hours, 1), GROUP_ID)
            return
        await run_hours(sandbox, 24, GROUP_ID)
    raise AssertionError("no review moment")


def asked(sandbox: Sandbox, chat_id: int) -> list[SentMessage]:
    return [m for m in sandbox.telegram.messages_in(chat_id) if m.text.startswith("🤝")]


async def answer_all(person: FakeUser, message: SentMessage, taps: list[list[str]]) -> None:
    """One list of taps per kind of support, in the order asked."""
    for kind_taps in taps:
        for tap in kind_taps:
            await person.press(message, tap)


async def setup(sandbox: Sandbox) -> tuple[Circle, FakeUser]:
    c = await set_up_circle(sandbox)
    await c.fatima.send("/start")  # Fatima opened a private chat with Kring too
    sam = await join_young(sandbox, c.fatima, SAM, "Sam", "Sam")
    await weekly_with_review_every_four_weeks(c)
    return c, sam


async def test_each_review_asks_privately_and_the_trend_counts_the_answers(sandbox: Sandbox) -> None:
    c, sam = await setup(sandbox)
    await to_review(sandbox, 1)

    # Privately to the family members and to the young person; never in the group, never the network.
    assert not asked(sandbox, GROUP_ID) and not asked(sandbox, 3) and not asked(sandbox, 4)
    assert not asked(sandbox, 900)  # nor the professional
    (fatima_q,) = asked(sandbox, 1)
    (omar_q,) = asked(sandbox, 2)
    (sam_q,) = asked(sandbox, SAM)
    assert fatima_q.text.startswith(FAMILY_OPENING)
    assert "Het gezin ziet alleen een optelling, zonder namen." in fatima_q.text
    assert fatima_q.text.endswith("💬 1/4: iemand die luistert\nVoelde je je de afgelopen 4 weken hierin gesteund?")
    assert fatima_q.button_texts() == ["Ja", "Een beetje", "Nee"]
    assert sam_q.text.startswith("🤝 Hoi Sam! Ik heb een paar korte vragen over steun.")
    assert "💬 1/4: iemand die naar je luistert" in sam_q.text

    # One question per screen: felt, how often, from whom (several), then the next kind.
    await c.fatima.press(fatima_q, "Ja")
    assert fatima_q.text == "Hoe vaak kreeg je dit?"
    assert fatima_q.button_texts() == ["Nooit", "Eén keer", "Elke week", "Vaker"]
    await c.fatima.press(fatima_q, "Elke week")
    assert fatima_q.text == "Van wie kreeg je het? Kies er één of meer."
    await c.fatima.press(fatima_q, "Familie")
    await c.fatima.press(fatima_q, "Buren")
    assert fatima_q.button_texts()[:3] == ["✓ Familie", "Vrienden", "✓ Buren"]
    await c.fatima.press(fatima_q, "✓ Buren")  # changed her mind
    assert fatima_q.button_texts()[2] == "Buren"
    await c.fatima.press(fatima_q, "Klaar")
    assert fatima_q.text.startswith("🛠 2/4: praktische hulp")
    await answer_all(
        c.fatima,
        fatima_q,
        [["Een beetje", "Eén keer", "Buren", "Klaar"], ["Nee", "Nooit"], ["Ja", "Vaker", "Vrienden", "Klaar"]],
    )
    assert fatima_q.text == "🙏 Dank je wel. Je antwoorden tellen mee in 'Hoe ging het?'."
    assert fatima_q.button_texts() == []

    # Each answers only for themselves: Omar's buttons do nothing on Fatima's message.
    await answer_all(c.omar, omar_q, [["Nee", "Nooit"], ["Nee", "Nooit"], ["Een beetje", "Nooit"], ["Ja", "Nooit"]])
    await answer_all(sam, sam_q, [["Ja", "Vaker", "Vrienden", "Klaar"], ["Een beetje", "Nooit"]])  # stops halfway

    async with sandbox.runtime.sessions() as session:
        rows = list(await session.scalars(select(SupportAnswer).order_by(SupportAnswer.id)))
        assert len(rows) == 4 + 4 + 2
        assert {r.round_id for r in rows} == {rows[0].round_id}  # kept with this review
        first = rows[0]  # Fatima's first answer
        assert (first.kind, first.felt, first.how_often, first.sources) == (
            SupportKind.EMOTIONAL,
            FeltSupport.YES,
            "weekly",
            ["family"],
        )

    # The second review, four weeks later: asked again, kept apart.
    await to_review(sandbox, 2)
    (second,) = asked(sandbox, 1)  # (the first now says thank you)
    assert second.message_id != fatima_q.message_id and second.text.startswith(FAMILY_OPENING)
    await answer_all(c.fatima, second, [["Ja", "Elke week", "Familie", "Klaar"], ["Ja", "Eén keer", "Buren", "Klaar"]])

    async with sandbox.runtime.sessions() as session:
        circle = await session.scalar(select(CircleRow))
        assert circle is not None
        fatima_member = await session.scalar(select(Member).where(Member.display_name == "Fatima"))
        assert fatima_member is not None and fatima_member.person_id is not None
        access = await authz.authorize(session, fatima_member.person_id, circle.id, authz.Action.VIEW_HOW_IT_WENT)
        went = await how_it_went.collect(session, access, sandbox.clock.now())
    first_round, second_round = went.support
    # The numbers match the answers given: Fatima 2 yes, 1 somewhat, 1 no; Omar 1 yes, 1 somewhat, 2 no.
    assert first_round.family == {FeltSupport.YES: 3, FeltSupport.SOMEWHAT: 2, FeltSupport.NO: 3}
    assert first_round.young == {FeltSupport.YES: 1, FeltSupport.SOMEWHAT: 1}
    assert first_round.sources == {"family": 1, "neighbours": 1, "friends": 1}
    assert first_round.weekly == 2  # Fatima: weekly and "more"
    assert second_round.family == {FeltSupport.YES: 2} and not second_round.young
    assert second_round.sources == {"family": 1, "neighbours": 1} and second_round.weekly == 1


async def test_the_trend_picture_shows_felt_support(sandbox: Sandbox) -> None:
    c, sam = await setup(sandbox)
    await to_review(sandbox, 1)
    await answer_all(c.fatima, asked(sandbox, 1)[0], [["Ja", "Nooit"], ["Nee", "Nooit"]])
    await answer_all(sam, asked(sandbox, SAM)[0], [["Een beetje", "Nooit"]])
    (plan,) = await c.fatima.send("/plan")
    await c.fatima.press(plan, "📈 Hoe ging het?")
    picture = sandbox.telegram.messages_in(1)[-1]
    assert picture.photo is not None

    async with sandbox.runtime.sessions() as session:
        circle = await session.scalar(select(CircleRow))
        assert circle is not None
        fatima_member = await session.scalar(select(Member).where(Member.display_name == "Fatima"))
        assert fatima_member is not None
        access = await authz.authorize(session, fatima_member.person_id, circle.id, authz.Action.VIEW_HOW_IT_WENT)
        went = await how_it_went.collect(session, access, sandbox.clock.now())
    page = layout.how_it_went_page(went, AMS)
    assert "Voelden jullie je gesteund?" in page
    assert "Sam" in page and "gezin" in page


async def test_buttons_answer_only_ones_own_questions(sandbox: Sandbox) -> None:
    c, _sam = await setup(sandbox)
    await to_review(sandbox, 1)
    (fatima_q,) = asked(sandbox, 1)
    data = fatima_q.callback_data("Ja")
    # The network may not answer, nor forged kinds or sources; no "from whom" before "felt".
    assert (await c.kees.press(fatima_q, "Ja", data=data))["text"] == STALE
    assert (await c.fatima.press(fatima_q, "x", data=data.replace("emotional", "money")))["text"] == STALE
    assert (await c.fatima.press(fatima_q, "x", data=data.replace("felt:yes", "src:family")))["text"] == STALE
    await c.fatima.press(fatima_q, "Ja")
    await c.fatima.press(fatima_q, "Vaker")
    src = fatima_q.callback_data("Familie")
    assert (await c.fatima.press(fatima_q, "x", data=src.replace("family", "aunts")))["text"] == STALE
    async with sandbox.runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(SupportAnswer)) == 1


async def test_mydata_has_them_and_forget_removes_them(sandbox: Sandbox) -> None:
    _c, sam = await setup(sandbox)
    await to_review(sandbox, 1)
    await answer_all(sam, asked(sandbox, SAM)[0], [["Ja", "Vaker", "Vrienden", "Klaar"]])
    async with sandbox.runtime.sessions() as session:
        person = await session.scalar(select(Person).where(Person.telegram_user_id == SAM))
        assert person is not None
        data = await my_data.collect(session, person)
    assert [(a["kind"], a["felt"], a["sources"], a["how_often"]) for a in data["support_answers"]] == [
        ("emotional", "yes", ["friends"], "more")
    ]
    assert "Je antwoorden over steun:\n• " in data_rights.readable(data, AMS)
    assert "iemand die luistert: Ja, Vaker, Vrienden" in data_rights.readable(data, AMS)
    async with sandbox.runtime.sessions.begin() as session:
        person = await session.scalar(select(Person).where(Person.telegram_user_id == SAM))
        assert person is not None
        await erasure.forget_person(session, person, now=sandbox.clock.now())
    async with sandbox.runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(SupportAnswer)) == 0


def test_the_question_set_covers_the_kinds_and_sources_the_literature_names() -> None:
    assert support.ASKED == (SupportKind.EMOTIONAL, SupportKind.PRACTICAL, SupportKind.ADVICE, SupportKind.COMPANY)
    assert support.SOURCES == ("family", "friends", "neighbours", "network", "professional")
    assert support.HOW_OFTEN == ("never", "once", "weekly", "more")
    assert timedelta(0) < support.AFTER_REVIEW < timedelta(hours=1)
